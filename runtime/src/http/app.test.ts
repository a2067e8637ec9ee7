import { PROBLEM_CONTENT_TYPE } from './problem';
import { makeApp, sign, VALID, webhook } from './test-fixtures';

type Json = Record<string, unknown>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('POST /webhook success', () => {
  it("answers 202 with the correlationId in body and header after publishing the sender's bytes and the CloudEvents attributes", async () => {
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
    expect(m.body.toString('utf8')).toBe(VALID);
    expect(m.cloudEvent).toEqual({
      specversion: '1.0',
      id: body['correlationId'],
      source: '/webhooks/github',
      type: 'com.cdktf-azure-webhooks.webhook.received',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      subject: 'c-1',
      datacontenttype: 'application/json',
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
    // VALID is 70 bytes; with its key and the CloudEvents headers/properties the message is ~1 KB.
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
    const size = probe.publisher.messageBytes(probe.publisher.published[0]!);
    const { app, publisher } = makeApp({ maxMessageBytes: size });
    const res = await app.request('/webhook', webhook(VALID));
    expect(res.status).toBe(202);
    expect(publisher.messageBytes(publisher.published[0]!)).toBe(size);
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

describe('POST /webhook: fields that reach a key, header or property are bounded (issue #13)', () => {
  const withClientId = (clientId: string) => JSON.stringify({ clientId, opportunity: { id: 1 } });

  it('answers 422 naming /clientId for a clientId over 256 characters, and accepts exactly 256', async () => {
    const { app, publisher } = makeApp({ maxBodyBytes: 1_048_576 });
    // Characters are code points, as JSON Schema's maxLength counts them: 256 emoji are 512 UTF-16 units.
    for (const clientId of ['k'.repeat(256), '😀'.repeat(256), 'é'.repeat(256)]) {
      const res = await app.request('/webhook', webhook(withClientId(clientId)));
      expect(res.status).toBe(202);
    }
    expect(publisher.published.map((m) => [...m.key].length)).toEqual([256, 256, 256]);
    for (const clientId of ['k'.repeat(257), '😀'.repeat(257), 'k'.repeat(480_000)]) {
      const res = await app.request('/webhook', webhook(withClientId(clientId)));
      expect(res.status).toBe(422);
      const body = await problemOf(res);
      expect(body['errors']).toEqual([
        { pointer: '/clientId', detail: 'clientId must be at most 256 characters' },
      ]);
      expect(body['detail']).toBe('clientId must be at most 256 characters');
    }
    expect(publisher.published).toHaveLength(3);
  });

  it('answers 422 naming /clientId for a clientId with a lone surrogate (the key would carry U+FFFD instead)', async () => {
    const { app, publisher } = makeApp();
    const res = await app.request('/webhook', webhook('{"clientId":"c-\\ud800","opportunity":{}}'));
    expect(res.status).toBe(422);
    expect((await problemOf(res))['errors']).toEqual([
      { pointer: '/clientId', detail: 'clientId must be well-formed Unicode (no lone surrogates)' },
    ]);
    expect(publisher.published).toHaveLength(0);
  });
});

describe('POST /webhook: the size guard counts the whole message (issue #13)', () => {
  it('answers 413 when the key and headers push the message over MAX_MESSAGE_BYTES though the body alone fits', async () => {
    const clientId = 'k'.repeat(256);
    const raw = JSON.stringify({ clientId, opportunity: { pad: 'x'.repeat(400) } });
    // Room for the body and then some, not for the clientId again as the key and the subject.
    const maxMessageBytes = Buffer.byteLength(raw) + 100;
    const { app, publisher } = makeApp({ maxMessageBytes });
    const res = await app.request('/webhook', webhook(raw));
    expect(res.status).toBe(413);
    const body = await problemOf(res);
    expect(body).toMatchObject({ reason: 'message-too-large', maxMessageBytes });
    expect(body['detail']).toMatch(/body, key and headers/);
    expect(publisher.published).toHaveLength(0);
  });

  it('answers 413, not 503, when the broker refuses one message as too large', async () => {
    const { app, publisher } = makeApp();
    publisher.failWith = 'too-large';
    const res = await app.request('/webhook', webhook(VALID));
    expect(res.status).toBe(413);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await problemOf(res)).toMatchObject({ reason: 'message-too-large', maxMessageBytes: 262_144 });
  });
});

describe("POST /webhook: the sender's bytes are published unchanged (issue #13)", () => {
  it('publishes the exact bytes that were verified, with a top-level correlationId/receivedAt, big numbers, 1e400 and 1.0', async () => {
    const { app, publisher } = makeApp();
    const raw =
      ' {"correlationId":"theirs","receivedAt":"then","clientId":"c","opportunity":' +
      '{"big":12345678901234567890123,"huge":1e400,"one":1.0,"é":"\\u00e9"}}\r\n';
    const res = await app.request('/webhook', webhook(raw));
    expect(res.status).toBe(202);
    const m = publisher.published[0]!;
    expect(m.body.equals(Buffer.from(raw))).toBe(true);
    // Ours travel beside the body: the CloudEvents id and time (Kafka ce_id/ce_time headers, Service
    // Bus correlationId + cloudEvents_id/cloudEvents_time properties).
    expect(m.correlationId).toBe(res.headers.get('x-correlation-id'));
    expect(m.cloudEvent.id).toBe(m.correlationId);
    expect(m.cloudEvent.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('POST /webhook: deep nesting and duplicate keys, one status whatever the content (issue #13)', () => {
  const nested = (levels: number, leaf: string) =>
    `{"clientId":"deep","opportunity":${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}}`;

  it.each([
    ['a \\u escape', '"\\u00e9"'],
    ['the word proto', '"proto"'],
    ['the word constructor', '"constructor"'],
    ['a __proto__ key', '{"__proto__":1}'],
    ['plain content', '1'],
  ])(
    'answers 422 for 10,000 and 400,000 levels with %s (never a swallowed stack overflow)',
    async (_name, leaf) => {
      const { app, publisher } = makeApp({ maxBodyBytes: 4_000_000 });
      for (const levels of [10_000, 400_000]) {
        const res = await app.request('/webhook', webhook(nested(levels, leaf)));
        expect(res.status).toBe(422);
        expect((await problemOf(res))['detail']).toBe('objects and arrays nest deeper than 64 levels');
      }
      expect(publisher.published).toHaveLength(0);
    },
  );

  it.each([
    ['at the top level', '{"clientId":"c","opportunity":{},"clientId":"d"}', '/clientId', 'clientId'],
    [
      'written with a \\u escape',
      '{"clientId":"c","opportunity":{},"\\u0063lientId":"d"}',
      '/clientId',
      'clientId',
    ],
    [
      'inside opportunity',
      '{"clientId":"c","opportunity":{"a":[{"x":1},{"x":1,"x":2}]}}',
      '/opportunity/a/1/x',
      'x',
    ],
    [
      'among 40 keys',
      `{"clientId":"c","opportunity":{${Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(',')},"k3":0}}`,
      '/opportunity/k3',
      'k3',
    ],
    [
      'with / and ~ in the key',
      '{"clientId":"c","opportunity":{"a/b~":1,"a/b~":1}}',
      '/opportunity/a~1b~0',
      'a/b~',
    ],
  ])('answers 422 naming the key for a duplicate key %s', async (_name, raw, pointer, key) => {
    const { app, publisher } = makeApp();
    const res = await app.request('/webhook', webhook(raw));
    expect(res.status).toBe(422);
    const body = await problemOf(res);
    expect(body['errors']).toEqual([{ pointer, detail: `duplicate key "${key}"` }]);
    expect(body['detail']).toBe(`key "${key}" appears more than once in the same object`);
    expect(publisher.published).toHaveLength(0);
  });

  it('accepts the same key in different objects', async () => {
    const { app } = makeApp();
    const raw = '{"clientId":"c","opportunity":{"id":1,"a":{"id":2}},"id":3,"list":[{"id":1},{"id":2}]}';
    expect((await app.request('/webhook', webhook(raw))).status).toBe(202);
  });
});
