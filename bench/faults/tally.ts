/**
 * Accepted versus found: every 202's correlationId is looked up among the records really on the
 * topic (read back with a real consumer). MISSING is an accepted webhook the broker does not hold,
 * a bug, never a figure to live with. Also counted: duplicates (one correlationId, or one webhook
 * sequence number, on the topic more than once), records published for requests that got no 202
 * (the sender retries them: at-least-once, not loss), non-2xx by status, and recovery times.
 */
import { readTopic, topicRecordCount } from '../../test/support/kafka';
import type { Sample } from '../../test/support/load';

export interface FaultWindow {
  /** ms on the load's clock when the fault was injected. */
  readonly startMs: number;
  /** ms on the load's clock when the fault ended (broker back, runtime restarted, or = startMs). */
  readonly endMs: number;
}

export interface Tally {
  readonly sent: number;
  readonly accepted: number;
  readonly found: number;
  readonly missing: number;
  /** Up to 20 missing correlationIds with their sequence numbers, to chase the bug. */
  readonly missingExamples: Array<{ seq: number; correlationId: string }>;
  readonly topicRecords: number;
  /** Records whose correlationId is on the topic more than once (beyond the first). */
  readonly duplicateCorrelationIds: number;
  /** Records of a webhook (run + seq) beyond the first: the same request published twice. */
  readonly duplicateWebhooks: number;
  /** Records of this run on the topic whose request got no 202 (answered 503, or no answer). */
  readonly publishedWithout202: number;
  /** The same by what the sender got: "503/runtime" (the runtime said not published), "0"… */
  readonly publishedWithout202BySource: Record<string, number>;
  /** Non-2xx answers by status; "0" = transport error, "-1" = not sent (client in-flight cap). */
  readonly nonAcceptedByStatus: Record<string, number>;
  /** The same, keyed "status/answerer": 503/runtime (the runtime refused) or 503/proxy (NGINX did). */
  readonly nonAcceptedBySource: Record<string, number>;
  /** Transport errors (status 0) by message: reset, refused, client time-out… */
  readonly transportErrors: Record<string, number>;
  /** First non-202 → first 202 completed after the fault ended (ms); null when nothing failed. */
  readonly recoveryMs: number | null;
  /**
   * Fault end → first 202 completed after it (ms): how fast the path resumes once the broker or
   * runtime is back (for a: excludes Kafka's own restart time); null when none came.
   */
  readonly resumeAfterFaultEndMs: number | null;
  /** First non-202 → last non-202 (ms); null when nothing failed. */
  readonly failureWindowMs: number | null;
  readonly firstFailureAtMs: number | null;
}

interface TopicRecord {
  opportunity?: { run?: unknown; seq?: unknown };
}

export async function tallyAgainstTopic(
  brokers: string[],
  topic: string,
  runId: string,
  samples: readonly Sample[],
  fault: FaultWindow,
): Promise<Tally> {
  const topicRecords = await topicRecordCount(brokers, topic);
  // readTopic waits for `count` records; with none on the topic there is nothing to wait for.
  const records = topicRecords === 0 ? [] : await readTopic(brokers, topic, topicRecords, 120_000);
  if (records.length < topicRecords) {
    throw new Error(`read ${records.length} of the ${topicRecords} records on ${topic} within 120 s`);
  }
  const byCorrelation = new Map<string, number>();
  const bySeq = new Map<number, number>();
  for (const record of records) {
    // The correlationId travels as the CloudEvents id header; the value is the sender's own bytes.
    const correlationId = record.headers['ce_id'];
    const doc = JSON.parse(record.value ?? 'null') as TopicRecord | null;
    if (doc === null || correlationId === undefined) continue;
    byCorrelation.set(correlationId, (byCorrelation.get(correlationId) ?? 0) + 1);
    if (doc.opportunity?.run === runId && typeof doc.opportunity.seq === 'number') {
      bySeq.set(doc.opportunity.seq, (bySeq.get(doc.opportunity.seq) ?? 0) + 1);
    }
  }
  return tallySamples(samples, byCorrelation, bySeq, topicRecords, fault);
}

function sourceKey(s: Sample): string {
  return s.from === undefined ? String(s.status) : `${s.status}/${s.from}`;
}

/** The pure part: counts from the samples and what the topic holds (exported for its own test). */
export function tallySamples(
  samples: readonly Sample[],
  byCorrelation: ReadonlyMap<string, number>,
  bySeq: ReadonlyMap<number, number>,
  topicRecords: number,
  fault: FaultWindow,
): Tally {
  const accepted = samples.filter((s) => s.status === 202);
  const missingSamples = accepted.filter(
    (s) => s.correlationId === undefined || !byCorrelation.has(s.correlationId),
  );
  const nonAcceptedByStatus: Record<string, number> = {};
  const failures = samples.filter((s) => s.status !== 202);
  const nonAcceptedBySource: Record<string, number> = {};
  const transportErrors: Record<string, number> = {};
  for (const s of failures) {
    nonAcceptedByStatus[String(s.status)] = (nonAcceptedByStatus[String(s.status)] ?? 0) + 1;
    const key = sourceKey(s);
    nonAcceptedBySource[key] = (nonAcceptedBySource[key] ?? 0) + 1;
    if (s.status === 0) {
      const message = (s.error ?? 'unknown').slice(0, 80);
      transportErrors[message] = (transportErrors[message] ?? 0) + 1;
    }
  }
  const bySeqSample = new Map(samples.map((s) => [s.seq, s]));
  let publishedWithout202 = 0;
  const publishedWithout202BySource: Record<string, number> = {};
  for (const [seq, count] of bySeq) {
    const sample = bySeqSample.get(seq);
    if (sample?.status === 202) continue;
    publishedWithout202 += count;
    const key = sample === undefined ? 'unknown' : sourceKey(sample);
    publishedWithout202BySource[key] = (publishedWithout202BySource[key] ?? 0) + count;
  }
  const extra = (counts: Iterable<number>) => [...counts].reduce((sum, n) => sum + Math.max(0, n - 1), 0);

  const failureTimes = failures.map((s) => s.doneAtMs).sort((a, b) => a - b);
  const firstFailure = failureTimes[0];
  const lastFailure = failureTimes[failureTimes.length - 1];
  const acceptedTimes = accepted.map((s) => s.doneAtMs).sort((a, b) => a - b);
  const firstAcceptAfterEnd = acceptedTimes.find((t) => t >= fault.endMs);
  let recoveryMs: number | null = null;
  if (firstFailure !== undefined) {
    const after = acceptedTimes.find((t) => t >= fault.endMs && t >= firstFailure);
    recoveryMs = after === undefined ? null : Math.round(after - firstFailure);
  }
  return {
    sent: samples.filter((s) => s.status !== -1).length,
    accepted: accepted.length,
    found: accepted.length - missingSamples.length,
    missing: missingSamples.length,
    missingExamples: missingSamples
      .slice(0, 20)
      .map((s) => ({ seq: s.seq, correlationId: s.correlationId ?? '' })),
    topicRecords,
    duplicateCorrelationIds: extra(byCorrelation.values()),
    duplicateWebhooks: extra(bySeq.values()),
    publishedWithout202,
    publishedWithout202BySource,
    nonAcceptedByStatus,
    nonAcceptedBySource,
    transportErrors,
    recoveryMs,
    resumeAfterFaultEndMs:
      firstAcceptAfterEnd === undefined ? null : Math.round(firstAcceptAfterEnd - fault.endMs),
    failureWindowMs:
      firstFailure === undefined || lastFailure === undefined ? null : Math.round(lastFailure - firstFailure),
    firstFailureAtMs: firstFailure === undefined ? null : Math.round(firstFailure),
  };
}
