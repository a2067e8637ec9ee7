/**
 * Named webhook sources at the real NGINX (WEBHOOK_SOURCES_NGINX): one exact
 * `location = /webhooks/<name>` per source, forwarded like /webhook with the body and headers as
 * sent, each source rate-limited in its own zone (one sender's 429s never spend another's
 * allowance), and every other /webhooks/... path a 404 problem+json that reaches no runtime.
 */
import {
  send,
  startRecordingUpstream,
  type HttpResponse,
  type RecordingUpstream,
} from '../../test/support/http';
import { startNginx, type RunningNginx } from '../../test/support/nginx';

function expectProblem(response: HttpResponse, status: number): Record<string, unknown> {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  const problem = JSON.parse(response.body) as Record<string, unknown>;
  expect(problem).toMatchObject({ type: 'about:blank', status });
  expect(problem.requestId).toBe(response.headers['x-request-id']);
  return problem;
}

const postTo = (port: number, path: string, headers: Record<string, string> = {}, body = '{"id":"evt_1"}') =>
  send(port, { method: 'POST', path, headers: { 'content-type': 'application/json', ...headers }, body });

describe('named webhook sources', () => {
  let upstream: RecordingUpstream;
  let nginx: RunningNginx;

  beforeAll(async () => {
    upstream = await startRecordingUpstream('runtime-a');
    // github: 1 request/s with burst 1 (a quick run overflows at the 3rd at the latest);
    // stripe and my-crm: the tier's RATE_LIMIT_RPS/RATE_LIMIT_BURST, far above this test's traffic.
    nginx = await startNginx({
      upstreams: [upstream.address],
      env: {
        WEBHOOK_SOURCES_NGINX: 'github:1:1 stripe my-crm:500:1000',
        RATE_LIMIT_RPS: '1000',
        RATE_LIMIT_BURST: '1000',
        TRUSTED_PROXY_CIDR: '127.0.0.1/32',
      },
    });
  });
  afterAll(async () => {
    await nginx.stop();
    await upstream.close();
  });
  beforeEach(() => {
    upstream.received.length = 0;
  });

  it.each(['stripe', 'my-crm'])(
    'forwards POST /webhooks/%s to a runtime on the same path, with the body and headers as sent',
    async (name) => {
      const body = '{"id":"evt_1","type":"charge.succeeded"}';
      const response = await postTo(
        nginx.port,
        `/webhooks/${name}?attempt=2`,
        { 'stripe-signature': 't=1,v1=abc', 'x-forwarded-for': '198.51.100.20' },
        body,
      );
      expect(response.status).toBe(202);
      expect(upstream.received).toHaveLength(1);
      const forwarded = upstream.received[0]!;
      expect(forwarded.url).toBe(`/webhooks/${name}?attempt=2`);
      expect(forwarded.body).toBe(body);
      expect(forwarded.headers['stripe-signature']).toBe('t=1,v1=abc');
      expect(forwarded.headers['x-request-id']).toBe(response.headers['x-request-id']);
    },
  );

  it.each(['/webhooks/gitlab', '/webhooks/', '/webhooks', '/webhooks/github/extra', '/webhooks/GitHub'])(
    'answers POST %s (no configured source) with 404 problem+json, forwarding nothing',
    async (path) => {
      const problem = expectProblem(await postTo(nginx.port, path), 404);
      expect(upstream.received).toHaveLength(0);
      if (path.startsWith('/webhooks/'))
        expect(problem.detail).toBe('No webhook source is configured at this path.');
    },
  );

  it.each(['//webhooks/stripe', '/webhooks//stripe', '/webhooks/%73tripe', '/webhooks/x/../stripe'])(
    'answers %s (normalised by NGINX to a source, not by the runtime) with 404, forwarding nothing',
    async (path) => {
      expectProblem(await postTo(nginx.port, path), 404);
      expect(upstream.received).toHaveLength(0);
    },
  );

  it('answers GET /webhooks/<source> with 405 and Allow: POST', async () => {
    const response = await send(nginx.port, { path: '/webhooks/stripe' });
    expectProblem(response, 405);
    expect(response.headers.allow).toBe('POST');
    expect(upstream.received).toHaveLength(0);
  });

  it("limits each source in its own zone: github's 429s leave stripe and /webhook untouched", async () => {
    const client = { 'x-forwarded-for': '198.51.100.30' };
    const github: HttpResponse[] = [];
    for (let i = 0; i < 5; i += 1) github.push(await postTo(nginx.port, '/webhooks/github', client));
    const statuses = github.map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    expect(statuses.every((s) => s === 202 || s === 429)).toBe(true);
    const limited = github.find((r) => r.status === 429)!;
    expect(limited.headers['retry-after']).toBe('1');
    expect(expectProblem(limited, 429).detail).toBe('Rate limit: 1 requests/s per client.');

    // The same client, right away: the other source and the default route still have their allowance.
    for (let i = 0; i < 5; i += 1) {
      expect((await postTo(nginx.port, '/webhooks/stripe', client)).status).toBe(202);
      expect((await postTo(nginx.port, '/webhook', client)).status).toBe(202);
    }
    const accepted = statuses.filter((s) => s === 202).length;
    expect(upstream.received.filter((r) => r.url === '/webhooks/github')).toHaveLength(accepted);
    expect(upstream.received.filter((r) => r.url === '/webhooks/stripe')).toHaveLength(5);
  });
});

describe('without WEBHOOK_SOURCES_NGINX', () => {
  let upstream: RecordingUpstream;
  let nginx: RunningNginx;

  beforeAll(async () => {
    upstream = await startRecordingUpstream('runtime-a');
    nginx = await startNginx({ upstreams: [upstream.address] });
  });
  afterAll(async () => {
    await nginx.stop();
    await upstream.close();
  });

  it('serves no /webhooks/<name> route (404 problem+json) and still forwards POST /webhook', async () => {
    expectProblem(await postTo(nginx.port, '/webhooks/github'), 404);
    expect(upstream.received).toHaveLength(0);
    expect((await postTo(nginx.port, '/webhook')).status).toBe(202);
    expect(upstream.received.map((r) => r.url)).toEqual(['/webhook']);
  });
});
