/**
 * End to end with BUS=servicebus: the real runtime bundle as a process, the real @azure/service-bus
 * SDK inside it, over TCP to the Service Bus AMQP TEST PEER (test/servicebus-peer; no Service Bus
 * runs here, see docs/decisions/0003-servicebus-test-peer.md). Proves: 202 implies the peer holds
 * the message with the documented fields; refused, stalled or unreachable broker → 503 with
 * Retry-After within PUBLISH_TIMEOUT_MS, never 202; recovery → 202 again without a restart, also
 * for a runtime started while the broker was down; concurrent requests share broker transfers.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { postJson, type JsonResponse } from '../../../test/support/http';
import {
  buildRuntimeBundle,
  startRuntime as startRuntimeProcess,
  type RunningRuntime,
} from '../../../test/support/runtime';
import { startServiceBusTestPeer, type ServiceBusTestPeer } from '../../../test/support/servicebus';
import { statusOf, until } from '../../../test/support/wait';

const PUBLISH_TIMEOUT_MS = 2000;
const SECRET = 'e2e-github-secret';
const QUEUE = 'webhooks';

let peer: ServiceBusTestPeer;
let bundle: string;
let cleanup: () => void;
const runtimes: RunningRuntime[] = [];

/** Starts the runtime bundle with BUS=servicebus against `connectionString`; resolves its base URL once it listens. */
async function startRuntime(connectionString: string): Promise<string> {
  const runtime = await startRuntimeProcess({
    name: `servicebus-e2e-${runtimes.length + 1}`,
    bundle,
    env: {
      BUS: 'servicebus',
      SERVICEBUS_CONNECTION_STRING: connectionString,
      SERVICEBUS_QUEUE: QUEUE,
      WEBHOOK_VERIFY: 'github',
      WEBHOOK_SECRET: SECRET,
      LOG_LEVEL: 'info',
      PUBLISH_TIMEOUT_MS: String(PUBLISH_TIMEOUT_MS),
      SHUTDOWN_TIMEOUT_MS: '3000',
    },
    ready: 'listening',
    readyTimeoutMs: 15_000,
  });
  runtimes.push(runtime);
  return runtime.url;
}

/** A GitHub-signed webhook (X-Hub-Signature-256 over the raw body, X-GitHub-Delivery id). */
async function post(
  base: string,
  clientId: string,
  delivery = randomUUID(),
  padding = '',
): Promise<JsonResponse> {
  const fields = { clientId, opportunity: { stage: 'new', amount: 42 }, extra: 'kept' };
  const payload = padding === '' ? fields : { ...fields, padding };
  // postJson sends JSON.stringify(payload): the same bytes are signed here.
  const signature = `sha256=${createHmac('sha256', SECRET).update(JSON.stringify(payload)).digest('hex')}`;
  return postJson(`${base}/webhook`, payload, {
    'x-hub-signature-256': signature,
    'x-github-delivery': delivery,
  });
}

function expectRefusedInTime(res: JsonResponse): void {
  expect(res.status).toBe(503);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  // The publish time-out plus slack for a busy 2-core machine.
  expect(res.elapsedMs).toBeLessThan(PUBLISH_TIMEOUT_MS + 1000);
}

const waitReady = (base: string, status: number, timeoutMs: number): Promise<boolean> =>
  until(
    async () => ((await statusOf(`${base}/readyz`)) === status ? true : undefined),
    timeoutMs,
    `/readyz ${status}`,
    200,
  );

/** The first request after a recovery may still meet the failed link: post until one is accepted. */
const until202 = (base: string, clientId: string): Promise<JsonResponse> =>
  until(
    async () => {
      const res = await post(base, clientId);
      return res.status === 202 ? res : undefined;
    },
    10_000,
    '202',
    200,
  );

function correlationIds(): string[] {
  return peer.received.map((m) => String(m.correlationId));
}

beforeAll(async () => {
  ({ bundle, cleanup } = buildRuntimeBundle());
  peer = await startServiceBusTestPeer({ entities: [QUEUE] });
}, 60_000);

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.kill('SIGKILL')));
  await peer.close();
  cleanup();
});

describe('BUS=servicebus end to end against the Service Bus test peer', () => {
  let base: string;

  test('202 implies the peer holds the message with the documented fields', async () => {
    base = await startRuntime(peer.connectionString);
    await waitReady(base, 200, 10_000);
    const delivery = randomUUID();
    const res = await post(base, 'client-a', delivery);
    expect(res.status).toBe(202);
    const correlationId = res.body['correlationId'] as string;
    expect(res.headers.get('x-correlation-id')).toBe(correlationId);

    const stored = peer.received.find((m) => m.correlationId === correlationId);
    expect(stored).toBeDefined();
    expect(stored).toMatchObject({
      entity: QUEUE,
      messageId: delivery,
      subject: 'webhook',
      contentType: 'application/json',
    });
    // The sender's bytes, unchanged; the correlationId and receive time travel as properties.
    expect(stored?.body.toString('utf8')).toBe(
      JSON.stringify({ clientId: 'client-a', opportunity: { stage: 'new', amount: 42 }, extra: 'kept' }),
    );
    expect(stored?.applicationProperties).toEqual({
      cloudEvents_specversion: '1.0',
      cloudEvents_id: correlationId,
      cloudEvents_source: '/webhooks/github',
      cloudEvents_type: 'com.cdktf-azure-webhooks.webhook.received',
      cloudEvents_time: expect.any(Date),
      cloudEvents_subject: 'client-a',
    });
  }, 60_000);

  test('peer refusing: 503 + Retry-After within PUBLISH_TIMEOUT_MS, never 202, nothing stored; then 202 again', async () => {
    const before = peer.received.length;
    peer.refuse('amqp:internal-error', 'test peer refuses');
    for (let i = 0; i < 3; i += 1) expectRefusedInTime(await post(base, 'refused'));
    expect(peer.received).toHaveLength(before);
    await peer.recover();
    const res = await until202(base, 'after-refuse');
    expect(correlationIds()).toContain(res.body['correlationId']);
  }, 60_000);

  test('peer stalled: 503 + Retry-After within PUBLISH_TIMEOUT_MS, never 202; then 202 again', async () => {
    const before = peer.received.length;
    peer.stall();
    for (let i = 0; i < 2; i += 1) expectRefusedInTime(await post(base, 'stalled'));
    expect(peer.received).toHaveLength(before);
    await peer.recover();
    const res = await until202(base, 'after-stall');
    expect(correlationIds()).toContain(res.body['correlationId']);
  }, 60_000);

  test('peer unreachable: /readyz 503 and 503 in time; back: /readyz 200 and 202 without a restart', async () => {
    await peer.goOffline();
    await waitReady(base, 503, 5000);
    for (let i = 0; i < 3; i += 1) expectRefusedInTime(await post(base, 'offline'));
    await peer.recover();
    await waitReady(base, 200, 15_000);
    const res = await until202(base, 'after-offline');
    expect(correlationIds()).toContain(res.body['correlationId']);
  }, 60_000);

  test('a runtime started while the broker is down serves 503, then 202 once it is up', async () => {
    await peer.goOffline();
    const late = await startRuntime(peer.connectionString);
    expect((await fetch(`${late}/healthz`)).status).toBe(200);
    expect(await statusOf(`${late}/readyz`)).toBe(503);
    expectRefusedInTime(await post(late, 'late-offline'));
    await peer.recover();
    await waitReady(late, 200, 15_000);
    const res = await until202(late, 'late-after');
    expect(correlationIds()).toContain(res.body['correlationId']);
  }, 60_000);

  test('N concurrent requests: all 202, all stored, in fewer than N broker transfers', async () => {
    const N = 50;
    // The previous outage also cut this runtime off; it must be back before the burst.
    await waitReady(base, 200, 15_000);
    const transfersBefore = peer.transfers.length;
    const results = await Promise.all(Array.from({ length: N }, (_, i) => post(base, `burst-${i}`)));
    expect(results.map((r) => r.status)).toEqual(Array<number>(N).fill(202));
    const ids = correlationIds();
    for (const r of results) expect(ids).toContain(r.body['correlationId']);
    const transfers = peer.transfers.slice(transfersBefore);
    expect(transfers.reduce((sum, t) => sum + t.messageCount, 0)).toBe(N);
    expect(transfers.length).toBeLessThan(N);
  }, 60_000);

  test('a message over the Service Bus max message size → 413; the webhooks sent with it → 202', async () => {
    await waitReady(base, 200, 15_000);
    // 300 KB: under MAX_BODY_BYTES (1 MiB), over Standard's 256 KiB max message (MAX_MESSAGE_BYTES).
    const [big, ...small] = await Promise.all([
      post(base, 'oversized', randomUUID(), 'x'.repeat(300_000)),
      ...Array.from({ length: 5 }, (_, i) => post(base, `beside-oversized-${i}`)),
    ]);
    expect(big?.status).toBe(413);
    expect(big?.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(big?.body).toMatchObject({ status: 413, reason: 'message-too-large', maxMessageBytes: 258_048 });
    expect(small.map((r) => r.status)).toEqual(Array<number>(5).fill(202));
    const ids = correlationIds();
    for (const r of small) expect(ids).toContain(r.body['correlationId']);
    expect(ids).not.toContain(big?.body['correlationId']);
  }, 30_000);

  test('every message the peer holds was answered 202 (none from refused, stalled or offline requests)', () => {
    const clientIds = peer.received.map(
      (m) => (JSON.parse(m.body.toString('utf8')) as { clientId: string }).clientId,
    );
    for (const refused of ['refused', 'stalled', 'offline', 'late-offline', 'oversized'])
      expect(clientIds).not.toContain(refused);
  });
});
