/**
 * The REAL webhook runtime as a child process: `node runtime/dist/server.js` (`npm run build:runtime`
 * makes it), or a bundle of the current sources in a temp dir (`buildRuntimeBundle()`, the way the
 * runtime's own integration tests run). Its pino JSON lines are collected (and optionally passed on),
 * and `startRuntime` resolves once it is ready: listening, and by default connected to its broker;
 * `spawnRuntime` returns at once, for a process expected to exit on its own (a configuration error).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onLines, parseLogLine, type LogLine } from './lines';
import { describeExit, manage, type Exit, type Managed } from './process';
import { statusOf, sleep } from './wait';

export const ROOT = resolve(__dirname, '..', '..');
export const RUNTIME_BUNDLE = join(ROOT, 'runtime', 'dist', 'server.js');

/** Bundles runtime/src into a temp dir (runtime/build.mjs --outdir); returns its server.js and a cleanup. */
export function buildRuntimeBundle(): { bundle: string; dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'runtime-bundle-'));
  execFileSync(process.execPath, [join(ROOT, 'runtime', 'build.mjs'), '--outdir', dir], { stdio: 'pipe' });
  return {
    bundle: join(dir, 'server.js'),
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Where a runtime publishes on Kafka (the test brokers are plaintext). */
export interface KafkaTarget {
  readonly brokers: readonly string[];
  readonly topic: string;
}

/** The environment that points a runtime at a plaintext Kafka topic. */
export function kafkaEnv(kafka: KafkaTarget, clientId: string): Record<string, string> {
  return {
    BUS: 'kafka',
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_TOPIC: kafka.topic,
    KAFKA_CLIENT_ID: clientId,
    // The runtime defaults to TLS (Event Hubs); the local test broker is plaintext.
    KAFKA_SSL: 'false',
  };
}

export interface StartRuntimeOptions {
  /** Names the process in errors and log lines, and is its KAFKA_CLIENT_ID. */
  readonly name: string;
  /** Publish to this Kafka topic. @default none: `env` names the bus */
  readonly kafka?: KafkaTarget;
  /**
   * Environment over the defaults (PATH, HOST=127.0.0.1, PORT, WEBHOOK_VERIFY=none and LOG_LEVEL=debug:
   * the runtime logs each accepted request at debug, and tests compare request ids with NGINX's log).
   * @default {}
   */
  readonly env?: Record<string, string>;
  /** Port to listen on (a restart on the address NGINX knows). @default 0: the OS picks, read from the `ready` line */
  readonly port?: number;
  /** The server.js to run. @default RUNTIME_BUNDLE */
  readonly bundle?: string;
  /** 'broker': /readyz answers 200 (broker connected); 'listening': the `ready` log line. @default 'broker' */
  readonly ready?: 'broker' | 'listening';
  /** @default 30000 */
  readonly readyTimeoutMs?: number;
  /** Every raw output line (stdout and stderr), e.g. to print it with a prefix. @default none */
  readonly onOutput?: (line: string) => void;
  /** Keep at most this many parsed log lines (a long-running process). @default unlimited */
  readonly maxLogLines?: number;
  /**
   * 'unread': nobody reads its stdout (the pipe fills and the runtime's writes stall, as behind a
   * stuck log shipper); `logs` stays empty, so `port` must be given and 'listening' means /healthz
   * answers. @default 'read'
   */
  readonly stdout?: 'read' | 'unread';
}

export interface RunningRuntime {
  readonly name: string;
  readonly port: number;
  /** host:port, as NGINX's UPSTREAM_SERVERS lists it. */
  readonly address: string;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly process: Managed['process'];
  /** Settles when the process has exited and, unless stdout is 'unread', its output is all in `logs`. */
  readonly exited: Promise<Exit>;
  /** Its JSON log lines so far, parsed, in order (non-JSON output as `{ unparsed }`). */
  readonly logs: LogLine[];
  /** Request ids that appear on any of its log lines (each once). */
  requestIds(): string[];
  /** Signals it (SIGKILL after 8 s) and waits for it to exit (as `exited`). @default 'SIGTERM' */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
}

/** Spawns the runtime and returns at once: not yet listening, perhaps about to exit. */
export function spawnRuntime(options: StartRuntimeOptions): RunningRuntime {
  return spawnManaged(options).runtime;
}

function spawnManaged(options: StartRuntimeOptions): {
  runtime: RunningRuntime;
  managed: Managed;
  stderr: () => string;
} {
  const bundle = options.bundle ?? RUNTIME_BUNDLE;
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build:runtime\` first`);
  const readStdout = (options.stdout ?? 'read') === 'read';
  if (!readStdout && options.port === undefined) {
    throw new Error(`runtime ${options.name}: stdout 'unread' needs a port (the 'ready' line is not read)`);
  }
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOST: '127.0.0.1',
      PORT: String(options.port ?? 0),
      WEBHOOK_VERIFY: 'none',
      LOG_LEVEL: 'debug',
      ...(options.kafka === undefined ? {} : kafkaEnv(options.kafka, options.name)),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const managed = manage(child);
  const logs: LogLine[] = [];
  const maxLogLines = options.maxLogLines ?? Number.POSITIVE_INFINITY;
  let stderr = '';
  let port = options.port ?? 0;
  // 'exit' can come before the last output: with stdout read, `exited` also waits for the pipes to close.
  const closed = new Promise<void>((resolveClosed) => child.once('close', () => resolveClosed()));
  if (!readStdout) {
    child.stdout.pause();
    // Once it has exited, nobody ever will: let go of the pipe and what is left in it.
    void managed.exited.then(() => child.stdout.destroy());
  }
  onLines(readStdout ? child.stdout : null, (line) => {
    options.onOutput?.(line);
    if (line.trim() === '') return;
    const parsed = parseLogLine(line);
    if (parsed.msg === 'ready' && typeof parsed.port === 'number') port = parsed.port;
    logs.push(parsed);
    if (logs.length > maxLogLines) logs.splice(0, logs.length - maxLogLines);
  });
  onLines(child.stderr, (line) => {
    options.onOutput?.(line);
    stderr = `${stderr}${line}\n`.slice(-4000);
  });

  const exited = readStdout ? closed.then(() => managed.exited) : managed.exited;
  const runtime: RunningRuntime = {
    name: options.name,
    get port() {
      return port;
    },
    get address() {
      return `127.0.0.1:${port}`;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    process: child,
    exited,
    logs,
    requestIds: () => [
      ...new Set(logs.filter((l) => typeof l.requestId === 'string').map((l) => String(l.requestId))),
    ],
    kill: async (signal = 'SIGTERM') => {
      await managed.stop(signal);
      return exited;
    },
  };
  return { runtime, managed, stderr: () => stderr };
}

/** Spawns the runtime and resolves once it is ready (see `ready`); kills it and throws if it never is. */
export async function startRuntime(options: StartRuntimeOptions): Promise<RunningRuntime> {
  const { runtime, managed, stderr } = spawnManaged(options);
  const { logs } = runtime;
  const unread = options.stdout === 'unread';
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!managed.running()) {
      const exit = await managed.exited;
      throw new Error(
        `runtime ${options.name} ended (${describeExit(exit)}) before it was ready: ${stderr()}${JSON.stringify(logs.slice(-5))}`,
      );
    }
    const listening = unread
      ? (await statusOf(`${runtime.url}/healthz`)) !== 0
      : logs.some((l) => l.msg === 'ready');
    if (listening && (options.ready === 'listening' || (await statusOf(`${runtime.url}/readyz`)) === 200)) {
      return runtime;
    }
    if (Date.now() > deadline) {
      await managed.stop('SIGKILL');
      throw new Error(
        `runtime ${options.name} was not ready within ${timeoutMs} ms: ${stderr()}${JSON.stringify(logs.slice(-5))}`,
      );
    }
    await sleep(listening ? 100 : 20);
  }
}
