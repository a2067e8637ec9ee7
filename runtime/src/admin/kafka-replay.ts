/**
 * `kafka replay`: copies the records of `topic` written from `--from` (up to `--to`, else up to the
 * end offsets taken when the replay starts) to `toTopic`, key, headers and value unchanged. Start
 * offsets come from the broker's offsets-for-times (kafkajs `fetchTopicOffsetsByTimestamp`); the
 * consumer uses a one-off group, seeks each partition and commits nothing.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import pino from 'pino';
import { saslOptions } from '../publish/kafka-support';

export interface ReplayOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly toTopic: string;
  readonly fromMs: number;
  readonly toMs?: number;
  /** Event Hubs: SASL OAUTHBEARER with an Entra token (DefaultAzureCredential) over TLS. */
  readonly sasl?: 'oauthbearer';
}

export interface ReplaySummary {
  replayed: number;
  partitions: number;
}

/** Per partition, the first offset to copy and the first one NOT to copy. */
async function offsetRanges(
  kafka: Kafka,
  options: ReplayOptions,
): Promise<Map<number, { from: number; stop: number }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(options.topic);
    const starts = await admin.fetchTopicOffsetsByTimestamp(options.topic, options.fromMs);
    const stops =
      options.toMs === undefined ? [] : await admin.fetchTopicOffsetsByTimestamp(options.topic, options.toMs);
    const ranges = new Map<number, { from: number; stop: number }>();
    for (const end of ends) {
      const high = Number(end.high);
      // offsets-for-times answers -1 (or the high watermark) when no record is that recent.
      const start = Number(starts.find((s) => s.partition === end.partition)?.offset ?? -1);
      const until = Number(stops.find((s) => s.partition === end.partition)?.offset ?? -1);
      const from = start < 0 ? high : start;
      const stop = until < 0 ? high : Math.min(until, high);
      ranges.set(end.partition, { from, stop });
    }
    return ranges;
  } finally {
    await admin.disconnect();
  }
}

export async function replay(
  options: ReplayOptions,
  progress: (summary: Readonly<ReplaySummary>) => void,
): Promise<ReplaySummary> {
  const config: KafkaConfig = {
    clientId: 'webhooks-admin',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
    ...(options.sasl === undefined
      ? {}
      : {
          ssl: true,
          sasl: saslOptions({ mechanism: 'oauthbearer' }, options.brokers, pino({ level: 'silent' })),
        }),
  };
  const kafka = new Kafka(config);
  const ranges = await offsetRanges(kafka, options);
  const summary: ReplaySummary = { replayed: 0, partitions: ranges.size };
  const pending = new Set([...ranges].filter(([, r]) => r.from < r.stop).map(([p]) => p));
  if (pending.size === 0) return summary;

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: `webhooks-admin-replay-${randomUUID()}` });
  await producer.connect();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [options.topic] });
    let finish: () => void = () => undefined;
    let fail: (err: unknown) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    // kafkajs refuses a seek until the group is joined; seeking on join also covers a rejoin.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [partition, range] of ranges) {
        if (pending.has(partition))
          consumer.seek({ topic: options.topic, partition, offset: String(range.from) });
      }
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, pause }) => {
        try {
          const range = ranges.get(batch.partition);
          if (range === undefined || !pending.has(batch.partition)) return;
          const records = batch.messages.filter(
            (m) => Number(m.offset) >= range.from && Number(m.offset) < range.stop,
          );
          if (records.length > 0) {
            await producer.send({
              topic: options.toTopic,
              acks: -1,
              messages: records.map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {} })),
            });
            summary.replayed += records.length;
            progress(summary);
          }
          for (const m of batch.messages) resolveOffset(m.offset);
          await heartbeat();
          const last = batch.messages.at(-1);
          if (last !== undefined && Number(last.offset) + 1 >= range.stop) {
            pending.delete(batch.partition);
            pause()();
            if (pending.size === 0) finish();
          }
        } catch (err) {
          fail(err);
        }
      },
    });
    await done;
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
  return summary;
}
