/**
 * The app factory: routes, each wrapped in the request scope (log context, errors as problems,
 * access line: ./request-scope.ts). Everything it needs is injected (publisher, verifier, logger,
 * clock), so tests drive it with `app.request(...)` and the entry (../main.ts) serves the same
 * object with @hono/node-server.
 */
import { Hono } from 'hono';
import type { Logger } from 'pino';
import openapi from '../../openapi.json';
import type { OutboundMessage, Publisher } from '../publish/types';
import { defaultSource, type Source } from '../sources';
import type { Verifier } from '../verify';
import type { AppEnv } from './env';
import { problem, problemResponse } from './problem';
import { errorResponse, requestScope } from './request-scope';
import { webhookHandler, type WebhookHandlerOptions } from './webhook';
import { servedOpenApi } from './openapi';
import { SERVICEBUS_MAX_MESSAGE_BYTES } from '../config';
import { PROBE_PATHS } from '../contract';

export interface AppOptions {
  /** MAX_BODY_BYTES. */
  maxBodyBytes: number;
  /**
   * MAX_MESSAGE_BYTES: a bigger serialized message answers 413 instead of being published.
   * @default SERVICEBUS_MAX_MESSAGE_BYTES (258,048: the smaller, Service Bus Standard bound)
   */
  maxMessageBytes?: number;
  /** POST /webhook's verifier (WEBHOOK_VERIFY / WEBHOOK_SECRET): the default source. */
  verifier: Verifier;
  /** The named sources (WEBHOOK_SOURCES), `POST /webhooks/<name>` each. @default none */
  sources?: readonly Source[];
  publisher: Publisher;
  logger: Logger;
  /** True once graceful shutdown began: /readyz fails and /webhook answers 503. @default never */
  isDraining?: () => boolean;
  /** Clock in ms, for signature time-stamps. @default Date.now */
  now?: () => number;
  /** Metrics observers (./telemetry); omitted when telemetry is off. */
  observe?: {
    /** `source`: the webhook routes' source name (`default` for POST /webhook). */
    request?: (route: string, status: number, durationMs: number, source?: string) => void;
    publish?: (durationMs: number, ok: boolean, source: string) => void;
    /** Wraps each publish (a PRODUCER span in ./telemetry). */
    tracePublish?: (message: OutboundMessage, publish: () => Promise<void>) => Promise<void>;
  };
}

/** The route of every named source (metric `http.route`; the source is its own attribute). */
export const SOURCE_ROUTE = '/webhooks/:source';

/**
 * The webhook core's options from the app's, for one source (the default: POST /webhook): the same
 * for the Hono route and the Node listener.
 */
export function webhookOptions(options: AppOptions, source?: Source): WebhookHandlerOptions {
  const { observe } = options;
  return {
    maxBodyBytes: options.maxBodyBytes,
    maxMessageBytes: options.maxMessageBytes ?? SERVICEBUS_MAX_MESSAGE_BYTES,
    source: source ?? defaultSource(options.verifier),
    publisher: options.publisher,
    logger: options.logger,
    isDraining: options.isDraining ?? (() => false),
    now: options.now ?? Date.now,
    ...(observe?.publish ? { onPublished: observe.publish } : {}),
    ...(observe?.tracePublish ? { tracePublish: observe.tracePublish } : {}),
  };
}

export function createApp(options: AppOptions): Hono<AppEnv> {
  const { logger, publisher, observe } = options;
  const isDraining = options.isDraining ?? (() => false);
  const app = new Hono<AppEnv>();
  const scope = requestScope({
    logger,
    isDraining,
    ...(observe?.request ? { onRequest: observe.request } : {}),
  });

  app.post('/webhook', scope('/webhook', webhookHandler(webhookOptions(options))));
  const sources = new Map(
    (options.sources ?? []).map((source) => [source.name, webhookHandler(webhookOptions(options, source))]),
  );
  app.post(
    SOURCE_ROUTE,
    scope(SOURCE_ROUTE, (c) => {
      const handler = sources.get(c.req.param('source') ?? '');
      if (handler === undefined) {
        throw problem(
          404,
          `no webhook source for ${c.req.path}; configured: ${[...sources.keys()].join(', ') || 'none'}`,
        );
      }
      return handler(c);
    }),
  );
  // The probe paths the deployment polls (../contract.ts; the startup probe polls liveness).
  const { liveness, readiness } = PROBE_PATHS;
  app.get(
    liveness,
    scope(liveness, (c) => c.json({ status: 'ok' })),
  );
  app.get(
    readiness,
    scope(readiness, (c) => {
      if (!isDraining() && publisher.isReady()) return c.json({ status: 'ready' });
      const reason = isDraining() ? 'draining' : 'broker not connected';
      return problemResponse(503, `not ready: ${reason}`, { headers: { 'retry-after': '5' } });
    }),
  );
  // The document lists the configured sources' names as /webhooks/{source}'s enum.
  const document = servedOpenApi(openapi, [...sources.keys()]);
  app.get(
    '/openapi.json',
    scope('/openapi.json', (c) => c.json(document)),
  );

  const allow: Record<string, string> = {
    '/webhook': 'POST',
    [liveness]: 'GET, HEAD',
    [readiness]: 'GET, HEAD',
    '/openapi.json': 'GET, HEAD',
  };
  for (const name of sources.keys()) allow[`/webhooks/${name}`] = 'POST';
  // 405 is answered from notFound (no route matched this method): an `app.all` per path would also
  // match every allowed request and put Hono's middleware composition back on the hot path.
  const methodNotAllowed = new Map(
    Object.entries(allow).map(([path, methods]) => [
      path,
      scope(path, (c) => {
        throw problem(405, `${c.req.method} is not allowed on ${path}; allowed: ${methods}`, {
          headers: { allow: methods },
        });
      }),
    ]),
  );
  const notFound = scope('*', (c) => problemResponse(404, `no route for ${c.req.method} ${c.req.path}`));
  app.notFound((c) => (methodNotAllowed.get(c.req.path) ?? notFound)(c));
  // Safety net for routes added without the scope (the scope itself answers its errors).
  app.onError((err, c) => errorResponse(err, c.get('log') as (() => Logger) | undefined, logger));
  return app;
}
