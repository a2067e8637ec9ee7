/**
 * The whole local path in one call, for benchmarks and fault scenarios: a real Kafka broker (the
 * shared one on 127.0.0.1:9092, or a private one the caller may kill), a fresh topic, N upstreams
 * (our real runtime bundle `runtime/dist/server.js` on Kafka, or any command that serves HTTP on a
 * port it is given, e.g. the seed's FastAPI app) and the real NGINX in front of them, rendered from
 * the product template. `stop()` ends every process this started and deletes the private broker.
 *
 * Built on nginx/test/support and test/kafka; it adds only the wiring and the generic upstream.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort, sleep, startNginx, type RunningNginx } from '../../nginx/test/support/nginx-process';
import { startRuntime, type RunningRuntime } from '../../nginx/test/support/runtime-process';
import {
  ensureKafka,
  startPrivateKafka,
  uniqueTopic,
  type PrivateKafka,
} from '../../test/kafka/ensure-kafka';
import { createTopic } from '../../test/kafka/topic';

/**
 * NGINX's per-client rate limit lifted: every load generator here is one client (127.0.0.1), and
 * the benchmarks measure the path, not the limiter (nginx/test covers the limiter).
 */
export const NGINX_UNLIMITED: Readonly<Record<string, string>> = {
  RATE_LIMIT_RPS: '100000',
  RATE_LIMIT_BURST: '100000',
};

/** Runtime settings for load: info logs (the runtime logs every 202 at debug). */
export const RUNTIME_LOAD_ENV: Readonly<Record<string, string>> = { LOG_LEVEL: 'info' };

/** What an upstream command is told: where to listen and where the broker and topic are. */
export interface UpstreamContext {
  readonly index: number;
  readonly port: number;
  readonly brokers: readonly string[];
  readonly topic: string;
}

/** An arbitrary upstream process (instead of our runtime) that serves HTTP on `ctx.port`. */
export interface UpstreamCommand {
  readonly command: (ctx: UpstreamContext) => {
    readonly file: string;
    readonly args: readonly string[];
    readonly env?: Record<string, string>;
    readonly cwd?: string;
  };
  /** How long the process may take to accept TCP connections. @default 60000 */
  readonly readyTimeoutMs?: number;
}

/** One upstream process behind NGINX (ours or a command's). */
export interface StackUpstream {
  readonly name: string;
  readonly port: number;
  readonly address: string;
  readonly process: ChildProcess;
  /** Signals the process and waits for it to exit (SIGKILL after 8 s). */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface StackOptions {
  /** Names processes, consumer groups and the topic. @default 'stack' */
  readonly name?: string;
  /** Upstream processes behind NGINX. @default 2 */
  readonly upstreams?: number;
  /** 'shared' = the broker on 127.0.0.1:9092; 'private' = one of the caller's own (stack.kafka). @default 'shared' */
  readonly kafka?: 'shared' | 'private';
  /** @default a unique name from `name` */
  readonly topic?: string;
  /** @default 3 */
  readonly partitions?: number;
  /** Extra env for our runtimes (over RUNTIME_LOAD_ENV). @default {} */
  readonly runtimeEnv?: Record<string, string>;
  /** Render variables for NGINX (over NGINX_UNLIMITED). @default {} */
  readonly nginxEnv?: Record<string, string>;
  /** Run this command as each upstream instead of our runtime. @default our runtime */
  readonly upstreamCommand?: UpstreamCommand;
}

export interface Stack {
  readonly nginxPort: number;
  readonly nginx: RunningNginx;
  /** Our runtimes (empty when `upstreamCommand` was given). */
  readonly runtimes: RunningRuntime[];
  /** Every upstream process, ours or the command's, in NGINX's upstream order. */
  readonly upstreams: StackUpstream[];
  readonly brokers: string[];
  readonly topic: string;
  /** The private broker (`kafka: 'private'`), to stop, kill, pause or restart. */
  readonly kafka?: PrivateKafka;
  /** Stops NGINX, every upstream and a private broker; never throws, safe to call twice. */
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const name = options.name ?? 'stack';
  const count = options.upstreams ?? 2;
  if (!Number.isInteger(count) || count < 1 || count > 16) {
    throw new Error(`startStack: upstreams must be an integer 1..16, got ${count}`);
  }
  const cleanup: Array<() => Promise<unknown>> = [];
  const stop = async (): Promise<void> => {
    while (cleanup.length > 0) {
      const step = cleanup.pop();
      try {
        await step?.();
      } catch {
        // best effort: every later process must still be stopped
      }
    }
  };
  try {
    let kafka: PrivateKafka | undefined;
    let brokers: string[];
    if (options.kafka === 'private') {
      kafka = await startPrivateKafka(name);
      const started = kafka;
      cleanup.push(() => started.destroy());
      brokers = kafka.brokers;
    } else {
      brokers = (await ensureKafka()).brokers;
    }
    const topic = options.topic ?? uniqueTopic(name);
    await createTopic(brokers, topic, options.partitions ?? 3);

    const runtimes: RunningRuntime[] = [];
    const upstreams: StackUpstream[] = [];
    const starts = Array.from({ length: count }, async (_, index) => {
      const upstreamName = `${name}-${index + 1}`;
      const upstream = options.upstreamCommand
        ? await startCommand(upstreamName, options.upstreamCommand, { index, brokers, topic })
        : await startRuntime({
            name: upstreamName,
            brokers,
            topic,
            env: { ...RUNTIME_LOAD_ENV, ...options.runtimeEnv },
          });
      cleanup.push(() => upstream.kill('SIGTERM'));
      return upstream;
    });
    const settled = await Promise.allSettled(starts);
    for (const result of settled) {
      if (result.status === 'rejected') throw result.reason;
      upstreams.push(result.value);
      if (!options.upstreamCommand) runtimes.push(result.value as RunningRuntime);
    }

    const nginx = await startNginx({
      upstreams: upstreams.map((u) => u.address),
      env: { ...NGINX_UNLIMITED, ...options.nginxEnv },
    });
    cleanup.push(() => nginx.stop());
    return { nginxPort: nginx.port, nginx, runtimes, upstreams, brokers, topic, kafka, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startCommand(
  name: string,
  upstream: UpstreamCommand,
  where: Omit<UpstreamContext, 'port'>,
): Promise<StackUpstream> {
  const port = await freePort();
  const { file, args, env, cwd } = upstream.command({ ...where, port });
  const child = spawn(file, [...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const handle: StackUpstream = {
    name,
    port,
    address: `127.0.0.1:${port}`,
    process: child,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (upstream.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`upstream ${name} (${file}) exited with ${child.exitCode}: ${stderr}`);
    if (await accepts(port)) return handle;
    if (Date.now() > deadline) {
      await handle.kill('SIGKILL');
      throw new Error(`upstream ${name} (${file}) did not listen on ${port} in time: ${stderr}`);
    }
    await sleep(100);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolveAccepts) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveAccepts(true);
    });
    socket.once('error', () => resolveAccepts(false));
  });
}
