/**
 * `npm run local`: the whole webhook path on this machine, with real parts, on the harness
 * (test/support/path.ts):
 *
 *   sender → NGINX (127.0.0.1:8080, nginx/render.sh + the real nginx binary)
 *          → runtime-1 on 127.0.0.1:8001 and runtime-2 on 127.0.0.1:8002 (runtime/dist/server.js, BUS=kafka)
 *          → Kafka on 127.0.0.1:9092 (kafka.sh's default instance, as `npm run kafka:start`), topic webhook_topic
 *
 * Like Container Apps, a runtime that dies is started again on its address (a line says which, how it
 * ended and the restart count) while NGINX keeps serving through the other one. Only Ctrl-C (SIGINT
 * or SIGTERM) stops everything this command started (Kafka only if it was not already running).
 *
 * Options (after `--`, e.g. `npm run local -- --verify github`):
 *   --verify SCHEME       WEBHOOK_VERIFY for both runtimes (standard-webhooks | github | stripe |
 *                         shopify | api-key | none). Default `none`, with a loud warning. Every scheme
 *                         but `none` needs WEBHOOK_SECRET in the environment.
 *   --topic NAME          Kafka topic (default webhook_topic, the seed's); created if missing.
 *   --port N              NGINX's port (default 8080).
 *   --runtime-ports A,B   the runtimes' ports (default 8001,8002).
 *   --brokers LIST        use this Kafka instead of starting kafka.sh's default instance.
 * NGINX's RATE_LIMIT_RPS, RATE_LIMIT_BURST, MAX_BODY_BYTES and TRUSTED_PROXY_CIDR are taken from
 * the environment when set; the runtimes get the environment (LOG_LEVEL defaults to debug here).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { HUMAN_BROKERS, useHumanKafka } from '../../test/support/kafka';
import { followFile, type StopFollowing } from '../../test/support/lines';
import { startPath, type RunningPath } from '../../test/support/path';
import { describeExit } from '../../test/support/process';
import { ROOT, RUNTIME_BUNDLE } from '../../test/support/runtime';

const SCHEMES = ['standard-webhooks', 'github', 'stripe', 'shopify', 'api-key', 'none'];
const USAGE =
  'usage: npm run local [-- --verify SCHEME] [--topic NAME] [--port N] [--runtime-ports A,B] [--brokers LIST]';
/** What the path sets for each runtime: never taken from the caller's environment. */
const PATH_OWNED = ['PORT', 'HOST', 'BUS', 'KAFKA_BROKERS', 'KAFKA_TOPIC', 'KAFKA_CLIENT_ID', 'KAFKA_SSL'];
const NGINX_FROM_ENV = ['RATE_LIMIT_RPS', 'RATE_LIMIT_BURST', 'MAX_BODY_BYTES', 'TRUSTED_PROXY_CIDR'];

const out = (text: string): void => {
  process.stdout.write(`${text}\n`);
};
const err = (text: string): void => {
  process.stderr.write(`${text}\n`);
};

/** A bad option: printed with the usage, exit 1. */
class UsageError extends Error {}

interface Options {
  readonly verify: string;
  readonly topic: string;
  readonly port: number;
  readonly runtimePorts: number[];
  readonly brokers?: string[];
}

function portNumber(text: string, what: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`${what} must be a port 1..65535 (got '${text}')`);
  return port;
}

function parseOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      verify: { type: 'string', default: 'none' },
      topic: { type: 'string', default: 'webhook_topic' },
      port: { type: 'string', default: '8080' },
      'runtime-ports': { type: 'string', default: '8001,8002' },
      brokers: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  if (!SCHEMES.includes(values.verify)) {
    throw new UsageError(`--verify must be one of ${SCHEMES.join(', ')} (got '${values.verify}')`);
  }
  if (values.verify !== 'none' && !process.env.WEBHOOK_SECRET) {
    throw new UsageError(`--verify ${values.verify} needs WEBHOOK_SECRET in the environment`);
  }
  const runtimePorts = values['runtime-ports'].split(',').map((p) => portNumber(p.trim(), '--runtime-ports'));
  if (runtimePorts.length < 1) throw new UsageError('--runtime-ports needs at least one port');
  return {
    verify: values.verify,
    topic: values.topic,
    port: portNumber(values.port, '--port'),
    runtimePorts,
    ...(values.brokers === undefined ? {} : { brokers: values.brokers.split(',').map((b) => b.trim()) }),
  };
}

function warnUnverified(port: number): void {
  const bar = '!'.repeat(92);
  const line = (text: string): string => `!!  ${text.padEnd(86)}!!`;
  err('');
  err(bar);
  err(line(`WEBHOOK_VERIFY=none: signatures are NOT checked. Anyone who can reach 127.0.0.1:${port}`));
  err(line('can publish. Local trials only; use --verify <scheme> with WEBHOOK_SECRET otherwise.'));
  err(bar);
  err('');
}

/** The caller's environment for the runtimes, without what the path sets itself. */
function runtimeEnv(verify: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !PATH_OWNED.includes(name)) env[name] = value;
  }
  // Successful requests are debug lines in the runtime: show them locally, next to NGINX's.
  return { ...env, WEBHOOK_VERIFY: verify, LOG_LEVEL: process.env.LOG_LEVEL ?? 'debug' };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    out(USAGE);
    return;
  }
  if (options.verify === 'none') warnUnverified(options.port);
  if (!existsSync(RUNTIME_BUNDLE)) {
    out('local: runtime/dist/server.js is missing; building it (npm run build:runtime)');
    execFileSync('npm', ['run', '--silent', 'build:runtime'], { cwd: ROOT, stdio: 'inherit' });
  }

  let path: RunningPath | undefined;
  let stopKafka: () => Promise<void> = () => Promise.resolve();
  let kafkaStartedHere = false;
  const following: StopFollowing[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    out('\nlocal: stopping nginx and the runtimes...');
    for (const stop of following) stop();
    await path?.stop();
    if (kafkaStartedHere) out('local: stopping the Kafka this command started...');
    await stopKafka().catch((error: unknown) => err(`local: stopping Kafka failed: ${String(error)}`));
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    let brokers = options.brokers;
    if (brokers === undefined) {
      out('local: starting Kafka unless it is running (npm run kafka:start)');
      const kafka = await useHumanKafka();
      kafkaStartedHere = kafka.startedHere;
      stopKafka = () => kafka.stop();
      out(kafka.startedHere ? 'local: started Kafka' : 'local: Kafka is already running; reusing it');
      brokers = [...HUMAN_BROKERS];
    }
    if (stopping) return;
    path = await startPath({
      name: 'runtime',
      upstreams: options.runtimePorts.length,
      runtimePorts: options.runtimePorts,
      nginxPort: options.port,
      kafka: { brokers },
      topic: options.topic,
      runtimeEnv: runtimeEnv(options.verify),
      liftRateLimit: false,
      nginxEnv: Object.fromEntries(
        NGINX_FROM_ENV.flatMap((name) => {
          const value = process.env[name];
          return value === undefined ? [] : [[name, value]];
        }),
      ),
      restartDeadRuntimes: true,
      runtimeLogLines: 1000,
      onEvent: (line) => out(`local: ${line}`),
      onRuntimeOutput: (name, line) => out(`[${name}] ${line}`),
    });
  } catch (error) {
    err(`local: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll(1);
    return;
  }
  if (stopping) return;
  const { nginx, runtimes, topic } = path;
  // NGINX writes its logs to files (a piped stdout cannot be open()ed by it): print their lines.
  following.push(
    followFile(nginx.accessLogPath, (line) => out(`[nginx] ${line}`), { fromStart: true }),
    followFile(nginx.errorLogPath, (line) => out(`[nginx] ${line}`), { fromStart: true }),
  );
  nginx.process.once('exit', (code, signal) => {
    if (stopping) return;
    // Ctrl-C in a terminal signals the whole process group: NGINX may see it before we do.
    if (signal === 'SIGINT' || signal === 'SIGTERM' || signal === 'SIGQUIT' || code === 0)
      return void stopAll(0);
    err(`local: nginx ended unexpectedly (${describeExit({ code, signal })}); stopping everything`);
    void stopAll(1);
  });

  out('');
  for (const runtime of runtimes)
    out(`local: ${runtime.name} pid ${runtime.process.pid} on ${runtime.address}`);
  out(
    `local: ready. NGINX http://127.0.0.1:${nginx.port} → runtimes ${runtimes.map((r) => `:${r.port}`).join(' ')} → Kafka ${path.brokers.join(',')} topic ${topic}`,
  );
  out('local: try it:');
  out(
    `  curl -i -X POST http://127.0.0.1:${nginx.port}/webhook -H 'content-type: application/json' -d '{"clientId":"client-1","opportunity":{"id":"op-1","amount":1200}}'`,
  );
  const tailArgs = [
    ...(topic === 'webhook_topic' ? [] : ['--topic', topic]),
    ...(options.brokers === undefined ? [] : ['--brokers', path.brokers.join(',')]),
  ];
  out(
    `local: watch the topic in another terminal: npm run local:tail${tailArgs.length === 0 ? '' : ` -- ${tailArgs.join(' ')}`}`,
  );
  out('local: a runtime that dies is restarted; Ctrl-C stops everything this command started.');
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    err(`local: ${error.message}\n${USAGE}`);
  } else {
    err(`local: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
