/**
 * What reaches the runtime through the real NGINX (recorded by a real node:http upstream):
 * Host (the client's, or UPSTREAM_HOST_HEADER for Container Apps), X-Forwarded-Host, X-Real-IP, X-Forwarded-For, X-Forwarded-Proto, X-Request-Id; keep-alive to the upstream;
 * and the JSON access log carrying the same request id.
 */
import { postWebhook, send, startRecordingUpstream, type RecordingUpstream } from '../../test/support/http';
import { startNginx, type RunningNginx } from '../../test/support/nginx';

describe('behind a trusted gateway (TRUSTED_PROXY_CIDR covers the peer)', () => {
  let upstream: RecordingUpstream;
  let nginx: RunningNginx;

  beforeAll(async () => {
    upstream = await startRecordingUpstream('runtime-a');
    nginx = await startNginx({ upstreams: [upstream.address], env: { TRUSTED_PROXY_CIDR: '127.0.0.1/32' } });
  });
  afterAll(async () => {
    await nginx.stop();
    await upstream.close();
  });
  beforeEach(() => {
    upstream.received.length = 0;
  });

  it('passes Host, the real client IP, the forwarded chain, the proto and a generated request id', async () => {
    const response = await postWebhook(nginx.port, undefined, {
      host: 'webhooks.example.com',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'https',
    });
    expect(response.status).toBe(202);
    const seen = upstream.received[0];
    expect(seen?.headers.host).toBe('webhooks.example.com');
    expect(seen?.headers['x-forwarded-host']).toBe('webhooks.example.com');
    expect(seen?.headers['x-real-ip']).toBe('203.0.113.7');
    expect(seen?.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(seen?.headers['x-forwarded-proto']).toBe('https');
    // NGINX's $request_id: 32 hex characters, returned to the caller too.
    expect(seen?.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers['x-request-id']).toBe(seen?.headers['x-request-id']);
  });

  it('keeps a well-formed X-Request-Id from the caller end to end', async () => {
    const response = await postWebhook(nginx.port, undefined, { 'x-request-id': 'gw-req-123:abc' });
    expect(upstream.received[0]?.headers['x-request-id']).toBe('gw-req-123:abc');
    expect(response.headers['x-request-id']).toBe('gw-req-123:abc');
  });

  it('replaces a malformed or oversized X-Request-Id with its own', async () => {
    for (const bad of ['has spaces in it', 'x'.repeat(129), '"},{"injected":1']) {
      upstream.received.length = 0;
      await postWebhook(nginx.port, undefined, { 'x-request-id': bad });
      expect(upstream.received[0]?.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('passes http through as the proto when the gateway did not say https, and never a made-up value', async () => {
    await postWebhook(nginx.port, undefined, { 'x-forwarded-proto': 'gopher' });
    expect(upstream.received[0]?.headers['x-forwarded-proto']).toBe('http');
  });

  it('reuses one keep-alive connection to the runtime across requests (no Connection: close)', async () => {
    await postWebhook(nginx.port);
    await postWebhook(nginx.port);
    await postWebhook(nginx.port);
    expect(upstream.received).toHaveLength(3);
    expect(upstream.received.every((request) => request.headers.connection === undefined)).toBe(true);
    expect(new Set(upstream.received.map((request) => request.remotePort)).size).toBe(1);
  });

  it('writes one valid JSON access-log line per request with request id, upstream address, status and timings', async () => {
    const response = await postWebhook(nginx.port, undefined, {
      'x-forwarded-for': '203.0.113.9',
      // Quotes, backslashes and braces must not break the JSON line.
      'user-agent': 'evil "agent" \\ {"status":1}',
    });
    const line = await nginx.waitForRequestLog(String(response.headers['x-request-id']));
    // Every line written so far parses as JSON (accessLog() throws otherwise).
    expect(nginx.accessLog().length).toBeGreaterThan(1);
    expect(line).toMatchObject({
      request_id: response.headers['x-request-id'],
      client_addr: '203.0.113.9',
      peer_addr: '127.0.0.1',
      method: 'POST',
      uri: '/webhook',
      status: 202,
      upstream_addr: upstream.address,
      upstream_status: '202',
      user_agent: 'evil "agent" \\ {"status":1}',
    });
    expect(typeof line?.request_time).toBe('number');
    expect(line?.upstream_response_time).toMatch(/^\d+\.\d{3}$/);
    expect(line?.upstream_connect_time).toMatch(/^\d+\.\d{3}$/);
  });

  it('never writes the query string to the access log (it may carry a Functions key)', async () => {
    const response = await send(nginx.port, {
      method: 'POST',
      path: '/webhook?code=secret-function-key',
      headers: { 'content-type': 'application/json' },
      body: '{"clientId":"c","opportunity":{}}',
    });
    const line = await nginx.waitForRequestLog(String(response.headers['x-request-id']));
    expect(line?.uri).toBe('/webhook');
    expect(JSON.stringify(nginx.accessLog())).not.toContain('secret-function-key');
  });
});

describe('without TRUSTED_PROXY_CIDR (the default)', () => {
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

  it('does not believe a spoofed X-Forwarded-For: the client is the peer address', async () => {
    const response = await postWebhook(nginx.port, undefined, { 'x-forwarded-for': '203.0.113.66' });
    expect(response.status).toBe(202);
    expect(upstream.received[0]?.headers['x-real-ip']).toBe('127.0.0.1');
    expect(upstream.received[0]?.headers['x-forwarded-for']).toBe('203.0.113.66, 127.0.0.1');
    const line = await nginx.waitForRequestLog(String(response.headers['x-request-id']));
    expect(line?.client_addr).toBe('127.0.0.1');
  });
});

describe('with UPSTREAM_HOST_HEADER (Container Apps: the ingress routes by Host)', () => {
  // On Container Apps the gateway reaches NGINX by the proxy app's FQDN, so $host is the proxy's own
  // name; sent on as Host, the environment's ingress would route the request back to the proxy.
  const runtimeFqdn = 'webhook-runtime.internal.example-env.westeurope.azurecontainerapps.io';
  const proxyFqdn = 'webhook-proxy.example-env.westeurope.azurecontainerapps.io';
  let upstream: RecordingUpstream;
  let nginx: RunningNginx;

  beforeAll(async () => {
    upstream = await startRecordingUpstream('runtime-a');
    upstream.behaviour = { kind: 'answer', status: 200 };
    nginx = await startNginx({ upstreams: [upstream.address], env: { UPSTREAM_HOST_HEADER: runtimeFqdn } });
  });
  afterAll(async () => {
    await nginx.stop();
    await upstream.close();
  });
  beforeEach(() => {
    upstream.received.length = 0;
  });

  it("sends the runtime's FQDN as Host and the proxy's own host as X-Forwarded-Host on POST /webhook", async () => {
    const response = await postWebhook(nginx.port, undefined, { host: proxyFqdn });
    expect(response.status).toBe(200);
    expect(upstream.received).toHaveLength(1);
    expect(upstream.received[0]?.headers.host).toBe(runtimeFqdn);
    expect(upstream.received[0]?.headers['x-forwarded-host']).toBe(proxyFqdn);
  });

  it('sends the same Host on the /readyz probe it forwards', async () => {
    const response = await send(nginx.port, { path: '/readyz', headers: { host: proxyFqdn } });
    expect(response.status).toBe(200);
    expect(upstream.received[0]?.url).toBe('/readyz');
    expect(upstream.received[0]?.headers.host).toBe(runtimeFqdn);
  });

  it('ignores a Host or X-Forwarded-Host the client tries to choose for the runtime', async () => {
    await postWebhook(nginx.port, undefined, { host: 'evil.example', 'x-forwarded-host': 'spoofed.example' });
    expect(upstream.received[0]?.headers.host).toBe(runtimeFqdn);
    expect(upstream.received[0]?.headers['x-forwarded-host']).toBe('evil.example');
  });
});
