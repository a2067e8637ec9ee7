/**
 * End to end with BUS=kafka through a broker outage, on a private broker (own ports and data) so
 * the shared one stays up: while the broker is down the runtime answers 503 + Retry-After within
 * PUBLISH_TIMEOUT_MS and never 202, /readyz is 503, a runtime started during the outage serves
 * 503s too; when the broker is back both answer 202 again without a restart.
 */
import { postJson, type JsonResponse } from '../../../test/support/http';
import {
  createTopic,
  KAFKA_START_TIMEOUT_MS,
  readTopic,
  startPrivateKafka,
  uniqueTopic,
  type PrivateKafka,
} from '../../../test/support/kafka';
import { buildRuntimeBundle, startRuntime, type RunningRuntime } from '../../../test/support/runtime';
import { statusOf, until } from '../../../test/support/wait';

const API_KEY = 'e2e-api-key-of-at-least-32-characters';

const PUBLISH_TIMEOUT_MS = 2000;

let broker: PrivateKafka;
let topic: string;
let bundle: string;
let cleanup: () => void;
const procs: RunningRuntime[] = [];
const accepted: string[] = [];

/** A runtime on the private broker, resolved once it listens (its broker may be down). */
async function start(): Promise<RunningRuntime> {
  const p = await startRuntime({
    name: `e2e-outage-${procs.length + 1}`,
    bundle,
    kafka: { brokers: broker.brokers, topic },
    env: {
      WEBHOOK_VERIFY: 'api-key',
      WEBHOOK_SECRET: API_KEY,
      PUBLISH_TIMEOUT_MS: String(PUBLISH_TIMEOUT_MS),
      SHUTDOWN_TIMEOUT_MS: '3000',
    },
    ready: 'listening',
  });
  procs.push(p);
  return p;
}

async function post(base: string, clientId: string): Promise<JsonResponse> {
  const res = await postJson(
    `${base}/webhook`,
    { clientId, opportunity: { at: Date.now() } },
    { 'x-api-key': API_KEY },
  );
  if (res.status === 202) accepted.push(res.body['correlationId'] as string);
  return res;
}

const waitReady = (base: string, status: number, timeoutMs: number) =>
  until(
    async () => ((await statusOf(`${base}/readyz`)) === status ? true : undefined),
    timeoutMs,
    `/readyz ${status}`,
    200,
  );

/** Posts until one is accepted (the first after a recovery may still meet a stale connection). */
const until202 = (base: string, clientId: string, timeoutMs: number) =>
  until(async () => ((await post(base, clientId)).status === 202 ? true : undefined), timeoutMs, '202', 200);

function expectRefusedInTime(res: JsonResponse): void {
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
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await broker.destroy();
  cleanup();
}, 60_000);

describe('BUS=kafka through a broker outage', () => {
  let a: string; // started while the broker was up
  let b: string; // started during the outage

  test('broker up: 202 and /readyz 200', async () => {
    a = (await start()).url;
    await waitReady(a, 200, 20_000);
    expect((await post(a, 'before')).status).toBe(202);
  }, 60_000);

  test('broker killed: 503 with Retry-After within PUBLISH_TIMEOUT_MS, never 202; /readyz 503', async () => {
    await broker.stop({ kill: true });
    for (let i = 0; i < 5; i += 1) expectRefusedInTime(await post(a, 'during'));
    await waitReady(a, 503, 10_000);
  }, 60_000);

  test('a runtime started during the outage: /healthz 200, /readyz 503, POST 503 in time', async () => {
    const p = await start();
    b = p.url;
    expect((await fetch(`${b}/healthz`)).status).toBe(200);
    expect(await statusOf(`${b}/readyz`)).toBe(503);
    for (let i = 0; i < 3; i += 1) expectRefusedInTime(await post(b, 'during'));
    expect(p.logs.some((l) => l['msg'] === 'broker connected')).toBe(false);
  }, 60_000);

  test(
    'broker back: both runtimes are ready and answer 202 again, without a restart',
    async () => {
      await broker.start();
      await waitReady(a, 200, 30_000);
      await waitReady(b, 200, 30_000);
      await until202(a, 'after', 10_000);
      await until202(b, 'after', 10_000);
      expect(procs.every((p) => p.process.exitCode === null)).toBe(true);
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
