/**
 * The correctness check beside the figures: every correlationId a target answered 2xx for must be
 * on that target's topic, read back with a real consumer. An accepted webhook the broker does not
 * hold is a lost webhook; the run reports it (and exits non-zero), it never averages it away.
 */
import { readTopic, topicRecordCount } from '../../test/support/kafka';

export interface Verification {
  readonly accepted: number;
  readonly topicRecords: number;
  readonly found: number;
  readonly missing: number;
  readonly missingExamples: string[];
  /** Records whose correlationId is on the topic more than once (beyond the first). */
  readonly duplicates: number;
}

export async function verifyOnTopic(
  brokers: string[],
  topic: string,
  accepted: readonly string[],
): Promise<Verification> {
  const topicRecords = await topicRecordCount(brokers, topic);
  const records = await readTopic(brokers, topic, topicRecords, 180_000);
  const seen = new Map<string, number>();
  for (const record of records) {
    // The correlationId is the CloudEvents id header (the value is the sender's own bytes).
    const id = record.headers['ce_id'];
    if (id !== undefined) seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const missing = accepted.filter((id) => !seen.has(id));
  let duplicates = 0;
  for (const count of seen.values()) duplicates += Math.max(0, count - 1);
  return {
    accepted: accepted.length,
    topicRecords,
    found: accepted.length - missing.length,
    missing: missing.length,
    missingExamples: missing.slice(0, 10),
    duplicates,
  };
}
