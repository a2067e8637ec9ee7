/**
 * POST /webhooks/<source> through the Hono app (`app.request`): verification per source with
 * rotation, delivery ids and keys, passthrough and contract bodies, GitHub ping, unknown sources,
 * the broker mapping of OutboundMessage and the `source` log field. The Node listener serves the
 * same core (routes.socket.int.test.ts).
 */
import { kafkaHeaders } from '../publish/message-size';
import { messageIdOf, toServiceBusMessage } from '../publish/servicebus';
import { PROBLEM_CONTENT_TYPE } from '../http/problem';
import { VALID, webhook } from '../http/test-fixtures';
import { acmeSigned, GITHUB_OLD_SECRET, githubSigned, makeSourcesApp, OLD_NOT_AFTER } from './test-fixtures';

type Json = Record<string, unknown>;
const PUSH = JSON.stringify({ ref: 'refs/heads/main', commits: [{ id: 'abc' }] });

describe('POST /webhooks/<source>', () => {
  it('publishes a passthrough body byte for byte, with <name>:<delivery id> as message and CloudEvents id', async () => {
    const f = makeSourcesApp();
    const res = await f.app.request('/webhooks/github', githubSigned(PUSH, { 'x-github-delivery': 'd-1' }));
    expect(res.status).toBe(202);
    const body = (await res.json()) as Json;
    const m = f.publisher.published[0]!;
    expect(m.body.toString()).toBe(PUSH);
    expect([m.key, m.messageId, m.source, m.deliveryId, m.correlationId]).toEqual([
      'github',
      'github:d-1',
      'github',
      'd-1',
      body['correlationId'],
    ]);
    expect([m.cloudEvent.id, m.cloudEvent.source, m.cloudEvent.subject]).toEqual([
      'github:d-1',
      '/webhooks/github',
      'github',
    ]);
  });

  it('maps a named source to Kafka headers (webhook_delivery_id, correlation_id) and the Service Bus messageId', async () => {
    const f = makeSourcesApp();
    await f.app.request('/webhooks/github', githubSigned(PUSH, { 'x-github-delivery': 'd-2' }));
    const m = f.publisher.published[0]!;
    expect(kafkaHeaders(m)).toMatchObject({
      ce_id: 'github:d-2',
      ce_source: '/webhooks/github',
      webhook_delivery_id: 'd-2',
      correlation_id: m.correlationId,
    });
    const sb = toServiceBusMessage(m);
    expect([sb.messageId, sb.correlationId]).toEqual(['github:d-2', m.correlationId]);
  });

  it('hashes a delivery id that would make the Service Bus messageId longer than 128 characters', async () => {
    const f = makeSourcesApp();
    const long = 'x'.repeat(200);
    await f.app.request('/webhooks/github', githubSigned(PUSH, { 'x-github-delivery': long }));
    const m = f.publisher.published[0]!;
    expect(m.messageId).toBe(`github:${long}`);
    expect(kafkaHeaders(m)['webhook_delivery_id']).toBe(long);
    expect(messageIdOf(m)).toMatch(/^github:[0-9a-f]{64}$/);
  });

  it('uses the correlationId as message id and ce_id when the sender gave no delivery id', async () => {
    const f = makeSourcesApp();
    await f.app.request('/webhooks/github', githubSigned(PUSH));
    const m = f.publisher.published[0]!;
    expect([m.messageId, m.cloudEvent.id, m.deliveryId]).toEqual([
      m.correlationId,
      m.correlationId,
      undefined,
    ]);
    expect(kafkaHeaders(m)).not.toHaveProperty('webhook_delivery_id');
  });

  it('verifies with the old secret until its notAfter, and refuses it after', async () => {
    const before = makeSourcesApp();
    expect(
      (await before.app.request('/webhooks/github', githubSigned(PUSH, {}, GITHUB_OLD_SECRET))).status,
    ).toBe(202);
    const after = makeSourcesApp({ now: () => Date.parse(OLD_NOT_AFTER) + 1 });
    const res = await after.app.request('/webhooks/github', githubSigned(PUSH, {}, GITHUB_OLD_SECRET));
    expect(res.status).toBe(401);
    expect((await after.app.request('/webhooks/github', githubSigned(PUSH))).status).toBe(202);
  });

  it('answers a verified GitHub ping 200 pong without publishing, also in contract mode', async () => {
    const f = makeSourcesApp();
    for (const path of ['/webhooks/github', '/webhooks/orders']) {
      const res = await f.app.request(
        path,
        githubSigned('{"zen":"Keep it simple."}', { 'x-github-event': 'ping' }),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'pong' });
    }
    expect(f.publisher.published).toHaveLength(0);
    const unsigned = await f.app.request('/webhooks/github', {
      ...githubSigned('{}', { 'x-github-event': 'ping' }),
      body: '{"tampered":1}',
    });
    expect(unsigned.status).toBe(401);
  });

  it('contract mode: the seed payload with /clientId as key, and 422 as POST /webhook for anything else', async () => {
    const f = makeSourcesApp();
    expect((await f.app.request('/webhooks/orders', githubSigned(VALID))).status).toBe(202);
    expect(f.publisher.published[0]!.key).toBe('c-1');
    const res = await f.app.request('/webhooks/orders', githubSigned(PUSH));
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  });

  it('passthrough: accepts a JSON array, refuses a scalar (422), duplicate keys (422) and broken JSON (400)', async () => {
    const f = makeSourcesApp();
    expect((await f.app.request('/webhooks/github', githubSigned('[1,2]'))).status).toBe(202);
    expect((await f.app.request('/webhooks/github', githubSigned('42'))).status).toBe(422);
    expect((await f.app.request('/webhooks/github', githubSigned('{"a":1,"a":2}'))).status).toBe(422);
    expect((await f.app.request('/webhooks/github', githubSigned('{'))).status).toBe(400);
  });

  it('generic HMAC: delivery id from a JSON pointer, key from a header (400 without it)', async () => {
    const f = makeSourcesApp();
    const event = JSON.stringify({ event: { id: 'evt_7', type: 'paid' } });
    const res = await f.app.request('/webhooks/acme', acmeSigned(event, { 'x-acme-tenant': 'tenant-3' }));
    expect(res.status).toBe(202);
    const m = f.publisher.published[0]!;
    expect([m.key, m.messageId, m.deliveryId]).toEqual(['tenant-3', 'acme:evt_7', 'evt_7']);
    const missing = await f.app.request('/webhooks/acme', acmeSigned(event));
    expect(missing.status).toBe(400);
    const wrong = await f.app.request('/webhooks/acme', githubSigned(event, { 'x-acme-tenant': 't' }));
    expect(wrong.status).toBe(401);
  });

  it('a key JSON pointer that finds nothing answers 422 naming the pointer', async () => {
    const f = makeSourcesApp();
    const res = await f.app.request('/webhooks/open', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":1}',
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: unknown[] }).errors).toEqual([
      { pointer: '/account', detail: 'must be a non-empty string or integer' },
    ]);
  });

  it('answers 404 problem+json for an unknown source, 405 for another method on a known one', async () => {
    const f = makeSourcesApp();
    const res = await f.app.request('/webhooks/nope', githubSigned(PUSH));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    const get = await f.app.request('/webhooks/github');
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    expect(f.publisher.published).toHaveLength(0);
  });

  it('logs the source on every line about the request (`default` for POST /webhook)', async () => {
    const f = makeSourcesApp();
    await f.app.request('/webhooks/github', githubSigned(PUSH));
    await f.app.request('/webhook', webhook(VALID));
    const access = f.lines.filter((l) => l['msg'] === 'request');
    expect(access.map((l) => [l['path'], l['source']])).toEqual([
      ['/webhooks/github', 'github'],
      ['/webhook', 'default'],
    ]);
  });

  it('leaves POST /webhook as it was: the delivery id alone as message id, the correlationId as ce id', async () => {
    const f = makeSourcesApp();
    await f.app.request('/webhook', webhook(VALID, { 'x-github-delivery': 'gh-1' }));
    const m = f.publisher.published[0]!;
    expect([m.messageId, m.cloudEvent.id, m.cloudEvent.source, m.source]).toEqual([
      'gh-1',
      m.correlationId,
      '/webhooks/github',
      undefined,
    ]);
    expect(Object.keys(kafkaHeaders(m))).not.toContain('correlation_id');
  });
});
