/**
 * The app factory: routes, request logging, and the single error handler. Everything it needs is
 * injected (publisher, verifier, logger, clock), so tests drive it with `app.request(...)` and the
 * entry (../main.ts) serves the same object with @hono/node-server.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import openapi from '../../openapi.json';
import type { OutboundMessage, Publisher } from '../publish/types';
import type { Verifier } from '../verify';
import type { AppEnv } from './env';
import { headerReader } from './headers';
import { problem, problemResponse } from './problem';
import { webhookHandler } from './webhook';
import { SERVICEBUS_MAX_MESSAGE_BYTES } from '../config';

export interface AppOptions {
  /** MAX_BODY_BYTES. */
  maxBodyBytes: number;
  /**
   * MAX_MESSAGE_BYTES: a bigger serialized message answers 413 instead of being published.
   * @default SERVICEBUS_MAX_MESSAGE_BYTES (258,048: the smaller, Service Bus Standard bound)
   */
  maxMessageBytes?: number;
  verifier: Verifier;
  publisher: Publisher;
  logger: Logger;
  /** True once graceful shutdown began: /readyz fails and /webhook answers 503. @default never */
  isDraining?: () => boolean;
  /** Clock in ms, for signature time-stamps. @default Date.now */
  now?: () => number;
  /** Metrics observers (./telemetry); omitted when telemetry is off. */
  observe?: {
    request?: (route: string, status: number, durationMs: number) => void;
    publish?: (durationMs: number, ok: boolean) => void;
    /** Wraps each publish (a PRODUCER span in ./telemetry). */
    tracePublish?: (message: OutboundMessage, publish: () => Promise<void>) => Promise<void>;
  };
}

const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

export function createApp(options: AppOptions): Hono<AppEnv> {
  const { logger, publisher, observe } = options;
  const isDraining = options.isDraining ?? (() => false);
  const app = new Hono<AppEnv>();

  app.use(async function requestContext(c, next) {
    const started = performance.now();
    const header = headerReader(c);
    const requestId = header('x-request-id');
    const traceparent = header('traceparent');
    const context: Record<string, string> = {};
    if (requestId !== undefined && requestId.length <= 200) context['requestId'] = requestId;
    if (traceparent !== undefined && TRACEPARENT.test(traceparent))
      context['traceId'] = traceparent.slice(3, 35);
    // The child logger is built only when a line is actually written: the 202 path writes none at
    // the default level, and a pino child per request is measurable at thousands of requests/s.
    let child: Logger | undefined;
    c.set('logContext', context);
    c.set('log', () => (child ??= logger.child(context)));
    await next();
    // While draining, every response closes its connection so the proxy reconnects elsewhere.
    if (isDraining()) c.res.headers.set('connection', 'close');
    const status = c.res.status;
    const durationMs = performance.now() - started;
    observe?.request?.(c.req.routePath, status, durationMs);
    // NGINX and App Gateway keep the access log; here successes are debug, failures info/warn.
    const level = status >= 500 ? 'warn' : status >= 400 ? 'info' : 'debug';
    if (!logger.isLevelEnabled(level)) return;
    c.get('log')()[level](
      { method: c.req.method, path: c.req.path, status, durationMs: Math.round(durationMs * 100) / 100 },
      status >= 500 ? 'request failed' : 'request',
    );
  });

  app.post(
    '/webhook',
    webhookHandler({
      maxBodyBytes: options.maxBodyBytes,
      maxMessageBytes: options.maxMessageBytes ?? SERVICEBUS_MAX_MESSAGE_BYTES,
      verifier: options.verifier,
      publisher,
      logger,
      isDraining,
      now: options.now ?? Date.now,
      ...(observe?.publish ? { onPublished: observe.publish } : {}),
      ...(observe?.tracePublish ? { tracePublish: observe.tracePublish } : {}),
    }),
  );
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    if (!isDraining() && publisher.isReady()) return c.json({ status: 'ready' });
    const reason = isDraining() ? 'draining' : 'broker not connected';
    return problemResponse(503, `not ready: ${reason}`, { headers: { 'retry-after': '5' } });
  });
  app.get('/openapi.json', (c) => c.json(openapi));

  const allow: Record<string, string> = {
    '/webhook': 'POST',
    '/healthz': 'GET, HEAD',
    '/readyz': 'GET, HEAD',
    '/openapi.json': 'GET, HEAD',
  };
  for (const [path, methods] of Object.entries(allow)) {
    app.all(path, (c) => {
      throw problem(405, `${c.req.method} is not allowed on ${path}; allowed: ${methods}`, {
        headers: { allow: methods },
      });
    });
  }
  app.notFound((c) => problemResponse(404, `no route for ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    c.get('log')().error({ err }, 'unhandled error');
    return problemResponse(500, 'internal error; the webhook was not published');
  });
  return app;
}
