/**
 * Keeps runtime/openapi.json true: drives the app into every documented status and validates each
 * response (status listed for that path and method, content type, body schema, documented headers)
 * against the document with ajv (JSON Schema 2020-12, OpenAPI 3.1's dialect).
 */
import Ajv2020 from 'ajv/dist/2020';
import openapi from '../../openapi.json';
import { githubSigned, makeSourcesApp } from '../sources/test-fixtures';
import { SOURCE_PATH } from './openapi';
import { makeApp, VALID, webhook } from './test-fixtures';

type Json = Record<string, unknown>;
const doc = openapi as unknown as {
  paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
  components: Json;
};

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
ajv.addSchema({ $id: 'openapi', components: doc.components });

function resolve(node: Json): Json {
  const ref = node['$ref'];
  return typeof ref === 'string' ? { $ref: `openapi${ref}` } : node;
}

async function expectDocumented(path: string, method: string, res: Response): Promise<void> {
  const operation = doc.paths[path]?.[method.toLowerCase()];
  expect(operation).toBeDefined();
  const response = operation!.responses[String(res.status)] as
    { content?: Record<string, { schema: Json }>; headers?: Record<string, unknown> } | undefined;
  if (response === undefined) throw new Error(`${method} ${path} answered ${res.status}, not documented`);
  for (const header of Object.keys(response.headers ?? {})) {
    expect([header, res.headers.get(header)]).toEqual([header, expect.any(String)]);
  }
  const type = res.headers.get('content-type')?.split(';')[0] ?? '';
  const media = response.content?.[type];
  if (media === undefined)
    throw new Error(`${method} ${path} ${res.status}: content type ${type} not documented`);
  const validate = ajv.compile(resolve(media.schema));
  const body: unknown = await res.json();
  if (!validate(body)) throw new Error(`${method} ${path} ${res.status}: ${ajv.errorsText(validate.errors)}`);
}

describe('openapi.json matches the app', () => {
  it('is an OpenAPI 3.1 document listing every route', () => {
    expect((openapi as Json)['openapi']).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/healthz',
      '/openapi.json',
      '/readyz',
      '/webhook',
      '/webhooks/{source}',
    ]);
  });

  it('serves /webhooks/{source} with the configured names as its enum, and without it when none is', async () => {
    type Served = { paths: Record<string, { post: { parameters: Array<{ name: string; schema: Json }> } }> };
    const served = (await (await makeSourcesApp().app.request('/openapi.json')).json()) as Served;
    const parameter = served.paths[SOURCE_PATH]!.post.parameters.find((p) => p.name === 'source');
    expect(parameter?.schema['enum']).toEqual(['github', 'orders', 'acme', 'open']);
    const plain = (await (await makeApp().app.request('/openapi.json')).json()) as Served;
    expect(Object.keys(plain.paths)).not.toContain(SOURCE_PATH);
  });

  it.each<[string, string, RequestInit]>([
    ['202', '/webhooks/github', githubSigned('[1]')],
    ['200', '/webhooks/github', githubSigned('{}', { 'x-github-event': 'ping' })],
    ['400', '/webhooks/github', githubSigned('{')],
    ['401', '/webhooks/github', { ...githubSigned('{}'), body: '[]' }],
    ['404', '/webhooks/unknown', githubSigned('{}')],
    ['415', '/webhooks/github', githubSigned('{}', { 'content-type': 'text/plain' })],
    ['422', '/webhooks/orders', githubSigned('{}')],
  ])('POST /webhooks/{source} %s conforms', async (expected, path, init) => {
    const res = await makeSourcesApp().app.request(path, init);
    expect(String(res.status)).toBe(expected);
    await expectDocumented(SOURCE_PATH, 'POST', res);
  });

  it.each<[string, (f: ReturnType<typeof makeApp>) => RequestInit]>([
    ['202', () => webhook(VALID)],
    ['400', () => webhook('{')],
    ['401', () => ({ ...webhook(VALID), headers: { 'content-type': 'application/json' } })],
    ['413', () => webhook(JSON.stringify({ clientId: 'c', opportunity: { p: 'x'.repeat(2000) } }))],
    ['415', () => webhook(VALID, { 'content-type': 'text/plain' })],
    ['422', () => webhook('{"clientId":""}')],
    [
      '503',
      (f) => {
        f.publisher.failWith = 'unavailable';
        return webhook(VALID);
      },
    ],
  ])('POST /webhook %s conforms', async (expected, init) => {
    const f = makeApp();
    const res = await f.app.request('/webhook', init(f));
    expect(String(res.status)).toBe(expected);
    await expectDocumented('/webhook', 'POST', res);
  });

  it('GET/PUT/PATCH/DELETE /webhook 405 conform', async () => {
    const { app } = makeApp();
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const res = await app.request('/webhook', { method });
      expect(res.status).toBe(405);
      await expectDocumented('/webhook', method, res);
    }
  });

  it('health, readiness (200 and 503) and the document itself conform', async () => {
    const f = makeApp();
    await expectDocumented('/healthz', 'GET', await f.app.request('/healthz'));
    await expectDocumented('/readyz', 'GET', await f.app.request('/readyz'));
    await expectDocumented('/healthz', 'POST', await f.app.request('/healthz', { method: 'POST' }));
    await expectDocumented('/readyz', 'POST', await f.app.request('/readyz', { method: 'POST' }));
    f.publisher.ready = false;
    await expectDocumented('/readyz', 'GET', await f.app.request('/readyz'));
    await expectDocumented('/openapi.json', 'GET', await f.app.request('/openapi.json'));
  });

  it('fails if a response breaks the schema (the check itself can fail)', async () => {
    const bad = new Response(JSON.stringify({ status: 'accepted', correlationId: 'nope' }), {
      status: 202,
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'x' },
    });
    await expect(expectDocumented('/webhook', 'POST', bad)).rejects.toThrow('correlationId');
  });
});
