/**
 * The real NGINX in front of whatever the caller names: renders the proxy template with
 * nginx/render.sh (the same script the images run), checks it with `nginx -t` and starts the binary
 * unprivileged-style (prefix, pid, temp paths and logs inside a temp dir) on a loopback port, then
 * waits for /healthz. Its JSON access log and its error log are files the caller can read or follow.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describeExit, manage } from './process';
import { freePort, sleep, statusOf } from './wait';

const execFileAsync = promisify(execFile);

export const NGINX_DIR = resolve(__dirname, '..', '..', 'nginx');
export const TEMPLATE = join(NGINX_DIR, 'nginx.conf.template');
export const RENDER_SCRIPT = join(NGINX_DIR, 'render.sh');

/** The NGINX binary: NGINX_BIN, else `nginx` on PATH, else Debian's /usr/sbin/nginx. */
export function nginxBinary(): string {
  if (process.env.NGINX_BIN) return process.env.NGINX_BIN;
  return existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
}

/** A fresh temp dir NGINX's workers (user `nobody` when the tests run as root) can traverse. */
export function makeRunDir(prefix = 'webhook-nginx-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

export interface RenderResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly confPath: string;
}

/** Runs render.sh with exactly `env` (plus PATH) and returns its exit code and output. */
export async function render(
  env: Record<string, string>,
  confPath: string,
  template = TEMPLATE,
): Promise<RenderResult> {
  try {
    const { stdout, stderr } = await execFileAsync('sh', [RENDER_SCRIPT, template, confPath], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
    return { code: 0, stdout, stderr, confPath };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', confPath };
  }
}

/** `nginx -t` on a rendered file: resolves with NGINX's output, rejects when the test fails. */
export async function nginxTest(dir: string, confPath: string): Promise<string> {
  const { stderr } = await execFileAsync(nginxBinary(), [
    '-t',
    '-p',
    dir,
    '-c',
    confPath,
    '-e',
    join(dir, 'error.log'),
  ]);
  return stderr;
}

export interface RunningNginx {
  readonly port: number;
  readonly dir: string;
  readonly confPath: string;
  readonly accessLogPath: string;
  readonly errorLogPath: string;
  readonly process: ChildProcess;
  /** Parsed JSON access-log lines so far (every line must parse, or this throws). */
  accessLog(): Record<string, unknown>[];
  /** Waits until at least `count` access-log lines exist (NGINX logs after it answered). */
  waitForAccessLog(count: number, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  /** Waits for the access-log line of one request id; undefined if none came in time. */
  waitForRequestLog(requestId: string, timeoutMs?: number): Promise<Record<string, unknown> | undefined>;
  errorLog(): string;
  stop(): Promise<void>;
}

export interface StartNginxOptions {
  /** host:port entries for UPSTREAM_SERVERS. */
  readonly upstreams: readonly string[];
  /** Extra render variables (override the defaults below). */
  readonly env?: Record<string, string>;
  readonly template?: string;
  /** Port to listen on; default a free ephemeral port. */
  readonly port?: number;
}

/** Renders, checks with `nginx -t`, starts NGINX in the foreground and waits for /healthz. */
export async function startNginx(options: StartNginxOptions): Promise<RunningNginx> {
  const dir = makeRunDir();
  const port = options.port ?? (await freePort());
  const confPath = join(dir, 'nginx.conf');
  const accessLogPath = join(dir, 'access.log');
  const errorLogPath = join(dir, 'error.log');
  const rendered = await render(
    {
      UPSTREAM_SERVERS: options.upstreams.join(' '),
      LISTEN_ADDRESS: '127.0.0.1',
      LISTEN_PORT: String(port),
      WORKER_PROCESSES: '1',
      NGINX_RUN_DIR: dir,
      ACCESS_LOG: accessLogPath,
      ERROR_LOG: errorLogPath,
      ...options.env,
    },
    confPath,
    options.template,
  );
  if (rendered.code !== 0) throw new Error(`render.sh failed (${rendered.code}): ${rendered.stderr}`);
  await nginxTest(dir, confPath);

  const child = spawn(nginxBinary(), ['-p', dir, '-c', confPath, '-e', errorLogPath, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const managed = manage(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const readLines = (): Record<string, unknown>[] => {
    if (!existsSync(accessLogPath)) return [];
    return readFileSync(accessLogPath, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  };

  const running: RunningNginx = {
    port,
    dir,
    confPath,
    accessLogPath,
    errorLogPath,
    process: child,
    accessLog: readLines,
    async waitForAccessLog(count, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const lines = readLines();
        if (lines.length >= count || Date.now() > deadline) return lines;
        await sleep(20);
      }
    },
    async waitForRequestLog(requestId, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = readLines().find((entry) => entry.request_id === requestId);
        if (line || Date.now() > deadline) return line;
        await sleep(20);
      }
    },
    errorLog: () => (existsSync(errorLogPath) ? readFileSync(errorLogPath, 'utf8') : ''),
    async stop() {
      // SIGQUIT: graceful shutdown (workers finish the requests they hold).
      await managed.stop('SIGQUIT', 3000);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + 5000;
  for (;;) {
    if (!managed.running()) {
      const exit = await managed.exited;
      throw new Error(`nginx ended (${describeExit(exit)}): ${stderr}${running.errorLog()}`);
    }
    if ((await statusOf(`http://127.0.0.1:${port}/healthz`)) === 200) return running;
    if (Date.now() > deadline) {
      await running.stop();
      throw new Error(`nginx did not answer /healthz on port ${port}: ${stderr}`);
    }
    await sleep(25);
  }
}
