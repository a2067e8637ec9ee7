/**
 * Starts the REAL webhook runtime (`node runtime/dist/server.js`, built by `npm run build:runtime`)
 * on Kafka, the way `npm run local` and the proxy tests use it, and collects its pino JSON log lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, sleep } from './nginx-process';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const RUNTIME_BUNDLE = join(ROOT, 'runtime', 'dist', 'server.js');

export interface RunningRuntime {
  readonly name: string;
  readonly port: number;
  readonly address: string;
  readonly process: ChildProcess;
  /** Every JSON line the runtime printed so far. */
  readonly logs: Record<string, unknown>[];
  /** Request ids that appear on any of the runtime's log lines (each once). */
  requestIds(): string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartRuntimeOptions {
  readonly name: string;
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly env?: Record<string, string>;
  /** Port to listen on (a restart on the same address); default a free ephemeral port. */
  readonly port?: number;
}

export async function startRuntime(options: StartRuntimeOptions): Promise<RunningRuntime> {
  if (!existsSync(RUNTIME_BUNDLE)) {
    throw new Error(`${RUNTIME_BUNDLE} is missing: run \`npm run build:runtime\` first`);
  }
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [RUNTIME_BUNDLE], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      BUS: 'kafka',
      KAFKA_BROKERS: options.brokers.join(','),
      KAFKA_TOPIC: options.topic,
      KAFKA_CLIENT_ID: options.name,
      // The runtime defaults to TLS (Event Hubs); the local test broker is plaintext.
      KAFKA_SSL: 'false',
      WEBHOOK_VERIFY: 'none',
      // The runtime logs successful requests at debug (NGINX keeps the access log); the tests
      // compare request ids across both logs, so they want those lines.
      LOG_LEVEL: 'debug',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let pending = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim().length === 0) continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ unparsed: line });
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));

  const runtime: RunningRuntime = {
    name: options.name,
    port,
    address: `127.0.0.1:${port}`,
    process: child,
    logs,
    requestIds: () => [
      ...new Set(
        logs.filter((line) => typeof line.requestId === 'string').map((line) => String(line.requestId)),
      ),
    ],
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(timer);
    },
  };

  // Ready = the runtime's own /readyz says the broker is connected.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `runtime ${options.name} exited with ${child.exitCode}: ${stderr}${JSON.stringify(logs)}`,
      );
    }
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status === 200;
      },
      () => false,
    );
    if (ready) return runtime;
    if (Date.now() > deadline) {
      await runtime.kill('SIGKILL');
      throw new Error(`runtime ${options.name} was not ready within 30 s: ${JSON.stringify(logs.slice(-5))}`);
    }
    await sleep(100);
  }
}
