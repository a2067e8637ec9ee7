/**
 * CPU time a target's own processes used (Linux /proc): NGINX (master and workers) and the
 * upstream processes, all threads included (libuv pool, kafka-python's I/O thread). On a shared
 * machine the wall-clock throughput moves with everyone else's load; CPU milliseconds per accepted
 * webhook move far less, and on a CPU-bound box they predict the throughput ratio. The broker is
 * left out: it is shared with other test runs.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

/** [ppid, utime + stime in ticks] of a process, or undefined once it is gone. */
function stat(pid: number): [number, number] | undefined {
  try {
    // Fields after the command name (which may hold spaces): state ppid … utime(14) stime(15).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return [Number(fields[1]), Number(fields[11]) + Number(fields[12])];
  } catch {
    return undefined;
  }
}

/** The given processes and their direct children (NGINX's workers), as they are now. */
export function withChildren(pids: readonly number[]): number[] {
  const wanted = new Set(pids);
  const all = [...pids];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || wanted.has(pid)) continue;
    const parent = stat(pid)?.[0];
    if (parent !== undefined && wanted.has(parent)) all.push(pid);
  }
  return all;
}

/** CPU milliseconds (user + system) these processes have used so far. */
export function cpuMs(pids: readonly number[]): number {
  const ticks = pids.reduce((sum, pid) => sum + (stat(pid)?.[1] ?? 0), 0);
  return (ticks * 1000) / clockTicks();
}
