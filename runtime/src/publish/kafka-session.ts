/**
 * One client session of the Kafka sender (./kafka.ts): an idempotent producer with its own producer
 * id, an admin for metadata checks, and a send queue that keeps one produce in flight at a time.
 *
 * Why one at a time: after a failed produce attempt kafkajs rewinds the partition's sequence number
 * and releases its broker lock before it retries, so a concurrent send can take the rewound
 * sequence. Had the failed request in fact been stored (a lost response), the broker would then
 * acknowledge that other batch as a duplicate without storing it: a 202 for a lost webhook.
 * Batches that arrive while one is in flight are merged into the next send (bounded by
 * `maxRequestBytes`), so the queue costs no throughput; and a session whose send ended with an
 * unknown outcome is retired, never reused (the next session gets a fresh producer id).
 */
import { CompressionTypes, type Admin, type Kafka, type Producer } from 'kafkajs';
import { JavaCompatiblePartitioner } from './kafka-partitioner';
import { toKafkaMessage } from './kafka-support';
import type { OutboundMessage } from './types';

/** One `sendBatch` call on its way through a session. */
export interface SendEntry {
  readonly messages: readonly OutboundMessage[];
  readonly bytes: number;
  state: 'waiting' | 'queued' | 'sending' | 'done';
  session?: KafkaSession;
  /** Settles the caller's promise (once). */
  finish(error?: unknown): void;
}

export interface SessionSettings {
  topic: string;
  requestTimeoutMs: number;
  /** Merged sends stay under this many bytes (a single larger batch travels alone). */
  maxRequestBytes: number;
  /** Called after every produce: ok, or the error and whether the broker definitely refused. */
  onResult(session: KafkaSession, error?: unknown): void;
}

export class KafkaSession {
  retired = false;
  /** Produce calls kafkajs has not settled yet (it may still be retrying after our caller gave up). */
  inFlight = 0;
  private readonly queue: SendEntry[] = [];
  private closing: Promise<void> | undefined;
  private markClosed!: () => void;
  /** Resolves once the session's connections are closed. */
  readonly closed = new Promise<void>((resolve) => {
    this.markClosed = resolve;
  });

  private constructor(
    readonly producer: Producer,
    readonly admin: Admin,
    private readonly settings: SessionSettings,
  ) {}

  /**
   * Connects an admin and a producer, checks that the topic exists (the admin never creates one),
   * and obtains a producer id; bounded by `attemptMs`.
   */
  static async open(kafka: Kafka, settings: SessionSettings, attemptMs: number): Promise<KafkaSession> {
    const admin = kafka.admin({ retry: { retries: 0 } });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1, // kafkajs keeps ordering with idempotence only with one per connection
      allowAutoTopicCreation: false,
      // murmur2 on the key, as the Java client: a clientId maps to the partition any Kafka tool
      // expects. Not kafkajs' DefaultPartitioner: its murmur2 is quadratic in the key length.
      createPartitioner: JavaCompatiblePartitioner,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    const steps = async () => {
      await admin.connect();
      await admin.fetchTopicMetadata({ topics: [settings.topic] }).catch((err: unknown) => {
        if ((err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
        throw new Error(
          `Kafka topic "${settings.topic}" does not exist; it is never auto-created (create it first: on Event Hubs, the event hub)`,
          { cause: err },
        );
      });
      await producer.connect(); // also InitProducerId: a fresh producer id per session
    };
    try {
      await withTimeout(steps(), attemptMs);
    } catch (err) {
      void Promise.allSettled([admin.disconnect(), producer.disconnect()]);
      throw err;
    }
    return new KafkaSession(producer, admin, settings);
  }

  enqueue(entry: SendEntry): void {
    entry.state = 'queued';
    entry.session = this;
    this.queue.push(entry);
    this.pump();
  }

  /** An entry aborted before it was sent leaves the queue: nothing of it reaches the broker. */
  withdraw(entry: SendEntry): void {
    const i = this.queue.indexOf(entry);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** Stops using this session; returns the entries still queued (never sent) for another session. */
  retire(): SendEntry[] {
    this.retired = true;
    const unsent = this.queue.splice(0);
    for (const e of unsent) e.state = 'waiting';
    if (this.inFlight === 0) void this.shut();
    return unsent;
  }

  /** A metadata request for the topic, bounded by `ms`. */
  async check(ms: number): Promise<void> {
    await withTimeout(this.admin.fetchTopicMetadata({ topics: [this.settings.topic] }), ms);
  }

  shut(): Promise<void> {
    this.retired = true;
    this.closing ??= Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]).then(() =>
      this.markClosed(),
    );
    return this.closing;
  }

  private pump(): void {
    if (this.inFlight > 0 || this.retired || this.queue.length === 0) return;
    const batch: SendEntry[] = [];
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as SendEntry;
      if (batch.length > 0 && bytes + next.bytes > this.settings.maxRequestBytes) break;
      this.queue.shift();
      batch.push(next);
      bytes += next.bytes;
    }
    for (const e of batch) e.state = 'sending';
    this.inFlight += 1;
    this.producer
      .send({
        topic: this.settings.topic,
        messages: batch.flatMap((e) => e.messages.map(toKafkaMessage)),
        acks: -1,
        timeout: this.settings.requestTimeoutMs,
        compression: CompressionTypes.GZIP,
      })
      .then(
        () => {
          for (const e of batch) e.finish();
          this.settings.onResult(this);
        },
        (err: unknown) => {
          for (const e of batch) e.finish(err);
          this.settings.onResult(this, err);
        },
      )
      .finally(() => {
        this.inFlight -= 1;
        if (this.retired) void this.shut();
        else this.pump();
      });
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return abortable(promise, AbortSignal.timeout(ms));
}
