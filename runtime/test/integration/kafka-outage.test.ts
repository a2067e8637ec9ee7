/**
 * End to end with BUS=kafka through a broker outage, on a private broker (own ports and data) so
 * the shared one stays up: while the broker is down the runtime answers 503 + Retry-After within
 * PUBLISH_TIMEOUT_MS and never 202, /readyz is 503, a runtime started during the outage serves
 * 503s too; when the broker is back both answer 202 again without a restart.
 */
import {
  KAFKA_START_TIMEOUT_MS,
  startPrivateKafka,
  uniqueTopic,
  type PrivateKafka,
} from '../../../test/kafka/ensure-kafka';
import { createTopic, readTopic } from '../../../test/kafka/topic';
import {
  buildRuntimeBundle,
  postWebhook,
  readyStatus,
  startRuntime,
  untilAsync,
  type RuntimeProcess,
  type WebhookResponse,
} from './kafka-runtime';

const PUBLISH_TIMEOUT_MS = 2000;

let broker: PrivateKafka;
let topic: string;
let bundle: string;
let cleanup: () => void;
const procs: RuntimeProcess[] = [];
const accepted: string[] = [];

function start(): RuntimeProcess {
  const p = startRuntime(
    bundle,
    { brokers: broker.brokers, topic },
    { PUBLISH_TIMEOUT_MS: String(PUBLISH_TIMEOUT_MS), SHUTDOWN_TIMEOUT_MS: '3000' },
  );
  procs.push(p);
  return p;
}

async function post(base: string, clientId: string): Promise<WebhookResponse> {
  const res = await postWebhook(base, { clientId, opportunity: { at: Date.now() } });
  if (res.status === 202) accepted.push(res.body['correlationId'] as string);
  return res;
}

const waitReady = (base: string, status: number, timeoutMs: number) =>
  untilAsync(
    async () => ((await readyStatus(base)) === status ? true : undefined),
    timeoutMs,
    `/readyz ${status}`,
  );

/** Posts until one is accepted (the first after a recovery may still meet a stale connection). */
const until202 = (base: string, clientId: string, timeoutMs: number) =>
  untilAsync(async () => ((await post(base, clientId)).status === 202 ? true : undefined), timeoutMs, '202');

function expectRefusedInTime(res: WebhookResponse): void {
  expect(res.status).toBe(503);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  // The publish time-out plus slack for a busy 2-core machine.
  expect(res.elapsedMs).toBeLessThan(PUBLISH_TIMEOUT_MS + 1000);
}

beforeAll(async () => {
  ({ bundle, cleanup } = buildRuntimeBundle());
  broker = await startPrivateKafka('e2e-outage');
  topic = uniqueTopic('e2e-outage');
  await createTopic(broker.brokers, topic, 1);
}, KAFKA_START_TIMEOUT_MS);

afterAll(async () => {
  for (const p of procs) p.child.kill('SIGKILL');
  await broker.destroy();
  cleanup();
}, 60_000);

describe('BUS=kafka through a broker outage', () => {
  let a: string; // started while the broker was up
  let b: string; // started during the outage

  test('broker up: 202 and /readyz 200', async () => {
    a = await start().ready();
    await waitReady(a, 200, 20_000);
    expect((await post(a, 'before')).status).toBe(202);
  }, 60_000);

  test('broker killed: 503 with Retry-After within PUBLISH_TIMEOUT_MS, never 202; /readyz 503', async () => {
    await broker.stop({ kill: true });
    for (let i = 0; i < 5; i += 1) expectRefusedInTime(await post(a, 'during'));
    await waitReady(a, 503, 10_000);
  }, 60_000);

  test('a runtime started during the outage: /healthz 200, /readyz 503, POST 503 in time', async () => {
    const p = start();
    b = await p.ready();
    expect((await fetch(`${b}/healthz`)).status).toBe(200);
    expect(await readyStatus(b)).toBe(503);
    for (let i = 0; i < 3; i += 1) expectRefusedInTime(await post(b, 'during'));
    expect(p.lines.some((l) => l['msg'] === 'broker connected')).toBe(false);
  }, 60_000);

  test(
    'broker back: both runtimes are ready and answer 202 again, without a restart',
    async () => {
      await broker.start();
      await waitReady(a, 200, 30_000);
      await waitReady(b, 200, 30_000);
      await until202(a, 'after', 10_000);
      await until202(b, 'after', 10_000);
      expect(procs.every((p) => p.child.exitCode === null)).toBe(true);
    },
    KAFKA_START_TIMEOUT_MS,
  );

  test('the topic holds every accepted webhook and none of the refused ones', async () => {
    const stored = await readTopic(broker.brokers, topic, accepted.length + 1, 5000);
    const ids = stored.map((m) => m.headers['ce_id']);
    expect(ids.sort()).toEqual([...accepted].sort());
    expect(stored.every((m) => m.key !== 'during')).toBe(true);
  }, 60_000);
});
