/**
 * From the raw rounds to what a reader quotes: medians over rounds per target and measure, the
 * ours ÷ seed throughput ratio (median of the per-round ratios), answers by status summed over
 * rounds, the targets of issue 6 and a few printable lines.
 */
import { median, round } from '../lib/results';
import type { LoadRun } from './load';
import type { Verification } from './verify';

export type TargetName = 'ours' | 'seed';

/** One measure of one target in one round, as bench/results/e2e.json keeps it. */
export interface RoundRun extends Omit<LoadRun, 'correlationIds'> {
  readonly target: TargetName;
  readonly round: number;
  /** Open loop: the share of our median peak this rate is. */
  readonly fraction?: number;
  /** CPU ms the target's NGINX and upstream processes used per accepted webhook (./cpu.ts). */
  readonly cpuMsPerAccepted: number;
}

export interface MeasureSummary {
  readonly rounds: number;
  readonly acceptedPerSecond: number;
  readonly latencyMs: LoadRun['latencyMs'];
  readonly byStatus: Record<string, number>;
  readonly targetRate?: number;
  /** Median over rounds of CPU ms (NGINX + upstreams) per accepted webhook. */
  readonly cpuMsPerAccepted: number;
}

function measure(runs: readonly RoundRun[]): MeasureSummary {
  const byStatus: Record<string, number> = {};
  for (const run of runs) {
    for (const [status, count] of Object.entries(run.byStatus))
      byStatus[status] = (byStatus[status] ?? 0) + count;
  }
  const med = (pick: (run: RoundRun) => number): number => round(median(runs.map(pick)));
  return {
    rounds: runs.length,
    acceptedPerSecond: med((r) => r.acceptedPerSecond),
    latencyMs: {
      p50: med((r) => r.latencyMs.p50),
      p95: med((r) => r.latencyMs.p95),
      p99: med((r) => r.latencyMs.p99),
      max: med((r) => r.latencyMs.max),
    },
    byStatus,
    cpuMsPerAccepted: round(median(runs.map((r) => r.cpuMsPerAccepted)), 3),
    ...(runs[0]?.targetRate === undefined ? {} : { targetRate: runs[0].targetRate }),
  };
}

export function summarize(
  runs: readonly RoundRun[],
  verification: Record<TargetName, Verification>,
): {
  summary: Record<string, unknown>;
  targets: Array<{ label: string; value: number; limit: number; met: boolean }>;
  lines: string[];
} {
  const pick = (target: TargetName, mode: LoadRun['mode'], fraction?: number) =>
    runs.filter((r) => r.target === target && r.mode === mode && r.fraction === fraction);
  const saturation = {
    ours: measure(pick('ours', 'saturation')),
    seed: measure(pick('seed', 'saturation')),
  };
  const perRoundRatios = pick('ours', 'saturation').flatMap((ours) => {
    const seed = pick('seed', 'saturation').find((s) => s.round === ours.round);
    return seed === undefined || seed.acceptedPerSecond === 0
      ? []
      : [ours.acceptedPerSecond / seed.acceptedPerSecond];
  });
  const throughputRatio = round(median(perRoundRatios));
  const cpuRatio = round(saturation.seed.cpuMsPerAccepted / saturation.ours.cpuMsPerAccepted);
  const fractions = [...new Set(runs.flatMap((r) => (r.fraction === undefined ? [] : [r.fraction])))].sort(
    (a, b) => a - b,
  );
  const openLoop = fractions.map((fraction) => ({
    fractionOfOurPeak: fraction,
    ours: measure(pick('ours', 'open', fraction)),
    seed: measure(pick('seed', 'open', fraction)),
  }));
  const half = openLoop.find((o) => o.fractionOfOurPeak === 0.5);
  const ourP99AtHalf = half?.ours.latencyMs.p99 ?? Number.NaN;
  const lost = verification.ours.missing + verification.seed.missing;

  const targets = [
    {
      label: 'ours ÷ seed saturation throughput (median of per-round ratios), at least',
      value: throughputRatio,
      limit: 5,
      met: throughputRatio >= 5,
    },
    {
      label: 'our p99 at half our peak, open loop (ms), at most',
      value: ourP99AtHalf,
      limit: 25,
      met: ourP99AtHalf <= 25,
    },
    {
      label: 'accepted webhooks missing from the topic (both targets), at most',
      value: lost,
      limit: 0,
      met: lost === 0,
    },
  ];
  const fmt = (m: MeasureSummary) =>
    `${m.acceptedPerSecond}/s  p50 ${m.latencyMs.p50}  p95 ${m.latencyMs.p95}  p99 ${m.latencyMs.p99} ms  ${JSON.stringify(m.byStatus)}`;
  const lines = [
    `saturation  ours: ${fmt(saturation.ours)}`,
    `saturation  seed: ${fmt(saturation.seed)}`,
    `CPU per accepted webhook at saturation (NGINX + upstreams): ours ${saturation.ours.cpuMsPerAccepted} ms, seed ${saturation.seed.cpuMsPerAccepted} ms (seed ÷ ours ${cpuRatio}×)`,
    `throughput ours ÷ seed: ${throughputRatio}× (per round: ${perRoundRatios.map((r) => round(r)).join(', ')})`,
    ...openLoop.flatMap((o) => [
      `open ${o.ours.targetRate}/s (${o.fractionOfOurPeak * 100} % of our peak)  ours: ${fmt(o.ours)}`,
      `open ${o.seed.targetRate}/s (${o.fractionOfOurPeak * 100} % of our peak)  seed: ${fmt(o.seed)}`,
    ]),
    ...targets.map((t) => `${t.met ? 'MET ' : 'MISS'} ${t.label} ${t.limit}: ${t.value}`),
  ];
  return {
    summary: { saturation, throughputRatio, perRoundRatios, cpuPerAcceptedSeedOverOurs: cpuRatio, openLoop },
    targets,
    lines,
  };
}
