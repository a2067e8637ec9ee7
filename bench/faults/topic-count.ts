/**
 * How many records a topic holds: the sum over partitions of (high watermark − low watermark),
 * straight from the broker's offsets. Exact and instant, unlike reading until a timeout: the
 * hostile-input scenario uses it to prove nothing but the control case was published.
 */
import { Kafka, logLevel } from 'kafkajs';

export async function topicRecordCount(brokers: string[], topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'faults-count', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0);
  } finally {
    await admin.disconnect();
  }
}
