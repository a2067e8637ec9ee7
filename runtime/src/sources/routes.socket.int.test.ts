/**
 * POST /webhooks/<source> on the production listener over a real socket: served by the webhook
 * core on node:http (not the Hono app), with the same answers as routes.test.ts's Hono path.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROBLEM_CONTENT_TYPE } from '../http/problem';
import { githubSigned, makeSourcesApp } from './test-fixtures';

let server: Server;
let base: string;
let fixture: ReturnType<typeof makeSourcesApp>;
const requests: Array<[string, string, number, string | undefined]> = [];

beforeAll(async () => {
  fixture = makeSourcesApp({
    observe: {
      request: (route, status, _ms, source) => requests.push([route, String(status), status, source]),
    },
  });
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
  fixture.publisher.published.splice(0);
  requests.splice(0);
});

describe('production listener, POST /webhooks/<source> on node:http', () => {
  it('publishes with <name>:<delivery id> and records route and source for the metric', async () => {
    const res = await fetch(
      `${base}/webhooks/github?x=1`,
      githubSigned('{"a":1}', { 'x-github-delivery': 'd-9' }),
    );
    expect(res.status).toBe(202);
    expect(res.headers.get('content-length')).not.toBeNull();
    const m = fixture.publisher.published[0]!;
    expect([m.messageId, m.body.toString()]).toEqual(['github:d-9', '{"a":1}']);
    expect(requests).toEqual([['/webhooks/:source', '202', 202, 'github']]);
  });

  it('answers a GitHub ping 200 pong, unpublished', async () => {
    const res = await fetch(`${base}/webhooks/github`, githubSigned('{}', { 'x-github-event': 'ping' }));
    expect([res.status, await res.json()]).toEqual([200, { status: 'pong' }]);
    expect(fixture.publisher.published).toHaveLength(0);
  });

  it('answers 404 problem+json for an unknown source or a deeper path, 401 for a bad signature', async () => {
    for (const path of ['/webhooks/nope', '/webhooks/github/extra', '/webhooks/']) {
      const res = await fetch(`${base}${path}`, githubSigned('{}'));
      expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 404, PROBLEM_CONTENT_TYPE]);
    }
    const bad = await fetch(`${base}/webhooks/github`, { ...githubSigned('{}'), body: '[]' });
    expect(bad.status).toBe(401);
    expect(fixture.publisher.published).toHaveLength(0);
  });
});
