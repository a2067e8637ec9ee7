/**
 * A provider's retry of the same delivery (same X-GitHub-Delivery, same body, same signature) sent
 * twice to POST /webhooks/github on the real runtime process: on Service Bus (the AMQP TEST PEER
 * with duplicate detection, as the namespace has it) the entity holds it ONCE, with messageId
 * `github:<delivery>`; on real Kafka both records carry the same `webhook_delivery_id` and `ce_id`
 * (consumers de-duplicate on them) and their own `correlation_id`.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { postJson } from '../../../test/support/http';
import {
  createTopic,
  ensureKafka,
  KAFKA_START_TIMEOUT_MS,
  readTopic,
  uniqueTopic,
} from '../../../test/support/kafka';
import { buildRuntimeBundle, startRuntime, type RunningRuntime } from '../../../test/support/runtime';
import { startServiceBusTestPeer, type ServiceBusTestPeer } from '../../../test/support/servicebus';

const SECRET = 'dedup-github-source-secret';
const SOURCES_ENV = {
  WEBHOOK_VERIFY: 'none',
  WEBHOOK_SOURCES: JSON.stringify([
    { name: 'github', verify: 'github', secrets: [{ env: 'WEBHOOK_SOURCE_GITHUB_SECRET_0' }] },
  ]),
  WEBHOOK_SOURCE_GITHUB_SECRET_0: SECRET,
  LOG_LEVEL: 'info',
  SHUTDOWN_TIMEOUT_MS: '3000',
};

const payload = { action: 'opened', issue: { number: 7 } };

/** One GitHub delivery: the retry is byte for byte the same request. */
function delivery(base: string, id: string) {
  const signature = `sha256=${createHmac('sha256', SECRET).update(JSON.stringify(payload)).digest('hex')}`;
  return () =>
    postJson(`${base}/webhooks/github`, payload, {
      'x-hub-signature-256': signature,
      'x-github-delivery': id,
      'x-github-event': 'issues',
    });
}

let bundle: string;
let cleanup: () => void;

beforeAll(() => {
  ({ bundle, cleanup } = buildRuntimeBundle());
});
afterAll(() => cleanup());

describe('a provider retry of the same delivery', () => {
  let runtime: RunningRuntime | undefined;
  let peer: ServiceBusTestPeer | undefined;

  afterEach(async () => {
    await runtime?.kill('SIGTERM');
    await peer?.close();
    runtime = undefined;
    peer = undefined;
  });

  test('Service Bus (test peer with duplicate detection) records it once, as github:<delivery id>', async () => {
    peer = await startServiceBusTestPeer({ entities: ['webhooks'], duplicateDetection: true });
    runtime = await startRuntime({
      name: 'sources-dedup-servicebus',
      bundle,
      env: {
        BUS: 'servicebus',
        SERVICEBUS_CONNECTION_STRING: peer.connectionString,
        SERVICEBUS_QUEUE: 'webhooks',
        ...SOURCES_ENV,
      },
      ready: 'listening',
      readyTimeoutMs: 15_000,
    });
    const id = randomUUID();
    const send = delivery(runtime.url, id);
    const first = await send();
    const retry = await send();
    expect([first.status, retry.status]).toEqual([202, 202]);
    expect(peer.received.map((m) => m.messageId)).toEqual([`github:${id}`]);
    expect(peer.duplicatesDropped).toBe(1);
    expect(peer.received[0]?.correlationId).toBe((first.body as { correlationId: string }).correlationId);
  }, 60_000);

  test(
    'Kafka keeps both records with the same webhook_delivery_id and ce_id',
    async () => {
      const { brokers } = await ensureKafka();
      const topic = uniqueTopic('sources-dedup');
      await createTopic(brokers, topic);
      runtime = await startRuntime({
        name: 'sources-dedup-kafka',
        bundle,
        kafka: { brokers, topic },
        env: SOURCES_ENV,
      });
      const id = randomUUID();
      const send = delivery(runtime.url, id);
      const responses = [await send(), await send()];
      expect(responses.map((r) => r.status)).toEqual([202, 202]);
      const records = await readTopic(brokers, topic, 2, 10_000);
      expect(
        records.map((r) => [r.headers['webhook_delivery_id'], r.headers['ce_id'], r.headers['ce_source']]),
      ).toEqual([
        [id, `github:${id}`, '/webhooks/github'],
        [id, `github:${id}`, '/webhooks/github'],
      ]);
      expect(records.map((r) => r.headers['correlation_id'])).toEqual(
        responses.map((r) => (r.body as { correlationId: string }).correlationId),
      );
      expect(records.map((r) => r.value)).toEqual([JSON.stringify(payload), JSON.stringify(payload)]);
    },
    KAFKA_START_TIMEOUT_MS + 60_000,
  );
});
