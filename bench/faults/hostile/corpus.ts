/**
 * The hostile-input corpus sent through NGINX to a real runtime, each case with the EXACT status the
 * contract gives it (runtime/openapi.json, runtime/src/http/*, nginx/nginx.conf.template) and who
 * answers it. None of these may be published; the one `control` case must be (it proves the count
 * of published messages can see a publish at all).
 */
import { chunked, type RawRequest } from './raw-http';

/** `none`: the connection is closed without an HTTP answer (expectStatus 0). */
export type Answerer = 'nginx' | 'runtime' | 'none';

export interface HostileCase {
  readonly name: string;
  readonly category:
    | 'malformed-json'
    | 'oversized'
    | 'chunked-over-limit'
    | 'deeply-nested'
    | 'proto-key'
    | 'duplicate-key'
    | 'long-field'
    | 'wrong-type'
    | 'invalid-utf8'
    | 'content-type'
    | 'method'
    | 'path'
    | 'framing'
    | 'control';
  readonly request: RawRequest;
  readonly expectStatus: number;
  readonly answeredBy: Answerer;
  /** The answer must be an RFC 9457 `application/problem+json` whose `status` is the HTTP status. */
  readonly problemJson: boolean;
  /** True only for the control case: a valid webhook that must be published. */
  readonly publishes?: boolean;
  /** For a publishing case: the record on the topic must carry exactly these bytes (the request body). */
  readonly publishedBody?: Buffer;
}

export interface CorpusOptions {
  /** MAX_BODY_BYTES of both NGINX (client_max_body_size) and the runtime. @default 1048576 */
  readonly maxBodyBytes?: number;
  /** MAX_MESSAGE_BYTES of the runtime (Kafka default). @default 1000000 */
  readonly maxMessageBytes?: number;
  /** Nesting depth of the deeply nested cases. @default 100000 */
  readonly depth?: number;
}

const JSON_CT: ReadonlyArray<readonly [string, string]> = [['Content-Type', 'application/json']];

function post(body: Buffer | string, headers = JSON_CT): RawRequest {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return {
    method: 'POST',
    path: '/webhook',
    headers: [...headers, ['Content-Length', String(bytes.length)]],
    body: bytes,
  };
}

/** A valid webhook JSON whose total size is exactly `bytes` (padding inside `opportunity`). */
export function paddedWebhook(bytes: number, clientId = 'hostile'): Buffer {
  const prefix = `{"clientId":"${clientId}","opportunity":{"pad":"`;
  const suffix = '"}}';
  const pad = bytes - prefix.length - suffix.length;
  if (pad < 0) throw new Error(`paddedWebhook: ${bytes} bytes is too small`);
  return Buffer.from(prefix + 'x'.repeat(pad) + suffix, 'utf8');
}

const VALID = '{"clientId":"hostile","opportunity":{"id":"op-1"}}';

/**
 * The control: valid, with what re-serialising would alter (a number beyond double precision, one
 * beyond double range, `1.0`, a `\u` escape, whitespace) and the sender's own top-level
 * `correlationId`/`receivedAt` (ours travel as the ce_id/ce_time headers): published byte for byte.
 */
const CONTROL =
  ' {"correlationId":"sender-own","receivedAt":"yesterday","clientId":"hostile",' +
  '"opportunity":{"id":"op-1","amount":12345678901234567890123,"huge":1e400,"rate":1.0,"name":"\\u00e9"}}\n';

/** MAX_CLIENT_ID_LENGTH in runtime/src/http/payload.ts. */
const MAX_CLIENT_ID_LENGTH = 256;

export function hostileCorpus(options: CorpusOptions = {}): HostileCase[] {
  const maxBody = options.maxBodyBytes ?? 1_048_576;
  const maxMessage = options.maxMessageBytes ?? 1_000_000;
  const depth = options.depth ?? 100_000;
  /** A case answered by `answeredBy` with an RFC 9457 problem document. */
  const answeredBy =
    (by: HostileCase['answeredBy']) =>
    (
      name: string,
      category: HostileCase['category'],
      request: RawRequest,
      expectStatus: number,
      extra: Partial<HostileCase> = {},
    ): HostileCase => ({
      name,
      category,
      request,
      expectStatus,
      answeredBy: by,
      problemJson: true,
      ...extra,
    });
  const runtime = answeredBy('runtime');
  const nginx = answeredBy('nginx');

  return [
    // --- malformed JSON → 400 (runtime) ---
    runtime('truncated object', 'malformed-json', post('{"clientId":"c","opportunity":'), 400),
    runtime('trailing garbage', 'malformed-json', post(`${VALID}}`), 400),
    runtime('single quotes', 'malformed-json', post("{'clientId':'c','opportunity':{}}"), 400),
    runtime('NaN literal', 'malformed-json', post('{"clientId":"c","opportunity":{"n":NaN}}'), 400),
    runtime('empty body', 'malformed-json', post(''), 400),
    runtime('UTF-8 byte-order mark before the JSON', 'malformed-json', post(`\ufeff${VALID}`), 400),
    nginx(
      'Content-Length larger than the body (the rest never comes)',
      'framing',
      {
        method: 'POST',
        path: '/webhook',
        headers: [...JSON_CT, ['Content-Length', '100']],
        body: Buffer.from(VALID),
      },
      // NGINX waits client_body_timeout (CLIENT_TIMEOUT, 3 s), logs 408 and closes without an
      // answer (NGINX never writes a 408 response); no runtime is involved.
      0,
      { answeredBy: 'none', problemJson: false },
    ),
    // --- oversized → 413 ---
    nginx('Content-Length one byte over MAX_BODY_BYTES', 'oversized', post(paddedWebhook(maxBody + 1)), 413),
    runtime(
      'body under MAX_BODY_BYTES whose message exceeds MAX_MESSAGE_BYTES',
      'oversized',
      post(paddedWebhook(Math.min(maxBody, maxMessage + 10))),
      413,
    ),
    nginx(
      'chunked body over MAX_BODY_BYTES, no Content-Length',
      'chunked-over-limit',
      {
        method: 'POST',
        path: '/webhook',
        headers: [...JSON_CT, ['Transfer-Encoding', 'chunked']],
        body: chunked(paddedWebhook(maxBody + 64 * 1024)),
      },
      413,
    ),
    // --- framing NGINX refuses before any runtime sees it ---
    nginx(
      'both Content-Length and Transfer-Encoding (request smuggling shape)',
      'framing',
      {
        method: 'POST',
        path: '/webhook',
        headers: [...JSON_CT, ['Content-Length', '4'], ['Transfer-Encoding', 'chunked']],
        body: chunked(Buffer.from(VALID)),
      },
      400,
    ),
    nginx(
      'non-numeric Content-Length',
      'framing',
      {
        method: 'POST',
        path: '/webhook',
        headers: [...JSON_CT, ['Content-Length', 'abc']],
        body: Buffer.from(VALID),
      },
      400,
    ),
    nginx(
      'Transfer-Encoding other than chunked',
      'framing',
      {
        method: 'POST',
        path: '/webhook',
        headers: [...JSON_CT, ['Transfer-Encoding', 'gzip']],
        body: Buffer.from(VALID),
      },
      501,
    ),
    // A path NGINX would normalise to /webhook but the runtime would not route: refused, never forwarded.
    nginx('double slash before webhook', 'path', { ...post(VALID), path: '//webhook' }, 404),
    // --- deeply nested ---
    runtime(
      `array nested ${depth} levels as the whole body`,
      'deeply-nested',
      post('['.repeat(depth) + ']'.repeat(depth)),
      422,
    ),
    runtime(
      `clientId an object nested ${depth} levels`,
      'deeply-nested',
      post(`{"clientId":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)},"opportunity":{}}`),
      422,
    ),
    runtime(
      `opportunity nested ${depth} levels deep`,
      'deeply-nested',
      post(`{"clientId":"deep","opportunity":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`),
      422,
    ),
    // --- __proto__ / constructor / prototype keys → 422 ---
    runtime(
      '__proto__ at the top level',
      'proto-key',
      post('{"clientId":"c","opportunity":{},"__proto__":{"x":1}}'),
      422,
    ),
    runtime(
      '__proto__ inside opportunity',
      'proto-key',
      post('{"clientId":"c","opportunity":{"__proto__":{"admin":true}}}'),
      422,
    ),
    runtime(
      '__proto__ written with \\u escapes',
      'proto-key',
      post('{"clientId":"c","opportunity":{"\\u005f_proto__":{}}}'),
      422,
    ),
    runtime(
      'constructor.prototype inside opportunity',
      'proto-key',
      post('{"clientId":"c","opportunity":{"constructor":{"prototype":{"x":1}}}}'),
      422,
    ),
    runtime(
      `opportunity nested ${depth} levels with a \\u escape inside (no stack overflow, never 400)`,
      'deeply-nested',
      post(`{"clientId":"deep","opportunity":${'{"a":'.repeat(depth)}"\\u00e9"${'}'.repeat(depth)}}`),
      422,
    ),
    runtime(
      `opportunity nested ${depth} levels with "proto" and "constructor" inside (never 400)`,
      'deeply-nested',
      post(`{"clientId":"deep","opportunity":${'{"proto":'.repeat(depth)}"constructor"${'}'.repeat(depth)}}`),
      422,
    ),
    // --- duplicate keys → 422 (validation would see the last, a consumer may take the first) ---
    runtime(
      'duplicate key inside opportunity, with a top-level correlationId',
      'duplicate-key',
      post('{"correlationId":"x","clientId":"c","opportunity":{"amount":1,"amount":1000000}}'),
      422,
    ),
    runtime(
      'duplicate clientId key, both strings',
      'duplicate-key',
      post('{"clientId":"c","opportunity":{},"clientId":"d"}'),
      422,
    ),
    // --- fields copied into the Kafka key and headers are bounded ---
    runtime(
      `clientId of ${MAX_CLIENT_ID_LENGTH + 1} characters (one over MAX_CLIENT_ID_LENGTH)`,
      'long-field',
      post(JSON.stringify({ clientId: 'k'.repeat(MAX_CLIENT_ID_LENGTH + 1), opportunity: {} })),
      422,
    ),
    runtime(
      "clientId of 300,000 characters (kafkajs' murmur2 on it froze the runtime for seconds)",
      'long-field',
      post(JSON.stringify({ clientId: 'k'.repeat(300_000), opportunity: {} })),
      422,
    ),
    runtime(
      `clientId of ${MAX_CLIENT_ID_LENGTH} characters whose key and headers push the message over MAX_MESSAGE_BYTES (body alone under it)`,
      'oversized',
      post(paddedWebhook(maxMessage - 100, 'k'.repeat(MAX_CLIENT_ID_LENGTH))),
      413,
    ),
    // --- wrong types / missing fields → 422 ---
    runtime('clientId a number', 'wrong-type', post('{"clientId":42,"opportunity":{}}'), 422),
    runtime('clientId empty', 'wrong-type', post('{"clientId":"","opportunity":{}}'), 422),
    runtime('clientId only whitespace', 'wrong-type', post('{"clientId":"   ","opportunity":{}}'), 422),
    runtime('clientId null', 'wrong-type', post('{"clientId":null,"opportunity":{}}'), 422),
    runtime('opportunity a string', 'wrong-type', post('{"clientId":"c","opportunity":"op-1"}'), 422),
    runtime('opportunity an array', 'wrong-type', post('{"clientId":"c","opportunity":[1,2]}'), 422),
    runtime('opportunity missing', 'wrong-type', post('{"clientId":"c"}'), 422),
    runtime(
      'duplicate clientId key, last one a number',
      'wrong-type',
      post('{"clientId":"c","opportunity":{},"clientId":7}'),
      422,
    ),
    runtime('body a JSON array', 'wrong-type', post('[{"clientId":"c","opportunity":{}}]'), 422),
    runtime('body a JSON string', 'wrong-type', post('"hello"'), 422),
    runtime('body JSON null', 'wrong-type', post('null'), 422),
    // --- invalid UTF-8 → 400 (RFC 8259 §8.1: JSON exchanged between systems MUST be UTF-8) ---
    runtime(
      'invalid UTF-8 bytes inside clientId',
      'invalid-utf8',
      post(
        Buffer.concat([
          Buffer.from('{"clientId":"'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('","opportunity":{}}'),
        ]),
      ),
      400,
    ),
    runtime(
      'UTF-16 surrogate encoded as UTF-8 (CESU) inside opportunity',
      'invalid-utf8',
      post(
        Buffer.concat([
          Buffer.from('{"clientId":"c","opportunity":{"n":"'),
          Buffer.from([0xed, 0xa0, 0x80]),
          Buffer.from('"}}'),
        ]),
      ),
      400,
    ),
    runtime(
      'overlong encoding of "/" inside opportunity',
      'invalid-utf8',
      post(
        Buffer.concat([
          Buffer.from('{"clientId":"c","opportunity":{"n":"'),
          Buffer.from([0xc0, 0xaf]),
          Buffer.from('"}}'),
        ]),
      ),
      400,
    ),
    // --- content type → 415 ---
    runtime('text/plain', 'content-type', post(VALID, [['Content-Type', 'text/plain']]), 415),
    runtime('no Content-Type', 'content-type', post(VALID, []), 415),
    runtime(
      'application/x-www-form-urlencoded',
      'content-type',
      post('clientId=c', [['Content-Type', 'application/x-www-form-urlencoded']]),
      415,
    ),
    runtime(
      'application/jsonp (prefix of application/json)',
      'content-type',
      post(VALID, [['Content-Type', 'application/jsonp']]),
      415,
    ),
    runtime(
      'application/json-patch+json',
      'content-type',
      post(VALID, [['Content-Type', 'application/json-patch+json']]),
      415,
    ),
    // --- method → 405 (NGINX, with Allow: POST) ---
    nginx('GET /webhook', 'method', { method: 'GET', path: '/webhook' }, 405),
    nginx('PUT /webhook', 'method', { ...post(VALID), method: 'PUT' }, 405),
    nginx('DELETE /webhook', 'method', { method: 'DELETE', path: '/webhook' }, 405),
    nginx('PATCH /webhook', 'method', { ...post(VALID), method: 'PATCH' }, 405),
    nginx('OPTIONS /webhook', 'method', { method: 'OPTIONS', path: '/webhook' }, 405),
    nginx('POST /healthz', 'method', { ...post(VALID), path: '/healthz' }, 405),
    // --- path → 404 (NGINX) ---
    nginx('POST /webhooks', 'path', { ...post(VALID), path: '/webhooks' }, 404),
    nginx('POST /webhook/', 'path', { ...post(VALID), path: '/webhook/' }, 404),
    nginx('POST /WEBHOOK', 'path', { ...post(VALID), path: '/WEBHOOK' }, 404),
    nginx('POST /openapi.json (not proxied)', 'path', { ...post(VALID), path: '/openapi.json' }, 404),
    // --- control: a valid webhook, the only thing that may reach the topic, byte for byte ---
    runtime(
      'control: a valid webhook with its own correlationId/receivedAt, 12345678901234567890123, 1e400 and 1.0, published byte for byte',
      'control',
      post(CONTROL),
      202,
      { problemJson: false, publishes: true, publishedBody: Buffer.from(CONTROL, 'utf8') },
    ),
  ];
}
