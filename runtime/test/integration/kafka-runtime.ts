/**
 * Helpers for the Kafka end-to-end tests: the real runtime bundle (esbuild into a temp dir, as
 * `npm run build:runtime` makes it) run as a child process against a real broker, and plain
 * HTTP requests to it over loopback.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
export const API_KEY = 'e2e-api-key-of-at-least-32-characters';

/** Bundles runtime/src/main.ts into a temp dir; returns the bundle path and a cleanup. */
export function buildRuntimeBundle(): { bundle: string; cleanup(): void } {
  const outdir = mkdtempSync(join(tmpdir(), 'runtime-kafka-e2e-'));
  execFileSync(process.execPath, [join(root, 'runtime', 'build.mjs'), '--outdir', outdir], { stdio: 'pipe' });
  return {
    bundle: join(outdir, 'server.js'),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

export interface RuntimeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Its JSON log lines, parsed, in order. */
  readonly lines: Array<Record<string, unknown>>;
  readonly exit: Promise<number | null>;
  /** Base URL once the process logged `ready`. */
  ready(timeoutMs?: number): Promise<string>;
}

/** Starts the runtime with BUS=kafka on an ephemeral loopback port, api-key verification. */
export function startRuntime(
  bundle: string,
  kafka: { brokers: string[]; topic: string },
  env: Record<string, string> = {},
): RuntimeProcess {
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      BUS: 'kafka',
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_TOPIC: kafka.topic,
      KAFKA_CLIENT_ID: 'webhook-runtime-e2e',
      KAFKA_SSL: 'false',
      WEBHOOK_VERIFY: 'api-key',
      WEBHOOK_SECRET: API_KEY,
      ...env,
    },
  });
  const lines: Array<Record<string, unknown>> = [];
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) if (p.trim() !== '') lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  child.stderr.resume();
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exit,
    ready: async (timeoutMs = 15_000) => {
      const port = await until(
        () => lines.find((l) => l['msg'] === 'ready')?.['port'] as number | undefined,
        timeoutMs,
      );
      return `http://127.0.0.1:${port}`;
    },
  };
}

export async function until<T>(
  check: () => T | undefined,
  timeoutMs: number,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Polls an async check until it returns a value. */
export async function untilAsync<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface WebhookResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly elapsedMs: number;
}

export async function postWebhook(base: string, payload: unknown): Promise<WebhookResponse> {
  const started = Date.now();
  const res = await fetch(`${base}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify(payload),
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, headers: res.headers, body, elapsedMs: Date.now() - started };
}

export async function readyStatus(base: string): Promise<number> {
  const res = await fetch(`${base}/readyz`);
  await res.arrayBuffer();
  return res.status;
}
