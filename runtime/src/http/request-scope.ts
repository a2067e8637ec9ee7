/**
 * Per-request scope, wrapped around each route's handler (rather than an `app.use` middleware, so
 * every route has exactly one handler and Hono skips its middleware composition: measured, see
 * docs/decisions/0009-runtime-hot-path.md). It binds the request's log context (X-Request-Id, the
 * W3C trace id, later the correlationId), turns thrown errors into problem responses, closes
 * connections while draining, records the request metric, and writes the access line.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import type { AppEnv } from './env';
import { RequestAborted } from './body';
import { headerReader, type HeaderReader } from './headers';
import { problemResponse } from './problem';

export type RouteHandler = (c: Context<AppEnv>) => Response | Promise<Response>;

export interface RequestScopeOptions {
  logger: Logger;
  isDraining: () => boolean;
  /** Request metric observer (./telemetry); `undefined` costs nothing. */
  onRequest?: (route: string, status: number, durationMs: number, source?: string) => void;
}

const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/**
 * The error → response mapping shared by the scope and the app's `onError` safety net. A request
 * whose body never arrived (./body.ts `RequestAborted`) is the client's doing, not an error: one
 * debug line without a stack, and a bodiless response with its 499/408 status that nobody receives
 * (the connection is gone) but that the access line and the request metric record.
 */
export function errorResponse(err: unknown, log: (() => Logger) | undefined, logger: Logger): Response {
  if (err instanceof HTTPException) return err.getResponse();
  if (err instanceof RequestAborted) {
    if (logger.isLevelEnabled('debug')) {
      (log?.() ?? logger).debug({ reason: err.message }, 'client aborted the request');
    }
    return new Response(null, { status: err.status, headers: { connection: 'close' } });
  }
  (log?.() ?? logger).error({ err }, 'unhandled error');
  return problemResponse(500, 'internal error; the webhook was not published');
}

/** The request's log context (X-Request-Id, W3C trace id) and its lazily built child logger. */
export function openRequest(
  header: HeaderReader,
  logger: Logger,
): { context: Record<string, string>; log: () => Logger } {
  const requestId = header('x-request-id');
  const traceparent = header('traceparent');
  const context: Record<string, string> = {};
  if (requestId !== undefined && requestId.length <= 200) context['requestId'] = requestId;
  if (traceparent !== undefined && TRACEPARENT.test(traceparent))
    context['traceId'] = traceparent.slice(3, 35);
  // The child logger is built only when a line is actually written: the 202 path writes none at
  // the default level, and a pino child per request is measurable at thousands of requests/s.
  let child: Logger | undefined;
  return { context, log: () => (child ??= logger.child(context)) };
}

export interface Finished {
  route: string;
  method: string;
  path: string;
  status: number;
  started: number;
  log: () => Logger;
  /** The webhook routes' source (`default` for POST /webhook): a metric attribute. */
  source?: string | undefined;
}

/** Records the request metric and writes the access line. */
export function closeRequest(options: RequestScopeOptions, done: Finished): void {
  const { logger, onRequest } = options;
  const { status } = done;
  const durationMs = performance.now() - done.started;
  onRequest?.(done.route, status, durationMs, done.source);
  // NGINX and App Gateway keep the access log; here successes are debug, failures info/warn.
  const level = status >= 500 ? 'warn' : status >= 400 ? 'info' : 'debug';
  if (logger.isLevelEnabled(level)) {
    const line: Record<string, unknown> = {
      method: done.method,
      path: done.path,
      status,
      durationMs: Math.round(durationMs * 100) / 100,
    };
    // The request never arrived whole and got no answer from the app (see errorResponse).
    if (status === 499 || status === 408) line['aborted'] = true;
    done.log()[level](line, status >= 500 ? 'request failed' : 'request');
  }
}

/** `scope(route, handler)`: `route` is the registered path, the `http.route` of the request metric. */
export function requestScope(
  options: RequestScopeOptions,
): (route: string, handler: RouteHandler) => RouteHandler {
  const { logger, isDraining } = options;
  return (route, handler) =>
    async function scoped(c) {
      const started = performance.now();
      const { context, log } = openRequest(headerReader(c), logger);
      c.set('logContext', context);
      c.set('log', log);
      let res: Response;
      try {
        res = await handler(c);
      } catch (err) {
        res = errorResponse(err, c.get('log'), logger);
      }
      // While draining, every response closes its connection so the proxy reconnects elsewhere.
      if (isDraining()) res.headers.set('connection', 'close');
      closeRequest(options, {
        route,
        method: c.req.method,
        path: c.req.path,
        status: res.status,
        started,
        log,
        source: context['source'],
      });
      return res;
    };
}
