/**
 * One child process under the harness: how it ended (exit code or signal) as a promise, and a stop
 * that signals it and escalates to SIGKILL after a grace period. Every process the harness starts
 * (runtime, NGINX, an upstream command) is stopped through this.
 */
import type { ChildProcess } from 'node:child_process';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Managed {
  readonly process: ChildProcess;
  /** Settles once the process has exited. */
  readonly exited: Promise<Exit>;
  /** True until the process has exited. */
  running(): boolean;
  /**
   * Sends `signal` (SIGKILL after `graceMs`) and resolves once it exited; at once if it already had.
   * @default signal 'SIGTERM', graceMs 8000
   */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

/** "exit code 1", "signal SIGKILL": how a process ended, for log lines and errors. */
export function describeExit(exit: Exit): string {
  return exit.signal === null ? `exit code ${exit.code ?? '?'}` : `signal ${exit.signal}`;
}

export function manage(child: ChildProcess): Managed {
  const exited = new Promise<Exit>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    process: child,
    exited,
    running,
    async stop(signal = 'SIGTERM', graceMs = 8000) {
      if (!running()) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}
