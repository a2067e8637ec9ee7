/**
 * The proxy in front of two REAL webhook runtimes (runtime/dist/server.js) publishing to a REAL
 * Kafka (test/kafka/kafka.sh): least_conn spreads load over both; one runtime killed → requests
 * keep succeeding through the other and no request reaches two runtimes (each message is on the
 * topic exactly once); the request id NGINX logs is the one the runtime logs.
 */
import { postWebhook, type HttpResponse } from '../../test/support/http';
import { createTopic, ensureKafka, readTopic, uniqueTopic } from '../../test/support/kafka';
import { startNginx, type RunningNginx } from '../../test/support/nginx';
import { startRuntime, type RunningRuntime } from '../../test/support/runtime';
import { sleep } from '../../test/support/wait';

jest.setTimeout(300_000);

describe('NGINX in front of two real runtimes on Kafka', () => {
  const topic = uniqueTopic('nginx-path');
  let brokers: string[];
  let one: RunningRuntime;
  let two: RunningRuntime;
  let nginx: RunningNginx;
  const accepted: HttpResponse[] = [];

  beforeAll(async () => {
    ({ brokers } = await ensureKafka());
    await createTopic(brokers, topic);
    [one, two] = await Promise.all([
      startRuntime({ name: 'runtime-one', kafka: { brokers, topic } }),
      startRuntime({ name: 'runtime-two', kafka: { brokers, topic } }),
    ]);
    nginx = await startNginx({ upstreams: [one.address, two.address] });
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all([one?.kill(), two?.kill()]);
  });

  it('spreads concurrent webhooks over both runtimes (least_conn), each answered 202 after the broker ack', async () => {
    const responses = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        postWebhook(nginx.port, { clientId: `client-${i % 4}`, opportunity: { n: i } }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(24).fill(202));
    accepted.push(...responses);
    await sleep(200); // the runtimes log a request after answering it
    expect(one.requestIds().length).toBeGreaterThan(0);
    expect(two.requestIds().length).toBeGreaterThan(0);
    expect(one.requestIds().length + two.requestIds().length).toBe(24);
  });

  it('logs the same request id in the NGINX access log and in the runtime that handled it', async () => {
    const response = await postWebhook(nginx.port, { clientId: 'trace-me', opportunity: { id: 'op' } });
    expect(response.status).toBe(202);
    accepted.push(response);
    const requestId = String(response.headers['x-request-id']);
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);

    const proxyLine = await nginx.waitForRequestLog(requestId);
    expect(proxyLine).toMatchObject({ status: 202, upstream_status: '202', uri: '/webhook' });
    await sleep(200);
    const handledBy = [one, two].filter((runtime) => runtime.requestIds().includes(requestId));
    expect(handledBy).toHaveLength(1);
    expect(proxyLine?.upstream_addr).toBe(handledBy[0]?.address);
    // The runtime's line about that request carries NGINX's request id and the runtime's correlation id.
    const runtimeLine = handledBy[0]?.logs.find((line) => line.requestId === requestId);
    const body = JSON.parse(response.body) as { correlationId: string };
    expect(runtimeLine).toMatchObject({ requestId, correlationId: body.correlationId });
  });

  it('keeps accepting through the other runtime when one is killed, and no request reaches both', async () => {
    await one.kill('SIGKILL');
    // Let NGINX notice the closed keep-alive connections to the dead runtime.
    await sleep(300);
    const before = { one: one.requestIds().length, two: two.requestIds().length };

    const responses: HttpResponse[] = [];
    for (let i = 0; i < 12; i += 1) {
      responses.push(await postWebhook(nginx.port, { clientId: 'after-kill', opportunity: { n: i } }));
    }
    expect(responses.map((response) => response.status)).toEqual(Array(12).fill(202));
    accepted.push(...responses);
    await sleep(200);
    expect(one.requestIds().length).toBe(before.one);
    expect(two.requestIds().length).toBe(before.two + 12);

    // The dead runtime was tried (connection refused: nothing was sent) and the request moved on.
    const lines = await Promise.all(
      responses.map((response) => nginx.waitForRequestLog(String(response.headers['x-request-id']))),
    );
    expect(lines.map((line) => line?.upstream_addr)).toContain(`${one.address}, ${two.address}`);
    expect(lines.every((line) => String(line?.upstream_status).endsWith('202'))).toBe(true);

    // No request id was handled by both runtimes.
    const overlap = one.requestIds().filter((id) => two.requestIds().includes(id));
    expect(overlap).toEqual([]);
  });

  it('put every accepted webhook on the topic exactly once', async () => {
    const correlationIds = accepted.map(
      (response) => (JSON.parse(response.body) as { correlationId: string }).correlationId,
    );
    // Ask for one more than accepted: a duplicate delivery would show up within the wait.
    const messages = await readTopic(brokers, topic, accepted.length + 1, 8000);
    // The CloudEvents id header is the correlationId (the value is the sender's bytes).
    const onTopic = messages.map((message) => message.headers['ce_id']);
    expect(onTopic.sort()).toEqual([...correlationIds].sort());
  });
});
