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

export async function createTopic(brokers: string[], topic: string, numPartitions = 3): Promise<void> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
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
