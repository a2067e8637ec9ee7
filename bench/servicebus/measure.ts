/**
 * One measured run of the runtime's real Service Bus publish path: createPublisher (the batcher)
 * over the Service Bus adapter (real @azure/service-bus SDK), over a real loopback socket, against
 * the AMQP TEST PEER in another process (test/support/servicebus.ts). Closed loop: `concurrency` workers each
 * publish, await the acknowledgement, publish again, until `messages` were published.
 *
 * Batching efficiency = messages the peer accepted / AMQP transfers it received (one transfer is
 * one SDK `sendMessages`, i.e. one broker round trip). Variant `unbatched` is the floor beside it:
 * the same path with the batcher limited to one message per send (no linger).
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import {
  PUBLISH_LINGER_MS,
  PUBLISH_MAX_CONCURRENT_BATCHES,
  PUBLISH_MAX_BATCH_BYTES,
  PUBLISH_MAX_BATCH_MESSAGES,
} from '../../runtime/src/config';
import { createPublisher, type PublisherOptions } from '../../runtime/src/publish/batcher';
import { createServiceBusSender } from '../../runtime/src/publish/servicebus';
import type { OutboundMessage } from '../../runtime/src/publish/types';
import type { PeerStats } from '../../test/support/servicebus';

export type Variant = 'batched' | 'unbatched';

export interface RunSpec {
  readonly variant: Variant;
  readonly concurrency: number;
  readonly messages: number;
  readonly connectionString: string;
  readonly entity: string;
  /** Reads the peer's counters (over IPC). */
  readonly peerStats: () => Promise<PeerStats>;
}

export interface RunResult {
  readonly variant: Variant;
  readonly concurrency: number;
  readonly messages: number;
  readonly failures: number;
  /** AMQP transfers the peer received during the run (broker round trips). */
  readonly transfers: number;
  /** Messages the peer accepted during the run. */
  readonly peerMessages: number;
  readonly messagesPerRoundTrip: number;
  /** `sendBatch` calls the publisher made (a call may take more than one transfer). */
  readonly publisherBatches: number;
  readonly elapsedMs: number;
  readonly throughputPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
}

const logger = pino({ level: 'silent' });

/** The runtime's own publisher defaults (runtime/src/config.ts); `unbatched` sends one at a time. */
export function publisherOptions(variant: Variant): PublisherOptions {
  return {
    lingerMs: variant === 'batched' ? PUBLISH_LINGER_MS : 0,
    maxConcurrentBatches: variant === 'batched' ? PUBLISH_MAX_CONCURRENT_BATCHES.servicebus : 64,
    maxBatchMessages: variant === 'batched' ? PUBLISH_MAX_BATCH_MESSAGES : 1,
    maxBatchBytes: PUBLISH_MAX_BATCH_BYTES,
    maxInFlight: 10_000,
    timeoutMs: 10_000,
  };
}

/** A webhook as the runtime builds it: ~1 KB JSON body, CloudEvents attributes. */
export function benchMessage(seq: number): OutboundMessage {
  const correlationId = randomUUID();
  const receivedAt = new Date().toISOString();
  const clientId = `client-${String(seq % 100).padStart(4, '0')}`;
  const body = {
    clientId,
    opportunity: {
      id: `opp-${seq}`,
      stage: 'qualified',
      amount: 125000,
      currency: 'EUR',
      notes: 'x'.repeat(700),
    },
    correlationId,
    receivedAt,
  };
  return {
    key: clientId,
    messageId: correlationId,
    correlationId,
    body: Buffer.from(JSON.stringify(body)),
    cloudEvent: {
      specversion: '1.0',
      id: correlationId,
      source: '/webhooks/bench',
      type: 'com.cdktf-azure-webhooks.webhook.received',
      time: receivedAt,
      subject: clientId,
      datacontenttype: 'application/json',
    },
  };
}

/** Nearest-rank percentile; NaN for an empty list. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export async function measureRun(spec: RunSpec): Promise<RunResult> {
  const sender = createServiceBusSender(
    {
      connection: { kind: 'connectionString', connectionString: spec.connectionString },
      entityName: spec.entity,
    },
    logger,
  );
  await sender.connect(); // link open and CBS token: not part of the measure
  let publisherBatches = 0;
  const publisher = createPublisher(sender, publisherOptions(spec.variant), logger, {
    onBatch: () => {
      publisherBatches += 1;
    },
  });
  // Warm-up (JIT, link credit): a few publishes, not counted.
  await Promise.all(
    Array.from({ length: Math.min(20, spec.concurrency) }, (_, i) => publisher.publish(benchMessage(i))),
  );
  publisherBatches = 0;
  const before = await spec.peerStats();
  const latencies: number[] = [];
  let issued = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (issued < spec.messages) {
      issued += 1;
      const message = benchMessage(issued);
      const t0 = performance.now();
      try {
        await publisher.publish(message);
        latencies.push(performance.now() - t0);
      } catch {
        failures += 1;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: spec.concurrency }, () => worker()));
  const elapsedMs = performance.now() - started;
  await publisher.close(AbortSignal.timeout(5000));
  const after = await spec.peerStats();
  const transfers = after.transfers - before.transfers;
  const peerMessages = after.messages - before.messages;
  latencies.sort((a, b) => a - b);
  return {
    variant: spec.variant,
    concurrency: spec.concurrency,
    messages: spec.messages,
    failures,
    transfers,
    peerMessages,
    messagesPerRoundTrip: transfers === 0 ? 0 : peerMessages / transfers,
    publisherBatches,
    elapsedMs,
    throughputPerSecond: (latencies.length * 1000) / elapsedMs,
    latencyP50Ms: nearestRank(latencies, 50),
    latencyP99Ms: nearestRank(latencies, 99),
  };
}
