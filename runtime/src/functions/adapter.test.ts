import { HttpRequest, InvocationContext } from '@azure/functions';
import { makeApp, VALID, webhook } from '../http/test-fixtures';
import { createFunctionsHandler } from './adapter';

const context = new InvocationContext({ functionName: 'webhook', invocationId: 'test' });

function functionsRequest(path: string, init: RequestInit): HttpRequest {
  return new HttpRequest({
    method: init.method ?? 'GET',
    url: `https://func.example.net${path}`,
    headers: init.headers as Record<string, string>,
    ...(typeof init.body === 'string' ? { body: { string: init.body } } : {}),
  });
}

describe('Azure Functions v4 adapter', () => {
  it('serves POST /api/webhook through the same app: 202 after publishing', async () => {
    const { app, publisher } = makeApp();
    const handler = createFunctionsHandler(app.fetch);
    const res = await handler(functionsRequest('/api/webhook', webhook(VALID)), context);
    expect(res.status).toBe(202);
    const body = JSON.parse(Buffer.from(res.body as Uint8Array).toString()) as { correlationId: string };
    expect((res.headers as Record<string, string>)['x-correlation-id']).toBe(body.correlationId);
    expect(publisher.published).toHaveLength(1);
    expect(publisher.published[0]?.key).toBe('c-1');
  });

  it('keeps the raw body bytes so the signature still verifies, and rejects a bad one with 401', async () => {
    const { app, publisher } = makeApp();
    const handler = createFunctionsHandler(app.fetch);
    const init = webhook(VALID);
    const tampered = { ...init, body: VALID.replace('won', 'lost') };
    const res = await handler(functionsRequest('/api/webhook', tampered), context);
    expect(res.status).toBe(401);
    expect((res.headers as Record<string, string>)['content-type']).toBe('application/problem+json');
    expect(publisher.published).toHaveLength(0);
  });

  it('answers the app routes without the prefix too, and 404 for unknown paths', async () => {
    const { app } = makeApp();
    const handler = createFunctionsHandler(app.fetch);
    expect((await handler(functionsRequest('/api/healthz', { method: 'GET' }), context)).status).toBe(200);
    expect((await handler(functionsRequest('/healthz', { method: 'GET' }), context)).status).toBe(200);
    expect((await handler(functionsRequest('/api/nope', { method: 'GET' }), context)).status).toBe(404);
  });

  it('enforces MAX_BODY_BYTES on a Functions request', async () => {
    const { app } = makeApp({ maxBodyBytes: 64 });
    const handler = createFunctionsHandler(app.fetch);
    const res = await handler(functionsRequest('/api/webhook', webhook(VALID)), context);
    expect(res.status).toBe(413);
  });
});
