/**
 * The fault-injection suite behind `npm run faults`: scenarios a–c in alternating rounds, then d
 * once, each bounded in time and traffic and on loopback only. Returns every raw report, the totals
 * and medians the docs quote, and the targets (MISSING must be 0; hostile input: exact statuses,
 * no 5xx, nothing published). bench/faults/run.ts writes it with bench/lib/results.ts.
 */
import { ensureKafka } from '../../test/support/kafka';
import { runHostileScenario, type HostileReport } from './hostile/scenario';
import { brokerOutageScenario } from './scenarios/broker-outage';
import type { ScenarioReport } from './scenarios/harness';
import { rollingRestartScenario } from './scenarios/rolling-restart';
import { runtimeKillScenario } from './scenarios/runtime-kill';

export type ScenarioId = 'a' | 'b' | 'c' | 'd';
export const SCENARIOS: readonly ScenarioId[] = ['a', 'b', 'c', 'd'];

export interface SuiteOptions {
  readonly scenarios: readonly ScenarioId[];
  /** Rounds of a–c (alternating a, b, c, a, b, c…). */
  readonly rounds: number;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly outageMs: number;
  readonly schemathesisExamples: number;
  /** Progress lines (the CLI prints them). */
  readonly log: (line: string) => void;
}

export interface Target {
  readonly label: string;
  readonly value: number;
  readonly limit: number;
  readonly met: boolean;
}

export interface LoadScenarioSummary {
  readonly scenario: 'a' | 'b' | 'c';
  readonly title: string;
  readonly rounds: number;
  readonly sent: number;
  readonly accepted: number;
  readonly found: number;
  readonly missing: number;
  readonly duplicateCorrelationIds: number;
  readonly duplicateWebhooks: number;
  readonly publishedWithout202: number;
  readonly nonAcceptedByStatus: Record<string, number>;
  readonly nonAcceptedBySource: Record<string, number>;
  /** a only: 202s sent after the kill and answered before the broker was back (must be 0). */
  readonly acceptedDuringOutage?: number;
  /** Medians over the rounds (ms); null when no round had a value. */
  readonly medianRecoveryMs: number | null;
  readonly medianResumeAfterFaultEndMs: number | null;
  readonly medianFailureWindowMs: number | null;
}

export interface SuiteResult {
  readonly runs: ScenarioReport[];
  readonly hostile?: HostileReport;
  readonly summary: { readonly load: LoadScenarioSummary[]; readonly hostile?: HostileReport['summary'] };
  readonly targets: Target[];
}

function medianOf(values: Array<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (present.length === 0) return null;
  const mid = Math.floor(present.length / 2);
  return present.length % 2 === 1
    ? (present[mid] as number)
    : Math.round(((present[mid - 1] as number) + (present[mid] as number)) / 2);
}

export function summarise(runs: readonly ScenarioReport[]): LoadScenarioSummary[] {
  const out: LoadScenarioSummary[] = [];
  for (const id of ['a', 'b', 'c'] as const) {
    const mine = runs.filter((r) => r.scenario === id);
    const first = mine[0];
    if (first === undefined) continue;
    const sum = (pick: (r: ScenarioReport) => number) => mine.reduce((total, r) => total + pick(r), 0);
    const add = (into: Record<string, number>, from: Record<string, number>) => {
      for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
      return into;
    };
    const byStatus = mine.reduce((acc, r) => add(acc, r.tally.nonAcceptedByStatus), {});
    const bySource = mine.reduce((acc, r) => add(acc, r.tally.nonAcceptedBySource), {});
    out.push({
      scenario: id,
      title: first.title,
      rounds: mine.length,
      sent: sum((r) => r.tally.sent),
      accepted: sum((r) => r.tally.accepted),
      found: sum((r) => r.tally.found),
      missing: sum((r) => r.tally.missing),
      duplicateCorrelationIds: sum((r) => r.tally.duplicateCorrelationIds),
      duplicateWebhooks: sum((r) => r.tally.duplicateWebhooks),
      publishedWithout202: sum((r) => r.tally.publishedWithout202),
      nonAcceptedByStatus: byStatus,
      nonAcceptedBySource: bySource,
      ...(id === 'a' ? { acceptedDuringOutage: sum((r) => r.acceptedDuringOutage ?? 0) } : {}),
      medianRecoveryMs: medianOf(mine.map((r) => r.tally.recoveryMs)),
      medianResumeAfterFaultEndMs: medianOf(mine.map((r) => r.tally.resumeAfterFaultEndMs)),
      medianFailureWindowMs: medianOf(mine.map((r) => r.tally.failureWindowMs)),
    });
  }
  return out;
}

export function targetsFor(load: readonly LoadScenarioSummary[], hostile?: HostileReport): Target[] {
  const targets: Target[] = load.map((s) => ({
    label: `${s.scenario}: accepted (202) webhooks missing from the topic`,
    value: s.missing,
    limit: 0,
    met: s.missing === 0,
  }));
  for (const s of load) {
    if (s.acceptedDuringOutage === undefined) continue;
    targets.push({
      label: `${s.scenario}: 202 answered while the broker was dead`,
      value: s.acceptedDuringOutage,
      limit: 0,
      met: s.acceptedDuringOutage === 0,
    });
  }
  if (hostile !== undefined) {
    const h = hostile.summary;
    const st = hostile.schemathesis;
    targets.push(
      {
        label: 'd: corpus answers other than the contract status',
        value: h.cases - h.asExpected,
        limit: 0,
        met: h.asExpected === h.cases,
      },
      { label: 'd: corpus 5xx answers', value: h.serverErrors, limit: 0, met: h.serverErrors === 0 },
      {
        label: 'd: hostile requests published',
        value: h.hostilePublished,
        limit: 0,
        met: h.hostilePublished === 0,
      },
    );
    if (st !== undefined) {
      const failures = st.failures.reduce((sum, f) => sum + f.count, 0);
      targets.push(
        {
          label: 'd: schemathesis failures (5xx or non-conforming responses)',
          value: failures,
          limit: 0,
          met: failures === 0 && st.errors === 0,
        },
        { label: 'd: schemathesis 5xx', value: st.serverErrors, limit: 0, met: st.serverErrors === 0 },
      );
    }
  }
  return targets;
}

export async function runFaultSuite(options: SuiteOptions): Promise<SuiteResult> {
  const wanted = new Set(options.scenarios);
  // d starts its own runtime on the shared broker; a–c get theirs from test/support/path.ts.
  const brokers = wanted.has('d') ? (await ensureKafka()).brokers : [];
  const load = { ratePerSecond: options.ratePerSecond, durationMs: options.durationMs };
  const runs: ScenarioReport[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const id of ['a', 'b', 'c'] as const) {
      if (!wanted.has(id)) continue;
      options.log(`round ${round}/${options.rounds}: scenario ${id}…`);
      const report =
        id === 'a'
          ? await brokerOutageScenario({ ...load, outageMs: options.outageMs })
          : id === 'b'
            ? await runtimeKillScenario(load)
            : await rollingRestartScenario(load);
      const t = report.tally;
      options.log(
        `  ${id}: sent ${t.sent}, accepted ${t.accepted}, found ${t.found}, MISSING ${t.missing}, non-2xx ${JSON.stringify(t.nonAcceptedBySource)}, recovery ${t.recoveryMs ?? '-'} ms`,
      );
      runs.push(report);
    }
  }
  let hostile: HostileReport | undefined;
  if (wanted.has('d')) {
    options.log('scenario d (hostile input)…');
    hostile = await runHostileScenario({ brokers, schemathesisExamples: options.schemathesisExamples });
  }
  const summary = summarise(runs);
  return {
    runs,
    ...(hostile === undefined ? {} : { hostile }),
    summary: { load: summary, ...(hostile === undefined ? {} : { hostile: hostile.summary }) },
    targets: targetsFor(summary, hostile),
  };
}
