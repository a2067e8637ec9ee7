/**
 * What scenarios a–c share on top of the harness's path (test/support/path.ts: Kafka, topic, two
 * real runtimes, NGINX with its per-client rate limit lifted) and its open-loop load: a timeline on
 * the load's clock for the fault events, NGINX error-log counts, and one shape of report.
 */
import { runOpenLoopLoad, type LoadResult } from '../../../test/support/load';
import type { RunningPath } from '../../../test/support/path';
import { tallyAgainstTopic, type FaultWindow, type Tally } from '../tally';

export interface LoadScenarioOptions {
  /** Steady arrival rate, requests/s. @default 200 */
  readonly ratePerSecond?: number;
  /** Length of the load. @default 30000 */
  readonly durationMs?: number;
}

export interface FaultEvent {
  readonly atMs: number;
  readonly what: string;
}

export interface ScenarioReport {
  readonly scenario: 'a' | 'b' | 'c';
  readonly title: string;
  readonly parameters: Record<string, number | string>;
  readonly events: FaultEvent[];
  readonly fault: FaultWindow;
  readonly load: { readonly startedAt: string; readonly elapsedMs: number };
  readonly tally: Tally;
  /** Counts of telling lines in NGINX's error log during the scenario. */
  readonly proxy: ProxyDiagnostics;
  /** a only: 202s for requests sent once the broker process was gone and answered before its restart began. */
  readonly acceptedDuringOutage?: number;
}

export interface ProxyDiagnostics {
  /** Every runtime marked failed (max_fails/fail_timeout): NGINX answered 502 → problem 503. */
  readonly noLiveUpstreams: number;
  /** Connection refused / reset on connect: retried on the other runtime when one is left. */
  readonly connectFailed: number;
  /** A runtime closed the connection before answering (killed mid-request). */
  readonly prematureClose: number;
  /** A runtime did not answer within proxy_read_timeout: NGINX answered 504 → problem 503. */
  readonly upstreamTimedOut: number;
}

export function proxyDiagnostics(errorLog: string): ProxyDiagnostics {
  const count = (pattern: RegExp) => errorLog.split('\n').filter((line) => pattern.test(line)).length;
  return {
    noLiveUpstreams: count(/no live upstreams/),
    connectFailed: count(/connect\(\) failed/),
    prematureClose: count(/upstream prematurely closed|recv\(\) failed/),
    upstreamTimedOut: count(/upstream timed out/),
  };
}

/** Fault events on the load's clock (ms since `t0`). */
export class Timeline {
  readonly events: FaultEvent[] = [];
  constructor(readonly t0: number) {}

  now(): number {
    return Math.round(performance.now() - this.t0);
  }

  mark(what: string): number {
    const atMs = this.now();
    this.events.push({ atMs, what });
    return atMs;
  }

  /** Resolves when the load clock reaches `ms` (at once if it already has). */
  until(ms: number): Promise<void> {
    const wait = ms - (performance.now() - this.t0);
    return new Promise((resolveWait) => setTimeout(resolveWait, Math.max(0, wait)));
  }
}

export function loadSummary(load: LoadResult): ScenarioReport['load'] {
  return { startedAt: load.startedAt, elapsedMs: load.elapsedMs };
}

export interface UnderFault {
  readonly window: FaultWindow;
  readonly result: LoadResult;
  readonly proxy: ProxyDiagnostics;
  readonly tally: Tally;
}

/**
 * Runs the steady open-loop load through the stack's NGINX while `fault` plays out, then reads
 * the topic back and tallies every answer against it: the part scenarios a–c share.
 */
export async function loadDuringFault(
  stack: RunningPath,
  timeline: Timeline,
  load: { readonly ratePerSecond: number; readonly durationMs: number },
  fault: Promise<FaultWindow>,
): Promise<UnderFault> {
  const running = runOpenLoopLoad({
    port: stack.nginxPort,
    ratePerSecond: load.ratePerSecond,
    durationMs: load.durationMs,
    runId: stack.topic,
    t0: timeline.t0,
    until: fault,
  });
  const [window, result] = await Promise.all([fault, running]);
  timeline.mark('load finished');
  const proxy = proxyDiagnostics(stack.nginx.errorLog());
  const tally = await tallyAgainstTopic(stack.brokers, stack.topic, stack.topic, result.samples, window);
  return { window, result, proxy, tally };
}
