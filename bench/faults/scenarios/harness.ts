/**
 * What scenarios a–c share on top of the harness's path (test/support/path.ts: Kafka, topic, two
 * real runtimes, NGINX with its per-client rate limit lifted) and its open-loop load: one run
 * (`runFaultScenario`) that starts the path, plays a scenario's fault under load and tallies, a
 * timeline on the load's clock for the fault events, NGINX error-log counts, one shape of report.
 */
import { runOpenLoopLoad, type LoadResult } from '../../../test/support/load';
import { startPath, type PathOptions, type RunningPath } from '../../../test/support/path';
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

/** What a scenario plays on the load's clock, and how it describes itself in its report. */
export interface FaultPlan {
  readonly title: string;
  /** Besides ratePerSecond, durationMs, runtimes and topic, which every report has. */
  readonly parameters: Record<string, number | string>;
  /** The fault itself, started at once; settles with its window once it is over. */
  readonly fault: Promise<FaultWindow>;
  /** Report fields of this scenario only, from the load's answers. @default none */
  readonly extra?: (result: LoadResult) => Pick<ScenarioReport, 'acceptedDuringOutage'>;
}

/** Where a scenario's fault is planned: the running path, the load's clock and the load's length. */
export interface FaultContext {
  readonly stack: RunningPath;
  readonly timeline: Timeline;
  readonly durationMs: number;
}

/**
 * The part scenarios a–c share: starts the path (two runtimes behind NGINX, `faults-<scenario>`),
 * lets `plan` start its fault on a fresh timeline, runs the steady open-loop load through NGINX
 * while the fault plays out, reads the topic back, tallies every answer against it, and stops the
 * path whatever happens.
 */
export async function runFaultScenario(
  scenario: ScenarioReport['scenario'],
  options: LoadScenarioOptions,
  path: Pick<PathOptions, 'kafka'>,
  plan: (context: FaultContext) => FaultPlan,
): Promise<ScenarioReport> {
  const ratePerSecond = options.ratePerSecond ?? 200;
  const durationMs = options.durationMs ?? 30_000;
  const runtimes = 2;
  const stack = await startPath({ ...path, name: `faults-${scenario}`, upstreams: runtimes });
  try {
    const timeline = new Timeline(performance.now());
    const { title, parameters, fault, extra } = plan({ stack, timeline, durationMs });
    const running = runOpenLoopLoad({
      port: stack.nginxPort,
      ratePerSecond,
      durationMs,
      runId: stack.topic,
      t0: timeline.t0,
      until: fault,
    });
    const [window, result] = await Promise.all([fault, running]);
    timeline.mark('load finished');
    const proxy = proxyDiagnostics(stack.nginx.errorLog());
    const tally = await tallyAgainstTopic(stack.brokers, stack.topic, stack.topic, result.samples, window);
    return {
      scenario,
      title,
      parameters: { ratePerSecond, durationMs, runtimes, ...parameters, topic: stack.topic },
      events: timeline.events,
      fault: window,
      load: { startedAt: result.startedAt, elapsedMs: result.elapsedMs },
      tally,
      proxy,
      ...extra?.(result),
    };
  } finally {
    await stack.stop();
  }
}
