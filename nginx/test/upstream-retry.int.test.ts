/**
 * The retry rule, proven on the real NGINX with two real node:http upstreams that record what they
 * receive: a POST is retried on the other runtime only when it never reached the first (connection
 * refused); once any runtime received it, NGINX never sends it to a second one — not after a reset,
 * not after a read timeout. Also least_conn spreading concurrent requests, and /readyz (a GET) moving
 * past a runtime that answers 503.
 */
import {
  postWebhook,
  send,
  startRecordingUpstream,
  type HttpResponse,
  type RecordingUpstream,
} from '../../test/support/http';
import { startNginx, type RunningNginx } from '../../test/support/nginx';
import { freePort } from '../../test/support/wait';

function ids(upstream: RecordingUpstream): string[] {
  return upstream.received.map((request) => String(request.headers['x-request-id']));
}

describe('least_conn over two upstreams', () => {
  let a: RecordingUpstream;
  let b: RecordingUpstream;
  let nginx: RunningNginx;

  beforeAll(async () => {
    a = await startRecordingUpstream('a', { kind: 'delay', ms: 300 });
    b = await startRecordingUpstream('b', { kind: 'delay', ms: 300 });
    nginx = await startNginx({ upstreams: [a.address, b.address] });
  });
  afterAll(async () => {
    await nginx.stop();
    await Promise.all([a.close(), b.close()]);
  });

  it('spreads concurrent requests over both upstreams, each request reaching exactly one', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        postWebhook(nginx.port, undefined, { 'x-request-id': `spread-${i}` }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(202));
    // least_conn: while 5 requests are open on one upstream, the next goes to the other.
    expect(a.received.length).toBeGreaterThanOrEqual(4);
    expect(b.received.length).toBeGreaterThanOrEqual(4);
    expect([...ids(a), ...ids(b)].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `spread-${i}`).sort());
  });
});

describe('a runtime that is down before the request is sent (connection refused)', () => {
  let b: RecordingUpstream;
  let nginx: RunningNginx;
  let deadAddress: string;

  beforeAll(async () => {
    b = await startRecordingUpstream('b');
    deadAddress = `127.0.0.1:${await freePort()}`; // nothing listens there
    nginx = await startNginx({ upstreams: [deadAddress, b.address] });
  });
  afterAll(async () => {
    await nginx.stop();
    await b.close();
  });

  it('retries on the other runtime, so every request succeeds', async () => {
    const responses: HttpResponse[] = [];
    for (let i = 0; i < 6; i += 1) responses.push(await postWebhook(nginx.port));
    expect(responses.map((response) => response.status)).toEqual(Array(6).fill(202));
    expect(b.received).toHaveLength(6);
    // At least one request tried the dead runtime first and was passed on (the log shows both).
    const lines = await nginx.waitForAccessLog(6);
    const retried = lines.filter((line) => String(line.upstream_addr).includes(','));
    expect(retried.length).toBeGreaterThanOrEqual(1);
    expect(retried[0]).toMatchObject({
      upstream_addr: `${deadAddress}, ${b.address}`,
      upstream_status: '502, 202',
    });
  });
});

describe('a runtime that fails after the request reached it', () => {
  let a: RecordingUpstream;
  let b: RecordingUpstream;
  let nginx: RunningNginx;

  beforeEach(async () => {
    a = await startRecordingUpstream('a', { kind: 'reset' });
    b = await startRecordingUpstream('b');
  });
  afterEach(async () => {
    await nginx.stop();
    await Promise.all([a.close(), b.close()]);
  });

  async function sendUntilAReceives(): Promise<{ id: string; response: HttpResponse }> {
    for (let i = 0; i < 6; i += 1) {
      const id = `post-${i}`;
      const response = await postWebhook(nginx.port, undefined, { 'x-request-id': id });
      if (ids(a).includes(id)) return { id, response };
    }
    throw new Error('upstream a never received a request');
  }

  it('never re-sends a POST the first runtime received and dropped (connection reset): 503, not a second delivery', async () => {
    nginx = await startNginx({ upstreams: [a.address, b.address] });
    const { id, response } = await sendUntilAReceives();
    expect(ids(b)).not.toContain(id);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(JSON.parse(response.body)).toMatchObject({ status: 503, requestId: id });
    const line = await nginx.waitForRequestLog(id);
    expect(line).toMatchObject({ upstream_addr: a.address, status: 503 });
  });

  it('never re-sends a POST whose runtime did not answer within PROXY_READ_TIMEOUT', async () => {
    a.behaviour = { kind: 'delay', ms: 1500 };
    nginx = await startNginx({
      upstreams: [a.address, b.address],
      env: { PROXY_CONNECT_TIMEOUT: '200ms', PROXY_READ_TIMEOUT: '400ms' },
    });
    const { id, response } = await sendUntilAReceives();
    expect(response.status).toBe(503);
    expect(ids(b)).not.toContain(id);
    const line = await nginx.waitForRequestLog(id);
    expect(line).toMatchObject({ upstream_addr: a.address, upstream_status: '504' });
  });
});

describe('GET /readyz (idempotent) over one unready and one ready runtime', () => {
  let unready: RecordingUpstream;
  let ready: RecordingUpstream;
  let nginx: RunningNginx;

  beforeAll(async () => {
    unready = await startRecordingUpstream('unready', { kind: 'answer', status: 503 });
    ready = await startRecordingUpstream('ready', { kind: 'answer', status: 200 });
    nginx = await startNginx({ upstreams: [unready.address, ready.address] });
  });
  afterAll(async () => {
    await nginx.stop();
    await Promise.all([unready.close(), ready.close()]);
  });

  it('is ready while one runtime is: a 503 from one runtime moves the probe to the next', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await send(nginx.port, { path: '/readyz' })).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(unready.received.length).toBeGreaterThanOrEqual(1);
    expect(unready.received.every((request) => request.url === '/readyz')).toBe(true);
  });

  it('then keeps webhooks away from the runtime the probe found unready (fail_timeout 1 s)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await postWebhook(nginx.port)).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(unready.received.filter((request) => request.method === 'POST')).toHaveLength(0);
  });
});

describe('POST /webhook to a runtime that answers 503 itself', () => {
  let unready: RecordingUpstream;
  let ready: RecordingUpstream;
  let nginx: RunningNginx;

  beforeAll(async () => {
    unready = await startRecordingUpstream('unready', { kind: 'answer', status: 503 });
    ready = await startRecordingUpstream('ready', { kind: 'answer', status: 200 });
    nginx = await startNginx({ upstreams: [unready.address, ready.address] });
  });
  afterAll(async () => {
    await nginx.stop();
    await Promise.all([unready.close(), ready.close()]);
  });

  it("passes the runtime's 503 to the sender as is and never re-sends that POST elsewhere", async () => {
    const responses: HttpResponse[] = [];
    for (let i = 0; i < 4; i += 1) responses.push(await postWebhook(nginx.port));
    const statuses = responses.map((response) => response.status);
    expect(statuses).toContain(503);
    expect(statuses).toContain(200);
    expect(unready.received).toHaveLength(statuses.filter((status) => status === 503).length);
    expect(ready.received).toHaveLength(statuses.filter((status) => status === 200).length);
    // The runtime's own body, not NGINX's problem document.
    const passed = responses.find((response) => response.status === 503);
    expect(JSON.parse(passed?.body ?? '{}')).toEqual({ status: 503, upstream: 'unready' });
  });
});
