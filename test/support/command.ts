/**
 * An arbitrary HTTP upstream process behind NGINX instead of our runtime (e.g. the seed's FastAPI
 * app in bench/e2e): it is told its port, the brokers and the topic, and counts as ready once it
 * accepts TCP connections on that port.
 */
import { spawn } from 'node:child_process';
import { describeExit, manage, type Exit, type Managed } from './process';
import { accepts, freePort, sleep } from './wait';

/** What an upstream command is told: where to listen and where the broker and topic are. */
export interface UpstreamContext {
  readonly index: number;
  readonly port: number;
  readonly brokers: readonly string[];
  readonly topic: string;
}

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

/** One upstream process behind NGINX: our runtime (RunningRuntime has this shape too) or a command's. */
export interface Upstream {
  readonly name: string;
  readonly port: number;
  readonly address: string;
  readonly process: Managed['process'];
  readonly exited: Promise<Exit>;
  /** Signals the process (SIGKILL after 8 s) and waits for it to exit. @default 'SIGTERM' */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
}

export async function startCommand(
  name: string,
  upstream: UpstreamCommand,
  where: Omit<UpstreamContext, 'port'>,
): Promise<Upstream> {
  const port = await freePort();
  const { file, args, env, cwd } = upstream.command({ ...where, port });
  const child = spawn(file, [...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const managed = manage(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const handle: Upstream = {
    name,
    port,
    address: `127.0.0.1:${port}`,
    process: child,
    exited: managed.exited,
    kill: (signal = 'SIGTERM') => managed.stop(signal),
  };
  const deadline = Date.now() + (upstream.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (!managed.running()) {
      const exit = await managed.exited;
      throw new Error(`upstream ${name} (${file}) ended (${describeExit(exit)}): ${stderr}`);
    }
    if (await accepts(port)) return handle;
    if (Date.now() > deadline) {
      await managed.stop('SIGKILL');
      throw new Error(`upstream ${name} (${file}) did not listen on ${port} in time: ${stderr}`);
    }
    await sleep(100);
  }
}
