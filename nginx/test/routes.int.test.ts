/**
 * What the real NGINX answers by itself, before any runtime is involved: /healthz, 405 with
 * Allow, 404, 413 for oversize bodies (with and without Content-Length) and 429 over the
 * per-client rate. Each case also checks that the recording upstream received nothing.
 */
import {
  postWebhook,
  send,
  sendRaw,
  startRecordingUpstream,
  type RecordingUpstream,
} from '../../test/support/http';
import { startNginx, type RunningNginx } from '../../test/support/nginx';

function expectProblem(body: string, status: number): Record<string, unknown> {
  const problem = JSON.parse(body) as Record<string, unknown>;
  expect(problem).toMatchObject({ type: 'about:blank', status });
  expect(typeof problem.title).toBe('string');
  return problem;
}

describe('routes answered by NGINX itself', () => {
  let upstream: RecordingUpstream;
  let nginx: RunningNginx;

  beforeAll(async () => {
    upstream = await startRecordingUpstream('runtime-a');
    nginx = await startNginx({ upstreams: [upstream.address], env: { MAX_BODY_BYTES: '1024' } });
  });
  afterAll(async () => {
    await nginx.stop();
    await upstream.close();
  });
  beforeEach(() => {
    upstream.received.length = 0;
  });

  it('answers GET /healthz itself with 200 JSON, without asking a runtime', async () => {
    const response = await send(nginx.port, { path: '/healthz' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
    expect(response.headers['content-type']).toBe('application/json');
    expect(upstream.received).toHaveLength(0);
  });

  it('hides its version (server_tokens off)', async () => {
    const response = await send(nginx.port, { path: '/healthz' });
    expect(response.headers.server).toBe('nginx');
  });

  it('forwards POST /webhook to a runtime', async () => {
    const response = await postWebhook(nginx.port);
    expect(response.status).toBe(202);
    expect(upstream.received).toHaveLength(1);
    expect(upstream.received[0]?.url).toBe('/webhook');
  });

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])(
    'answers %s /webhook with 405, Allow: POST, a problem body',
    async (method) => {
      const response = await send(nginx.port, {
        method,
        path: '/webhook',
        body: method === 'GET' ? undefined : '{}',
      });
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.headers['content-type']).toBe('application/problem+json');
      expectProblem(response.body, 405);
      expect(upstream.received).toHaveLength(0);
    },
  );

  it('answers POST /healthz with 405 and Allow: GET, HEAD', async () => {
    const response = await send(nginx.port, { method: 'POST', path: '/healthz', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expectProblem(response.body, 405);
  });

  it.each(['/', '/webhook/extra', '/admin', '/api/webhook'])(
    'answers %s with 404 problem+json',
    async (path) => {
      const response = await send(nginx.port, { method: 'POST', path, body: '{}' });
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expectProblem(response.body, 404);
      expect(upstream.received).toHaveLength(0);
    },
  );

  it.each(['//webhook', '///webhook', '/%77ebhook', '/./webhook', '/x/../webhook', '//readyz'])(
    'answers %s (a path NGINX normalises to a served one, the runtime does not) with 404 problem+json, forwarding nothing',
    async (path) => {
      const response = await send(nginx.port, {
        method: path.endsWith('readyz') ? 'GET' : 'POST',
        path,
        headers: { 'content-type': 'application/json' },
        body: path.endsWith('readyz') ? undefined : '{}',
      });
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expectProblem(response.body, 404);
      expect(upstream.received).toHaveLength(0);
    },
  );

  it('forwards POST /webhook with a query string, the query passed on as sent', async () => {
    const response = await send(nginx.port, {
      method: 'POST',
      path: '/webhook?source=crm&x=%2F',
      body: '{}',
    });
    expect(response.status).toBe(202);
    expect(upstream.received.map((r) => r.url)).toEqual(['/webhook?source=crm&x=%2F']);
  });

  it.each([
    ['a request line that is not HTTP', 400, 'GARBAGE\r\n\r\n'],
    ['a header line without a colon', 400, 'POST /webhook HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'],
    [
      'both Content-Length and Transfer-Encoding',
      400,
      'POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'a malformed chunk size',
      400,
      'POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n',
    ],
    ['no Host header', 400, 'GET /healthz HTTP/1.1\r\n\r\n'],
    [
      'a header over the buffer size',
      400,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(9000)}\r\n\r\n`,
    ],
    ['a URI over the buffer size', 414, `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['Transfer-Encoding: gzip', 501, 'POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n'],
    ['HTTP/2.0 in the request line', 505, 'GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n'],
  ] as const)('answers %s with its own %i as problem+json, not HTML', async (_, status, raw) => {
    const response = await sendRaw(nginx.port, raw);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('application/problem+json');
    const problem = expectProblem(response.body, status);
    expect(problem.requestId).toBe(response.headers['x-request-id']);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(upstream.received).toHaveLength(0);
  });

  it('does not serve its internal problem locations to clients', async () => {
    for (const path of ['/_problem/400', '/_problem/414', '/_problem/505']) {
      const response = await send(nginx.port, { path });
      expect([path, response.status]).toEqual([path, 404]);
    }
  });

  it('refuses a body over MAX_BODY_BYTES with 413 before a runtime sees it (Content-Length)', async () => {
    const response = await send(nginx.port, {
      method: 'POST',
      path: '/webhook',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'c', opportunity: { pad: 'x'.repeat(2000) } }),
    });
    expect(response.status).toBe(413);
    expect(expectProblem(response.body, 413).detail).toContain('1024 bytes');
    expect(upstream.received).toHaveLength(0);
  });

  it('refuses a chunked body over MAX_BODY_BYTES with 413 too (no Content-Length to trust)', async () => {
    const response = await send(nginx.port, {
      method: 'POST',
      path: '/webhook',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'c', opportunity: { pad: 'x'.repeat(2000) } }),
      chunked: true,
    });
    expect(response.status).toBe(413);
    expect(upstream.received).toHaveLength(0);
  });

  it('passes a body of exactly MAX_BODY_BYTES', async () => {
    const prefix = '{"clientId":"c","opportunity":{"pad":"';
    const suffix = '"}}';
    const body = prefix + 'x'.repeat(1024 - prefix.length - suffix.length) + suffix;
    expect(Buffer.byteLength(body)).toBe(1024);
    const response = await send(nginx.port, { method: 'POST', path: '/webhook', body });
    expect(response.status).toBe(202);
    expect(upstream.received[0]?.body).toBe(body);
  });
});

describe('per-client rate limit', () => {
  let upstream: RecordingUpstream;
  let nginx: RunningNginx;

  beforeAll(async () => {
    upstream = await startRecordingUpstream('runtime-a');
    // 1 request/s, burst 2: a quick run of requests from one client overflows at the 4th at the latest.
    nginx = await startNginx({
      upstreams: [upstream.address],
      env: { RATE_LIMIT_RPS: '1', RATE_LIMIT_BURST: '2', TRUSTED_PROXY_CIDR: '127.0.0.1/32' },
    });
  });
  afterAll(async () => {
    await nginx.stop();
    await upstream.close();
  });

  it('answers 429 with Retry-After over the rate, and only the accepted requests reach a runtime', async () => {
    const client = { 'x-forwarded-for': '198.51.100.10' };
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof postWebhook>> | undefined;
    for (let i = 0; i < 6; i += 1) {
      const response = await postWebhook(nginx.port, undefined, client);
      statuses.push(response.status);
      if (response.status === 429) limited ??= response;
    }
    expect(statuses.filter((status) => status === 202).length).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(2);
    expect(statuses.every((status) => status === 202 || status === 429)).toBe(true);
    expect(limited?.headers['retry-after']).toBe('1');
    expectProblem(limited?.body ?? '', 429);
    expect(upstream.received).toHaveLength(statuses.filter((status) => status === 202).length);

    // Another client (a different real address behind the trusted proxy) has its own allowance.
    const other = await postWebhook(nginx.port, undefined, { 'x-forwarded-for': '198.51.100.11' });
    expect(other.status).toBe(202);
  });
});
