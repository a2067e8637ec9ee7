/**
 * The production listener over a real socket: POST /webhook is served by the webhook core on
 * node:http, everything else by the Hono app. The contract must be the same on both paths.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { makeApp, sign, VALID, webhook } from './test-fixtures';

type Json = Record<string, unknown>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let draining = false;
let server: Server;
let base: string;
let fixture: ReturnType<typeof makeApp>;

beforeAll(async () => {
  fixture = makeApp({ isDraining: () => draining, maxMessageBytes: 1500 });
  await new Promise<void>((resolve) => {
    server = createServer(fixture.listener).listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  draining = false;
  fixture.publisher.failWith = undefined;
  fixture.publisher.published.splice(0);
  fixture.lines.splice(0);
});

const post = (body: string, headers: Record<string, string> = {}, path = '/webhook') =>
  fetch(`${base}${path}`, webhook(body, headers));

describe('production listener, POST /webhook on node:http', () => {
  it("answers 202 with the correlationId after publishing the sender's bytes", async () => {
    const res = await post(VALID, { 'x-github-delivery': 'gh-9', 'x-request-id': 'req-9' });
    expect(res.status).toBe(202);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Json;
    expect(body).toEqual({ status: 'accepted', correlationId: expect.stringMatching(UUID) });
    expect(res.headers.get('x-correlation-id')).toBe(body['correlationId']);
    const m = fixture.publisher.published[0]!;
    expect([m.key, m.messageId, m.correlationId]).toEqual(['c-1', 'gh-9', body['correlationId']]);
    expect(m.body.toString('utf8')).toBe(VALID);
    expect(m.cloudEvent.id).toBe(body['correlationId']);
    const access = fixture.lines.find((l) => l['msg'] === 'request');
    expect(access).toMatchObject({ status: 202, requestId: 'req-9', correlationId: body['correlationId'] });
  });

  it('serves a query string on /webhook the way Hono routes it', async () => {
    expect((await post(VALID, {}, '/webhook?source=crm')).status).toBe(202);
  });

  it('answers every error as the Hono route does, and publishes nothing', async () => {
    const cases: Array<[RequestInit, number]> = [
      [{ ...webhook(VALID), body: '{}' }, 401],
      [webhook(VALID, { 'content-type': 'text/plain' }), 415],
      [webhook('{"clientId": '), 400],
      [webhook(JSON.stringify({ opportunity: {} })), 422],
      // Under MAX_BODY_BYTES (1024), over MAX_MESSAGE_BYTES (1500) with the key and headers.
      [webhook(JSON.stringify({ clientId: 'c', opportunity: { pad: 'p'.repeat(900) } })), 413],
      [webhook(JSON.stringify({ clientId: 'c', opportunity: { pad: 'p'.repeat(1100) } })), 413],
    ];
    for (const [init, status] of cases) {
      const viaSocket = await fetch(`${base}/webhook`, init);
      const viaHono = await fixture.app.request('/webhook', init);
      expect([viaSocket.status, viaHono.status]).toEqual([status, status]);
      expect(viaSocket.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
      const [a, b] = [(await viaSocket.json()) as Json, (await viaHono.json()) as Json];
      const id = viaSocket.headers.get('x-correlation-id');
      expect(id).toMatch(UUID);
      if ('correlationId' in a) expect(a['correlationId']).toBe(id);
      expect({ ...a, correlationId: 'x' }).toEqual({ ...b, correlationId: 'x' });
    }
    expect(fixture.publisher.published).toHaveLength(0);
  });

  it('answers 503 with Retry-After when the publish fails', async () => {
    fixture.publisher.failWith = 'overloaded';
    const res = await post(VALID);
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '1']);
    expect(((await res.json()) as Json)['reason']).toBe('overloaded');
    expect(fixture.lines.some((l) => l['msg'] === 'request failed' && l['status'] === 503)).toBe(true);
  });

  it('answers 503 and closes the connection while draining', async () => {
    draining = true;
    const res = await post(VALID);
    expect([res.status, res.headers.get('retry-after'), res.headers.get('connection')]).toEqual([
      503,
      '1',
      'close',
    ]);
    expect(fixture.publisher.published).toHaveLength(0);
  });

  it('leaves every other method and path to the Hono app', async () => {
    const get = await fetch(`${base}/webhook`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const missing = await fetch(`${base}/webhooks`, webhook(VALID));
    expect(missing.status).toBe(404);
    expect(fixture.publisher.published).toHaveLength(0);
  });

  it('signs over the exact bytes received, a charset parameter included', async () => {
    const body = JSON.stringify({ clientId: 'c', opportunity: { é: 'ü' } });
    const res = await fetch(`${base}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-hub-signature-256': sign(body) },
      body,
    });
    expect(res.status).toBe(202);
    expect(JSON.parse(fixture.publisher.published[0]!.body.toString())).toMatchObject({
      opportunity: { é: 'ü' },
    });
  });
});
