/**
 * End to end with BUS=kafka: the real runtime process (the esbuild bundle) against the real
 * Apache Kafka (test/kafka/kafka.sh). A 202 means the message is in the topic with the documented
 * key, body and CloudEvents headers; a non-2xx means it is not; SIGTERM during load loses no
 * accepted request and the process exits 0.
 */
import { postJson } from '../../../test/support/http';
import {
  createTopic,
  ensureKafka,
  KAFKA_START_TIMEOUT_MS,
  readTopic,
  uniqueTopic,
  type ReadMessage,
} from '../../../test/support/kafka';
import { buildRuntimeBundle, startRuntime, type RunningRuntime } from '../../../test/support/runtime';
import { until } from '../../../test/support/wait';

const API_KEY = 'e2e-api-key-of-at-least-32-characters';
const API_KEY_ENV = { WEBHOOK_VERIFY: 'api-key', WEBHOOK_SECRET: API_KEY };
const postWebhook = (base: string, payload: unknown) =>
  postJson(`${base}/webhook`, payload, { 'x-api-key': API_KEY });

let brokers: string[];
let bundle: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ bundle, cleanup } = buildRuntimeBundle());
  ({ brokers } = await ensureKafka());
}, KAFKA_START_TIMEOUT_MS);

afterAll(() => cleanup());

const byCorrelationId = (messages: ReadMessage[]) => new Map(messages.map((m) => [m.headers['ce_id'], m]));

describe('BUS=kafka, broker up', () => {
  let topic: string;
  let proc: RunningRuntime;
  let base: string;

  beforeAll(async () => {
    topic = uniqueTopic('e2e-roundtrip');
    await createTopic(brokers, topic);
    // Ready = listening and /readyz 200 (broker connected).
    proc = await startRuntime({ name: 'e2e-roundtrip', bundle, kafka: { brokers, topic }, env: API_KEY_ENV });
    base = proc.url;
  }, 60_000);

  afterAll(async () => {
    await proc.kill('SIGTERM');
  });

  test('every 202 is in the topic: key = clientId, JSON body, ce_* headers; rejected requests are not', async () => {
    const payloads = [
      { clientId: 'acme', opportunity: { id: 1, amount: 120.5 }, source: 'crm' },
      { clientId: 'globex', opportunity: { id: 2, stage: 'won' } },
      { clientId: 'acme', opportunity: { id: 3 } },
    ];
    const accepted = [];
    for (const p of payloads) {
      const res = await postWebhook(base, p);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ status: 'accepted', correlationId: expect.any(String) });
      expect(res.headers.get('x-correlation-id')).toBe(res.body['correlationId']);
      accepted.push({ payload: p, correlationId: res.body['correlationId'] as string });
    }
    // Refused before the broker: 422 (schema) and 401 (key) must leave nothing in the topic.
    expect((await postWebhook(base, { clientId: '', opportunity: {} })).status).toBe(422);
    const unauthorised = await fetch(`${base}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'wrong' },
      body: JSON.stringify({ clientId: 'mallory', opportunity: { id: 9 } }),
    });
    expect(unauthorised.status).toBe(401);

    // Ask for one more than accepted: only the accepted ones may arrive.
    const stored = await readTopic(brokers, topic, accepted.length + 1, 5000);
    expect(stored).toHaveLength(accepted.length);
    const index = byCorrelationId(stored);
    for (const { payload, correlationId } of accepted) {
      const m = index.get(correlationId);
      expect(m).toBeDefined();
      expect(m?.key).toBe(payload.clientId);
      // The sender's bytes, unchanged; the correlationId and receive time are the ce_id/ce_time headers.
      expect(m?.value).toBe(JSON.stringify(payload));
      expect(m?.headers).toEqual({
        ce_specversion: '1.0',
        ce_id: correlationId,
        ce_source: '/webhooks/api-key',
        ce_type: 'com.cdktf-azure-webhooks.webhook.received',
        ce_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        ce_subject: payload.clientId,
        'content-type': 'application/json',
      });
    }
  }, 60_000);
});

describe('BUS=kafka, SIGTERM during load', () => {
  test('no accepted request is lost, only 202 or 503 answered, exit 0 within SHUTDOWN_TIMEOUT_MS', async () => {
    const topic = uniqueTopic('e2e-sigterm');
    await createTopic(brokers, topic);
    const proc = await startRuntime({
      name: 'e2e-sigterm',
      bundle,
      kafka: { brokers, topic },
      env: { ...API_KEY_ENV, SHUTDOWN_TIMEOUT_MS: '5000' },
    });
    try {
      const base = proc.url;

      const accepted: string[] = [];
      const statuses = new Map<number, number>();
      let stop = false;
      let sent = 0;
      const worker = async (w: number): Promise<void> => {
        // Bounded: at most 2000 requests in all, and the loop ends with the process.
        while (!stop && sent < 2000) {
          sent += 1;
          try {
            const res = await postWebhook(base, { clientId: `client-${w}`, opportunity: { n: sent } });
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status === 202) accepted.push(res.body['correlationId'] as string);
          } catch {
            statuses.set(0, (statuses.get(0) ?? 0) + 1); // refused once the listener closed
            await new Promise((r) => setTimeout(r, 5));
          }
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
      await until(() => (accepted.length >= 100 ? true : undefined), 20_000, '100 accepted requests');
      const signalled = Date.now();
      proc.process.kill('SIGTERM');
      const { code } = await proc.exited;
      const exitedAfterMs = Date.now() - signalled;
      stop = true;
      await load;

      expect(code).toBe(0);
      expect(exitedAfterMs).toBeLessThan(5000);
      expect([...statuses.keys()].filter((s) => s !== 202 && s !== 503 && s !== 0)).toEqual([]);
      const stored = await readTopic(brokers, topic, accepted.length + 1, 5000);
      const index = byCorrelationId(stored);
      expect(accepted.filter((id) => !index.has(id))).toEqual([]);
      // 503s during the drain were refused before the broker: nothing but the 202s is stored.
      expect(stored).toHaveLength(accepted.length);
      expect(proc.logs.some((l) => l['msg'] === 'shut down' && l['clean'] === true)).toBe(true);
    } finally {
      await proc.kill('SIGKILL');
    }
  }, 90_000);
});
