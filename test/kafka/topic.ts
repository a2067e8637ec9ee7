/**
 * Test helpers around a real broker: create a topic (the runtime never auto-creates one) and read
 * messages back with a real kafkajs consumer, keys, values and headers decoded.
 */
import { Kafka, logLevel } from 'kafkajs';

export interface ReadMessage {
  readonly partition: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
}

let readers = 0;

function client(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'test-reader', brokers, logLevel: logLevel.NOTHING });
}

/** Errors a just-created topic may answer with while KRaft spreads its metadata. */
const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Creates the topic and waits until every partition has a leader. kafkajs' own `waitForLeaders`
 * retries only LEADER_NOT_AVAILABLE, but a loaded KRaft broker first answers
 * UNKNOWN_TOPIC_OR_PARTITION for a topic it has just created; both mean "not yet".
 */
export async function createTopic(
  brokers: string[],
  topic: string,
  numPartitions = 3,
  timeoutMs = 30_000,
): Promise<void> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    // waitForLeaders defaults to true and would throw on UNKNOWN_TOPIC_OR_PARTITION: wait below instead.
    await admin.createTopics({
      topics: [{ topic, numPartitions, replicationFactor: 1 }],
      waitForLeaders: false,
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const partitions = topics[0]?.partitions ?? [];
        if (partitions.length === numPartitions && partitions.every((p) => p.leader >= 0)) return;
      } catch (error) {
        // kafkajs reports it directly, or wrapped once its own retries are exhausted.
        const e = error as { type?: string; originalError?: { type?: string } };
        const type = e.type ?? e.originalError?.type;
        if (!SETTLING.has(type ?? '')) throw error;
      }
      if (Date.now() > deadline) {
        throw new Error(`topic ${topic}: partitions have no leader after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads the topic from the beginning until `count` messages arrived or `timeoutMs` passed;
 * resolves with what arrived (the caller asserts the count).
 */
export async function readTopic(
  brokers: string[],
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  // A new consumer group per read: always from the beginning, never from an earlier read's offsets.
  readers += 1;
  const groupId = `${topic}-reader-${process.pid}-${readers}`;
  const consumer = client(brokers).consumer({ groupId, retry: { retries: 2 } });
  const received: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, timeoutMs);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) {
              headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
            }
            received.push({
              partition,
              key: message.key?.toString('utf8') ?? null,
              value: message.value?.toString('utf8') ?? null,
              headers,
            });
            if (received.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}
