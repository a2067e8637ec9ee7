import type { Verifier } from '../verify';
import { makeApp, VALID, webhook } from './test-fixtures';

type Line = Record<string, unknown>;
const accessLines = (lines: Line[]) =>
  lines.filter((l) => l['msg'] === 'request' || l['msg'] === 'request failed');

describe('request scope', () => {
  it('writes exactly one access line per request, with method, path, status and X-Request-Id', async () => {
    const { app, lines } = makeApp();
    await app.request('/webhook', webhook(VALID, { 'x-request-id': 'ok-1' }));
    await app.request('/webhook', { ...webhook(VALID, { 'x-request-id': 'bad-sig' }), body: '{}' });
    await app.request('/nowhere', { headers: { 'x-request-id': 'nf-1' } });
    const access = accessLines(lines);
    expect(access.map((l) => [l['requestId'], l['status'], l['method'], l['path'], l['level']])).toEqual([
      ['ok-1', 202, 'POST', '/webhook', 'debug'],
      ['bad-sig', 401, 'POST', '/webhook', 'info'],
      ['nf-1', 404, 'GET', '/nowhere', 'info'],
    ]);
    expect(access[0]?.['correlationId']).toEqual(expect.any(String));
    expect(access.every((l) => typeof l['durationMs'] === 'number')).toBe(true);
  });

  it('answers 405 with Allow for every other method on a known path, a query string included', async () => {
    const { app, lines } = makeApp();
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await app.request('/webhook?x=1', { method });
      expect([method, res.status, res.headers.get('allow')]).toEqual([method, 405, 'POST']);
    }
    const head = await app.request('/webhook', { method: 'HEAD' });
    expect(head.status).toBe(405);
    const post = await app.request('/readyz', { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect(accessLines(lines).map((l) => l['status'])).toEqual([405, 405, 405, 405, 405, 405]);
  });

  it('reports each request to the metric observer under its registered route, "*" when none matched', async () => {
    const seen: Array<[string, number]> = [];
    const { app } = makeApp({ observe: { request: (route, status) => seen.push([route, status]) } });
    await app.request('/webhook', webhook(VALID));
    await app.request('/healthz');
    await app.request('/healthz', { method: 'DELETE' });
    await app.request('/missing');
    expect(seen).toEqual([
      ['/webhook', 202],
      ['/healthz', 200],
      ['/healthz', 405],
      ['*', 404],
    ]);
  });

  it('closes the connection on every response once draining began', async () => {
    let draining = false;
    const { app } = makeApp({ isDraining: () => draining });
    expect((await app.request('/healthz')).headers.get('connection')).toBeNull();
    draining = true;
    for (const res of [
      await app.request('/healthz'),
      await app.request('/webhook', webhook(VALID)),
      await app.request('/missing'),
    ]) {
      expect(res.headers.get('connection')).toBe('close');
    }
  });

  it('logs a request body stream that fails mid-way (a client abort) at debug, no stack, access line 499', async () => {
    const { app, lines, publisher } = makeApp();
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(new TextEncoder().encode('{"clientId":'));
        } else controller.error(new Error('aborted'));
      },
    });
    const res = await app.request('/webhook', {
      ...webhook(VALID, { 'x-request-id': 'gone-2' }),
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(499);
    expect(lines.filter((l) => ['warn', 'error', 'fatal'].includes(String(l['level'])))).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain('stack');
    expect(lines.find((l) => l['msg'] === 'client aborted the request')).toMatchObject({
      level: 'debug',
      requestId: 'gone-2',
    });
    expect(accessLines(lines).map((l) => [l['status'], l['level'], l['aborted']])).toEqual([
      [499, 'info', true],
    ]);
    expect(publisher.published).toHaveLength(0);
  });

  it('turns an unexpected throw inside a route into a 500 problem and an error line about the request', async () => {
    const throwing: Verifier = {
      scheme: 'github',
      verify: () => {
        throw new Error('verifier internals');
      },
    };
    const { app, lines, publisher } = makeApp({ verifier: throwing });
    const res = await app.request('/webhook', webhook(VALID, { 'x-request-id': 'boom-1' }));
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.text()).not.toContain('verifier internals');
    const error = lines.find((l) => l['level'] === 'error');
    expect(error).toMatchObject({ msg: 'unhandled error', requestId: 'boom-1' });
    expect(error?.['correlationId']).toEqual(expect.any(String));
    expect(accessLines(lines).map((l) => [l['status'], l['level']])).toEqual([[500, 'warn']]);
    expect(publisher.published).toHaveLength(0);
  });
});
