import { PROBLEM_CONTENT_TYPE } from './problem';
import { makeApp, sign, VALID, webhook } from './test-fixtures';

type Json = Record<string, unknown>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('POST /webhook success', () => {
  it('answers 202 with the correlationId in body and header after publishing the documented message', async () => {
    const { app, publisher } = makeApp();
    const res = await app.request('/webhook', webhook(VALID, { 'x-github-delivery': 'gh-7' }));
    expect(res.status).toBe(202);
    const body = (await res.json()) as Json;
    expect(body).toEqual({ status: 'accepted', correlationId: expect.stringMatching(UUID) });
    expect(res.headers.get('x-correlation-id')).toBe(body['correlationId']);
    expect(publisher.published).toHaveLength(1);
    const m = publisher.published[0]!;
    expect(m.key).toBe('c-1');
    expect(m.messageId).toBe('gh-7');
    expect(m.correlationId).toBe(body['correlationId']);
    const sent = JSON.parse(m.body.toString()) as Json;
    expect(sent).toEqual({
      clientId: 'c-1',
      opportunity: { id: 42, stage: 'won' },
      extra: [1, 2],
      correlationId: body['correlationId'],
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(m.cloudEvent).toEqual({
      specversion: '1.0',
      id: body['correlationId'],
      source: '/webhooks/github',
      type: 'com.cdktf-azure-webhooks.webhook.received',
      time: sent['receivedAt'],
      subject: 'c-1',
      datacontenttype: 'application/json',
    });
  });

  it("replaces a sender's own correlationId/receivedAt fields with the runtime's, keeping one of each", async () => {
    const { app, publisher } = makeApp();
    const raw = JSON.stringify({
      correlationId: 'forged',
      clientId: 'c',
      opportunity: {},
      receivedAt: 'then',
    });
    const res = await app.request('/webhook', webhook(`${raw}\n`));
    expect(res.status).toBe(202);
    const text = publisher.published[0]!.body.toString();
    expect(text.match(/"correlationId"/g)).toHaveLength(1);
    expect(JSON.parse(text)).toMatchObject({
      correlationId: res.headers.get('x-correlation-id'),
      clientId: 'c',
    });
    expect((JSON.parse(text) as Json)['receivedAt']).not.toBe('then');
  });

  it('appends the fields to the sender bytes as valid JSON, trailing whitespace included', async () => {
    const { app, publisher } = makeApp();
    const res = await app.request('/webhook', webhook('{ "clientId" : "c", "opportunity" : { } }  \r\n'));
    expect(res.status).toBe(202);
    expect(JSON.parse(publisher.published[0]!.body.toString())).toEqual({
      clientId: 'c',
      opportunity: {},
      correlationId: res.headers.get('x-correlation-id'),
      receivedAt: expect.any(String),
    });
  });

  it('uses the correlationId as messageId when the sender gives no delivery id', async () => {
    const { app, publisher } = makeApp();
    const res = await app.request('/webhook', webhook(VALID));
    expect(publisher.published[0]?.messageId).toBe(res.headers.get('x-correlation-id'));
  });

  it('accepts application/json with a charset parameter', async () => {
    const { app } = makeApp();
    const res = await app.request(
      '/webhook',
      webhook(VALID, { 'content-type': 'application/json; charset=utf-8' }),
    );
    expect(res.status).toBe(202);
  });

  it('logs the correlationId, X-Request-Id and trace id on the lines about the request', async () => {
    const { app, lines } = makeApp();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await app.request('/webhook', webhook(VALID, { 'x-request-id': 'req-1', traceparent }));
    const id = res.headers.get('x-correlation-id');
    const about = lines.filter((l) => l['requestId'] === 'req-1');
    expect(about.length).toBeGreaterThanOrEqual(2); // 'published' + access line
    for (const l of about) {
      expect(l['correlationId']).toBe(id);
      expect(l['traceId']).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    }
  });
});

async function problemOf(res: Response): Promise<Json> {
  expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  const body = (await res.json()) as Json;
  expect(body).toMatchObject({ type: 'about:blank', status: res.status });
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/); // never a stack trace
  return body;
}

describe('POST /webhook errors (nothing is published)', () => {
  it('answers 401 for a missing, wrong, or other-secret signature', async () => {
    const { app, publisher } = makeApp();
    for (const sig of [undefined, 'sha256=00', sign(VALID, 'other')]) {
      const init = webhook(VALID);
      const headers = { ...(init.headers as Record<string, string>) };
      if (sig === undefined) delete headers['x-hub-signature-256'];
      else headers['x-hub-signature-256'] = sig;
      const res = await app.request('/webhook', { ...init, headers });
      expect(res.status).toBe(401);
      await problemOf(res);
    }
    expect(publisher.published).toHaveLength(0);
  });

  it('answers 401 when the body was altered after signing', async () => {
    const { app } = makeApp();
    const res = await app.request('/webhook', { ...webhook(VALID), body: VALID.replace('c-1', 'c-2') });
    expect(res.status).toBe(401);
  });

  it('answers 400 for malformed JSON', async () => {
    const { app } = makeApp();
    const res = await app.request('/webhook', webhook('{"clientId": '));
    expect(res.status).toBe(400);
    expect((await problemOf(res))['detail']).toBe('request body is not valid JSON');
  });

  it('answers 400, signed or not, for a body that is not valid UTF-8 (never a U+FFFD-mangled message)', async () => {
    const { app, publisher } = makeApp();
    const bad = [
      Buffer.from([0xff]), // a byte UTF-8 never uses
      Buffer.from([0xed, 0xa0, 0x80]), // a surrogate encoded as UTF-8 (CESU-8)
      Buffer.from([0xc0, 0xaf]), // overlong "/"
    ];
    for (const bytes of bad) {
      const body = Buffer.concat([
        Buffer.from('{"clientId":"c-1","opportunity":{"n":"'),
        bytes,
        Buffer.from('"}}'),
      ]);
      const res = await app.request('/webhook', webhook(new Uint8Array(body)));
      expect(res.status).toBe(400);
      expect((await problemOf(res))['detail']).toBe('request body is not valid UTF-8');
    }
    expect(publisher.published).toHaveLength(0);
  });

  it('answers 422 for objects or arrays nested deeper than 64 levels, and accepts 64', async () => {
    const { app, publisher } = makeApp({ maxBodyBytes: 1_048_576 });
    // The payload is level 1; `levels` objects from opportunity down are levels 2..levels+1; the
    // innermost array is levels+2: 62 make exactly 64.
    const nested = (levels: number) =>
      `{"clientId":"deep","opportunity":${'{"a":'.repeat(levels)}[1]${'}'.repeat(levels)}}`;
    const ok = await app.request('/webhook', webhook(nested(62)));
    expect(ok.status).toBe(202);
    for (const levels of [63, 100_000]) {
      const res = await app.request('/webhook', webhook(nested(levels)));
      expect(res.status).toBe(422);
      expect((await problemOf(res))['detail']).toBe('objects and arrays nest deeper than 64 levels');
    }
    expect(publisher.published).toHaveLength(1);
  });

  it('answers 415 for a non-JSON content type or none', async () => {
    const { app } = makeApp();
    for (const type of ['text/plain', 'application/jsonx', '']) {
      const res = await app.request('/webhook', webhook(VALID, { 'content-type': type }));
      expect(res.status).toBe(415);
      await problemOf(res);
    }
  });

  it('answers 413 problem+json, without publishing, when the message exceeds MAX_MESSAGE_BYTES', async () => {
    const { app, publisher } = makeApp({ maxMessageBytes: 150 });
    // VALID is 70 bytes; the runtime adds correlationId and receivedAt (~90 bytes) → over 150.
    const res = await app.request('/webhook', webhook(VALID));
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(res.headers.get('retry-after')).toBeNull();
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ status: 413, reason: 'message-too-large', maxMessageBytes: 150 });
    expect(body['correlationId']).toBe(res.headers.get('x-correlation-id'));
    expect(publisher.published).toHaveLength(0);
  });

  it('publishes a message exactly at MAX_MESSAGE_BYTES', async () => {
    const probe = makeApp();
    await probe.app.request('/webhook', webhook(VALID));
    const size = probe.publisher.published[0]!.body.length;
    const { app, publisher } = makeApp({ maxMessageBytes: size });
    const res = await app.request('/webhook', webhook(VALID));
    expect(res.status).toBe(202);
    expect(publisher.published[0]!.body.length).toBe(size);
  });

  it('answers 413 when Content-Length exceeds MAX_BODY_BYTES', async () => {
    const { app, publisher } = makeApp({ maxBodyBytes: 100 });
    const big = JSON.stringify({ clientId: 'c', opportunity: { pad: 'x'.repeat(200) } });
    const res = await app.request('/webhook', webhook(big));
    expect(res.status).toBe(413);
    await problemOf(res);
    expect(publisher.published).toHaveLength(0);
  });

  it('answers 413 for a streamed body without Content-Length over the limit', async () => {
    const { app } = makeApp({ maxBodyBytes: 100 });
    const chunks = [
      new TextEncoder().encode('{"clientId":"c","opportunity":{"pad":"'),
      new Uint8Array(200).fill(120),
    ];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
    });
    const init = { ...webhook(''), body, duplex: 'half' } as RequestInit;
    const res = await app.request('/webhook', init);
    expect(res.status).toBe(413);
  });

  it.each([
    ['clientId missing', { opportunity: {} }, '/clientId'],
    ['clientId empty', { clientId: '  ', opportunity: {} }, '/clientId'],
    ['clientId not a string', { clientId: 7, opportunity: {} }, '/clientId'],
    ['opportunity missing', { clientId: 'c' }, '/opportunity'],
    ['opportunity an array', { clientId: 'c', opportunity: [] }, '/opportunity'],
    ['opportunity a string', { clientId: 'c', opportunity: 'x' }, '/opportunity'],
  ])('answers 422 naming the field when %s', async (_name, payload, pointer) => {
    const { app } = makeApp();
    const res = await app.request('/webhook', webhook(JSON.stringify(payload)));
    expect(res.status).toBe(422);
    const body = await problemOf(res);
    expect(body['errors']).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
    expect(body['detail']).toContain(pointer.slice(1));
  });

  it('answers 422 for a JSON array or scalar body', async () => {
    const { app } = makeApp();
    for (const raw of ['[]', '"x"', 'null']) {
      expect((await app.request('/webhook', webhook(raw))).status).toBe(422);
    }
  });

  it('refuses __proto__ keys (also unicode-escaped, also nested) without polluting prototypes', async () => {
    const { app, publisher } = makeApp();
    const payloads = [
      '{"clientId":"c","opportunity":{},"__proto__":{"polluted":true}}',
      '{"clientId":"c","opportunity":{"a":{"\\u005f_proto__":{"polluted":true}}}}',
      '{"clientId":"c","opportunity":{"constructor":{"prototype":{"polluted":true}}}}',
    ];
    for (const raw of payloads) {
      const res = await app.request('/webhook', webhook(raw));
      expect(res.status).toBe(422);
    }
    expect(({} as Json)['polluted']).toBeUndefined();
    expect(publisher.published).toHaveLength(0);
  });

  it.each([
    ['unavailable', '5'],
    ['timeout', '5'],
    ['overloaded', '1'],
    ['draining', '1'],
  ] as const)(
    'answers 503 with Retry-After when the publish fails (%s), never 202',
    async (reason, retry) => {
      const { app, publisher } = makeApp();
      publisher.failWith = reason;
      const res = await app.request('/webhook', webhook(VALID));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe(retry);
      expect((await problemOf(res))['reason']).toBe(reason);
    },
  );

  it('answers 503 at once while draining, before reading the body', async () => {
    const { app, publisher } = makeApp({ isDraining: () => true });
    const res = await app.request('/webhook', webhook(VALID));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(publisher.published).toHaveLength(0);
  });
});

describe('routing', () => {
  it('answers 405 with Allow for a wrong method', async () => {
    const { app } = makeApp();
    const res = await app.request('/webhook', { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    await problemOf(res);
    expect((await app.request('/healthz', { method: 'POST' })).headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 404 as problem+json for an unknown path', async () => {
    const { app } = makeApp();
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    await problemOf(res);
  });

  it('answers /healthz 200 always and /readyz 200 only when the publisher is ready and not draining', async () => {
    let draining = false;
    const { app, publisher } = makeApp({ isDraining: () => draining });
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
    publisher.ready = false;
    const notReady = await app.request('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('retry-after')).toBe('5');
    publisher.ready = true;
    draining = true;
    expect((await app.request('/readyz')).status).toBe(503);
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('answers a 500 problem without a stack when something unexpected throws', async () => {
    const { app, lines } = makeApp();
    app.get('/boom', () => {
      throw new Error('secret internals');
    });
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const body = await problemOf(res);
    expect(JSON.stringify(body)).not.toContain('secret internals');
    expect(lines.some((l) => l['level'] === 'error')).toBe(true);
  });
});
