/**
 * The Service Bus adapter with the real @azure/service-bus SDK over a real TCP socket, against the
 * AMQP 1.0 test peer in test/servicebus-peer (no Service Bus can run here; see
 * docs/decisions/0003-servicebus-test-peer.md for what that does and does not prove).
 */
import pino from 'pino';
import { startServiceBusTestPeer, type ServiceBusTestPeer } from '../../../test/servicebus-peer';
import {
  createServiceBusClient,
  createServiceBusSender,
  serviceBusMessageId,
  toServiceBusMessage,
} from './servicebus';
import { createRuntime } from '../http/node-listener';
import { SECRET, webhook } from '../http/test-fixtures';
import { createVerifier } from '../verify';
import { createPublisher } from './batcher';
import { outbound } from './servicebus-test-messages';
import type { BrokerSender, OutboundMessage } from './types';

const logger = pino({ level: 'silent' });
const BATCH_FORMAT = 0x80013700;

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('createServiceBusSender against the Service Bus test peer', () => {
  let peer: ServiceBusTestPeer;
  let sender: BrokerSender;

  beforeEach(async () => {
    peer = await startServiceBusTestPeer({ entities: ['webhooks'] });
    sender = createServiceBusSender(
      {
        connection: { kind: 'connectionString', connectionString: peer.connectionString },
        entityName: 'webhooks',
      },
      logger,
    );
  });

  afterEach(async () => {
    await sender.close();
    await peer.close();
  });

  it('connect() opens the link and isConnected() turns true', async () => {
    expect(sender.isConnected()).toBe(false);
    await sender.connect();
    expect(sender.isConnected()).toBe(true);
    expect(peer.cbsRequests.map((r) => r.statusCode)).toEqual([202]);
  });

  it('delivers every field of every message exactly, in one transfer', async () => {
    await sender.connect();
    const messages = [outbound(1), outbound(2, { messageId: 'x'.repeat(200) }), outbound(3)];
    await sender.sendBatch(messages, AbortSignal.timeout(4000));

    expect(peer.transfers).toEqual([expect.objectContaining({ format: BATCH_FORMAT, messageCount: 3 })]);
    expect(peer.received).toHaveLength(3);
    peer.received.forEach((got, i) => {
      const sent = messages[i] as OutboundMessage;
      expect(got.entity).toBe('webhooks');
      expect(got.body.equals(sent.body)).toBe(true);
      expect(JSON.parse(got.body.toString('utf8'))).toEqual(JSON.parse(sent.body.toString('utf8')));
      expect(got.messageId).toBe(serviceBusMessageId(sent.messageId));
      expect(got.correlationId).toBe(sent.correlationId);
      expect(got.subject).toBe('webhook');
      expect(got.contentType).toBe('application/json');
      expect(got.applicationProperties).toEqual({
        cloudEvents_specversion: '1.0',
        cloudEvents_id: sent.correlationId,
        cloudEvents_source: '/webhooks/github',
        cloudEvents_type: 'com.cdktf-azure-webhooks.webhook.received',
        cloudEvents_time: new Date(sent.cloudEvent.time),
        cloudEvents_subject: sent.key,
      });
    });
    expect(peer.received[1]?.messageId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('splits a batch over the link max message size into several transfers, all delivered in order', async () => {
    await sender.connect();
    const messages = Array.from({ length: 40 }, (_, i) => outbound(i, {}, 10 * 1024));
    await sender.sendBatch(messages, AbortSignal.timeout(4000));

    expect(peer.transfers.length).toBeGreaterThanOrEqual(2);
    for (const transfer of peer.transfers) expect(transfer.bytes).toBeLessThanOrEqual(256 * 1024);
    expect(peer.transfers.reduce((sum, t) => sum + t.messageCount, 0)).toBe(40);
    expect(peer.received.map((m) => m.messageId)).toEqual(messages.map((m) => m.messageId));
  });

  it('refuses only the message larger than the entity allows: its batch neighbours are delivered, the broker stays up', async () => {
    await sender.connect();
    const tooBig = outbound(1, {}, 300 * 1024);
    const outcome = await sender.sendBatch([outbound(0), tooBig, outbound(2)], AbortSignal.timeout(4000));
    expect(outcome).toEqual({ tooLarge: [tooBig] });
    expect(peer.received.map((m) => m.messageId)).toEqual(['delivery-0', 'delivery-2']);
    expect(sender.isConnected()).toBe(true);
  });

  it('counts a message as the SDK does against the link max, traced or not: never less, at most 256 bytes more', async () => {
    await sender.connect();
    const client = createServiceBusClient({
      connection: { kind: 'connectionString', connectionString: peer.connectionString },
      entityName: 'webhooks',
    });
    try {
      const sdk = client.createSender('webhooks');
      const cases: OutboundMessage[] = [
        outbound(1),
        outbound(2, {}, 100 * 1024),
        outbound(3, { key: 'k'.repeat(256) }, 200),
        outbound(4, { messageId: 'm'.repeat(128) }, 250),
      ];
      for (const clientId of ['k'.repeat(256), '😀'.repeat(256), 'é'.repeat(120)]) {
        const m = outbound(5, {}, 1000);
        cases.push({ ...m, key: clientId, cloudEvent: { ...m.cloudEvent, subject: clientId } });
      }
      // With a recorded trace the SDK adds a Diagnostic-Id (W3C traceparent) application property.
      const traced = (m: OutboundMessage) => {
        const sb = toServiceBusMessage(m);
        const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
        return {
          ...sb,
          applicationProperties: { ...sb.applicationProperties, 'Diagnostic-Id': traceparent },
        };
      };
      for (const m of cases) {
        for (const sb of [toServiceBusMessage(m), traced(m)]) {
          const batch = await sdk.createMessageBatch();
          expect(batch.tryAddMessage(sb)).toBe(true);
          const counted = sender.messageBytes?.(m) ?? 0;
          expect(counted).toBeGreaterThanOrEqual(batch.sizeInBytes);
          expect(counted - batch.sizeInBytes).toBeLessThanOrEqual(256);
        }
      }
    } finally {
      await client.close();
    }
  });

  it('rejects when the broker refuses the transfer, and stores nothing', async () => {
    await sender.connect();
    peer.refuse('amqp:resource-limit-exceeded', 'namespace quota');
    await expect(sender.sendBatch([outbound(1)], AbortSignal.timeout(4000))).rejects.toMatchObject({
      code: 'QuotaExceeded',
    });
    expect(peer.received).toHaveLength(0);
    expect(peer.transfers.every((t) => t.outcome === 'rejected')).toBe(true);
  });

  it('rejects on abort when the broker never settles (stall)', async () => {
    await sender.connect();
    peer.stall();
    await expect(sender.sendBatch([outbound(1)], AbortSignal.timeout(300))).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(peer.received).toHaveLength(0);
    expect(peer.transfers.map((t) => t.outcome)).toEqual(['stalled']);
  });

  it('a dropped connection turns isConnected() false, then reopens by itself and sends again', async () => {
    await sender.connect();
    const connectionsBefore = peer.connectionCount;
    peer.dropConnections();
    await eventually(() => !sender.isConnected());
    await eventually(() => sender.isConnected());
    expect(peer.connectionCount).toBe(connectionsBefore + 1);
    await sender.sendBatch([outbound(1)], AbortSignal.timeout(4000));
    expect(peer.received).toHaveLength(1);
  });

  it('connect() rejects fast while the broker is unreachable; recovers without a new sender once it is back', async () => {
    await peer.goOffline();
    await expect(sender.connect()).rejects.toThrow();
    expect(sender.isConnected()).toBe(false);
    await expect(sender.sendBatch([outbound(1)], AbortSignal.timeout(500))).rejects.toThrow();
    await peer.recover();
    await eventually(() => sender.isConnected(), 8000);
    await sender.sendBatch([outbound(2)], AbortSignal.timeout(4000));
    expect(peer.received.map((m) => m.messageId)).toEqual(['delivery-2']);
  });

  it('refuses to send after close()', async () => {
    await sender.connect();
    await sender.close();
    expect(sender.isConnected()).toBe(false);
    await expect(sender.sendBatch([outbound(1)], AbortSignal.timeout(1000))).rejects.toThrow(/closed/);
  });
});

describe('the webhook core over the Service Bus adapter and the test peer', () => {
  it('answers 413 for the webhook too large for the link and 202 for the 99 others batched with it', async () => {
    const peer = await startServiceBusTestPeer({ entities: ['webhooks'] }); // 262,144-byte link
    const sender = createServiceBusSender(
      {
        connection: { kind: 'connectionString', connectionString: peer.connectionString },
        entityName: 'webhooks',
      },
      logger,
    );
    try {
      await sender.connect();
      const publisher = createPublisher(
        sender,
        {
          lingerMs: 20,
          maxConcurrentBatches: 4,
          maxBatchMessages: 256,
          maxBatchBytes: 900_000,
          maxInFlight: 1000,
          timeoutMs: 4000,
        },
        logger,
      );
      // MAX_MESSAGE_BYTES set to the entity's max message size, as for a Premium entity.
      const { app } = createRuntime({
        maxBodyBytes: 1_048_576,
        maxMessageBytes: 262_144,
        verifier: createVerifier('github', [SECRET]),
        publisher,
        logger,
      });
      // The body alone fits; with the clientId again as cloudEvents_subject (and the SDK's batch
      // envelope copying the first message's properties) the message does not.
      const prefix = `{"clientId":"${'k'.repeat(256)}","opportunity":{"pad":"`;
      const oversized = `${prefix}${'x'.repeat(262_000 - prefix.length - 3)}"}}`;
      const normal = (i: number) => JSON.stringify({ clientId: `client-${i}`, opportunity: { id: i } });
      const bodies = Array.from({ length: 100 }, (_, i) => (i === 37 ? oversized : normal(i)));
      const statuses = await Promise.all(
        bodies.map(async (body) => (await app.request('/webhook', webhook(body))).status),
      );
      const others = statuses.filter((_, i) => i !== 37);
      expect({ oversized: statuses[37], othersAccepted: others.filter((s) => s === 202).length }).toEqual({
        oversized: 413,
        othersAccepted: 99,
      });
      expect(peer.received).toHaveLength(99);
      expect(peer.received.some((m) => m.body.length > 1000)).toBe(false);
      await publisher.close();
    } finally {
      await sender.close();
      await peer.close();
    }
  });
});
