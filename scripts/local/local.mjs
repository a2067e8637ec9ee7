// @ts-check
/**
 * `npm run local`: the whole webhook path on this machine, with real parts.
 *
 *   sender → NGINX (127.0.0.1:8080, nginx/render.sh + the real nginx binary)
 *          → runtime on 127.0.0.1:8001 and 127.0.0.1:8002 (node runtime/dist/server.js, BUS=kafka)
 *          → Kafka on 127.0.0.1:9092 (npm run kafka:start), topic webhook_topic
 *
 * Options (after `--`, e.g. `npm run local -- --verify github`):
 *   --verify SCHEME   WEBHOOK_VERIFY for both runtimes (standard-webhooks | github | stripe |
 *                     shopify | api-key | none). Default `none`, with a loud warning. Every scheme
 *                     but `none` needs WEBHOOK_SECRET in the environment.
 *   --topic NAME      Kafka topic (default webhook_topic, the seed's).
 *
 * Ctrl-C stops everything this script started (Kafka only if it was not already running).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import kafkajs from 'kafkajs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNTIME_PORTS = [8001, 8002];
const NGINX_PORT = 8080;
const RUN_DIR = join(ROOT, '.tmp', 'local-nginx');
const SCHEMES = ['standard-webhooks', 'github', 'stripe', 'shopify', 'api-key', 'none'];

const out = (/** @type {string} */ text) => process.stdout.write(`${text}\n`);
const err = (/** @type {string} */ text) => process.stderr.write(`${text}\n`);

const { values } = parseArgs({
  options: {
    verify: { type: 'string', default: 'none' },
    topic: { type: 'string', default: 'webhook_topic' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  out('usage: npm run local [-- --verify SCHEME] [--topic NAME]');
  process.exit(0);
}
const verify = String(values.verify);
const topic = String(values.topic);
if (!SCHEMES.includes(verify)) {
  err(`local: --verify must be one of ${SCHEMES.join(', ')} (got '${verify}')`);
  process.exit(1);
}
if (verify !== 'none' && !process.env.WEBHOOK_SECRET) {
  err(`local: --verify ${verify} needs WEBHOOK_SECRET in the environment`);
  process.exit(1);
}

/** @type {{ name: string; child: import('node:child_process').ChildProcess; stopSignal: NodeJS.Signals }[]} */
const started = [];
let kafkaStartedHere = false;
let stopping = false;

/** Prefixes each output line of a child with its name. */
function pipe(/** @type {string} */ name, /** @type {import('node:stream').Readable | null} */ stream) {
  let pending = '';
  stream?.on('data', (/** @type {Buffer} */ chunk) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) out(`[${name}] ${line}`);
  });
}

/** Prints the lines NGINX appends to its access log, prefixed like the other children's output. */
function followAccessLog(/** @type {string} */ path) {
  let offset = 0;
  let pending = '';
  const timer = setInterval(() => {
    const size = statSync(path).size;
    if (size <= offset) return;
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(path, 'r');
    readSync(fd, buffer, 0, buffer.length, offset);
    closeSync(fd);
    offset = size;
    pending += buffer.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) out(`[nginx] ${line}`);
  }, 200);
  timer.unref();
}

function startChild(
  /** @type {string} */ name,
  /** @type {string} */ command,
  /** @type {string[]} */ args,
  /** @type {NodeJS.ProcessEnv} */ env,
  /** @type {NodeJS.Signals} */ stopSignal,
) {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  pipe(name, child.stdout);
  pipe(name, child.stderr);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    // Ctrl-C in a terminal signals the whole process group: children may see it before we do.
    if (signal === 'SIGINT' || signal === 'SIGTERM' || (name === 'nginx' && code === 0)) {
      void stopAll(0);
      return;
    }
    err(`local: ${name} exited unexpectedly (${signal ?? code}); stopping everything`);
    void stopAll(1);
  });
  started.push({ name, child, stopSignal });
  return child;
}

function npmRun(/** @type {string} */ script) {
  const result = spawnSync('npm', ['run', '--silent', script], { cwd: ROOT, stdio: 'inherit' });
  return result.status === 0;
}

/** `npm run kafka:<action>`, or test/kafka/kafka.sh <action> (what that script runs) if it is not defined. */
function kafka(/** @type {'start' | 'stop'} */ action) {
  const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts ?? {};
  if (scripts[`kafka:${action}`]) return npmRun(`kafka:${action}`);
  return (
    spawnSync('bash', [join(ROOT, 'test', 'kafka', 'kafka.sh'), action], { cwd: ROOT, stdio: 'inherit' })
      .status === 0
  );
}

async function stopAll(/** @type {number} */ code) {
  if (stopping) return;
  stopping = true;
  out('\nlocal: stopping nginx and the runtimes...');
  await Promise.all(
    [...started].reverse().map(
      ({ child, stopSignal }) =>
        new Promise((resolveStop) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolveStop(undefined);
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolveStop(undefined);
          });
          child.kill(stopSignal);
        }),
    ),
  );
  if (kafkaStartedHere) {
    out('local: stopping the Kafka this script started...');
    kafka('stop');
  }
  process.exit(code);
}

async function waitFor(/** @type {string} */ url, /** @type {number} */ timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    const ok = await fetch(url).then(
      async (response) => {
        await response.arrayBuffer();
        return response.ok;
      },
      () => false,
    );
    if (ok) return true;
    await new Promise((resolveSleep) => setTimeout(resolveSleep, 200));
  }
  return false;
}

async function main() {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  if (verify === 'none') {
    err('');
    err('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
    err('!!  WEBHOOK_VERIFY=none: signatures are NOT checked. Anyone who can reach 127.0.0.1:8080 !!');
    err('!!  can publish. Local trials only; use --verify <scheme> with WEBHOOK_SECRET otherwise. !!');
    err('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
    err('');
  }

  const bundle = join(ROOT, 'runtime', 'dist', 'server.js');
  if (!existsSync(bundle)) {
    out('local: runtime/dist/server.js is missing; building it (npm run build:runtime)');
    if (!npmRun('build:runtime')) throw new Error('npm run build:runtime failed');
  }

  const kafkaWasRunning =
    spawnSync('bash', [join(ROOT, 'test', 'kafka', 'kafka.sh'), 'status'], { cwd: ROOT, stdio: 'ignore' })
      .status === 0;
  out(
    kafkaWasRunning
      ? 'local: Kafka is already running; reusing it'
      : 'local: starting Kafka (npm run kafka:start)',
  );
  if (!kafka('start')) throw new Error('npm run kafka:start failed');
  kafkaStartedHere = !kafkaWasRunning;
  // The runtime never auto-creates its topic (Event Hubs cannot either): create it, idempotently.
  const admin = new kafkajs.Kafka({
    clientId: 'local',
    brokers: ['127.0.0.1:9092'],
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    out(created ? `local: created topic ${topic}` : `local: topic ${topic} exists`);
  } finally {
    await admin.disconnect();
  }

  RUNTIME_PORTS.forEach((port, index) => {
    const name = `runtime${index + 1}`;
    startChild(
      name,
      process.execPath,
      [bundle],
      {
        ...process.env,
        BUS: 'kafka',
        KAFKA_BROKERS: '127.0.0.1:9092',
        KAFKA_TOPIC: topic,
        KAFKA_CLIENT_ID: name,
        KAFKA_SSL: 'false', // the runtime defaults to TLS (Event Hubs); the local broker is plaintext
        WEBHOOK_VERIFY: verify,
        // Successful requests are debug lines in the runtime: show them locally, next to NGINX's.
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'debug',
        HOST: '127.0.0.1',
        PORT: String(port),
      },
      'SIGTERM',
    );
  });
  for (const port of RUNTIME_PORTS) {
    if (!(await waitFor(`http://127.0.0.1:${port}/readyz`, 60_000)))
      throw new Error(`runtime on ${port} not ready`);
  }

  mkdirSync(RUN_DIR, { recursive: true });
  const confPath = join(RUN_DIR, 'nginx.conf');
  const accessLog = join(RUN_DIR, 'access.log');
  writeFileSync(accessLog, '');
  const nginxEnv = {
    PATH: process.env.PATH,
    UPSTREAM_SERVERS: RUNTIME_PORTS.map((port) => `127.0.0.1:${port}`).join(' '),
    LISTEN_ADDRESS: '127.0.0.1',
    LISTEN_PORT: String(NGINX_PORT),
    NGINX_RUN_DIR: RUN_DIR,
    // A file, not /dev/stdout: NGINX open()s that path, which fails (ENXIO) when our stdout is a
    // socket (a piped child); followAccessLog() prints its lines instead.
    ACCESS_LOG: accessLog,
    ERROR_LOG: 'stderr',
    WORKER_PROCESSES: '1',
    // Optional overrides from the environment (see the README's NGINX variables).
    ...Object.fromEntries(
      ['RATE_LIMIT_RPS', 'RATE_LIMIT_BURST', 'MAX_BODY_BYTES', 'TRUSTED_PROXY_CIDR']
        .filter((name) => process.env[name] !== undefined)
        .map((name) => [name, process.env[name]]),
    ),
  };
  const rendered = spawnSync(
    'sh',
    [join(ROOT, 'nginx', 'render.sh'), join(ROOT, 'nginx', 'nginx.conf.template'), confPath],
    {
      env: nginxEnv,
      stdio: 'inherit',
    },
  );
  if (rendered.status !== 0) throw new Error('nginx/render.sh failed');
  const nginxBin = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
  startChild(
    'nginx',
    nginxBin,
    ['-p', RUN_DIR, '-c', confPath, '-e', 'stderr', '-g', 'daemon off;'],
    nginxEnv,
    'SIGQUIT',
  );
  followAccessLog(accessLog);
  if (!(await waitFor(`http://127.0.0.1:${NGINX_PORT}/readyz`, 15_000)))
    throw new Error('nginx not ready on 8080');

  out('');
  out(
    `local: ready. NGINX http://127.0.0.1:${NGINX_PORT} → runtimes :8001 :8002 → Kafka 127.0.0.1:9092 topic ${topic}`,
  );
  out('local: try it:');
  out(
    `  curl -i -X POST http://127.0.0.1:${NGINX_PORT}/webhook -H 'content-type: application/json' -d '{"clientId":"client-1","opportunity":{"id":"op-1","amount":1200}}'`,
  );
  out(
    `local: watch the topic in another terminal: npm run local:tail${topic === 'webhook_topic' ? '' : ` -- --topic ${topic}`}`,
  );
  out('local: Ctrl-C stops everything this command started.');
}

main().catch((error) => {
  err(`local: ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
