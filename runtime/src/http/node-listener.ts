/**
 * The production HTTP listener: `POST /webhook` is served by the webhook core (./webhook.ts)
 * straight from Node's request and response; every other request goes to the Hono app through
 * @hono/node-server. Same core, same request scope (./request-scope.ts), same problem documents as
 * the Hono route — without building a Request, a Hono Context and a Response per webhook, which
 * cost a fifth of the CPU per request (docs/decisions/0009-runtime-hot-path.md).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp, webhookOptions, type AppOptions } from './app';
import { incomingBodyReader } from './body';
import type { AppEnv } from './env';
import type { HeaderReader } from './headers';
import { closeRequest, errorResponse, openRequest, type RequestScopeOptions } from './request-scope';
import { acceptedBody, acceptedHeaders, webhookCore, type WebhookCore } from './webhook';

export interface Runtime {
  /** The Hono app: every route (also `POST /webhook`, for `app.request` and Azure Functions). */
  readonly app: Hono<AppEnv>;
  /** The listener for `node:http`'s `createServer`. */
  readonly listener: RequestListener;
}

/** The same path Hono routes as `/webhook`: exact, or with a query string. */
const isWebhook = (url: string | undefined) => url === '/webhook' || url?.startsWith('/webhook?') === true;

export function createRuntime(options: AppOptions): Runtime {
  const app = createApp(options);
  const hono = getRequestListener(app.fetch);
  const core = webhookCore(webhookOptions(options));
  const scope: RequestScopeOptions = {
    logger: options.logger,
    isDraining: options.isDraining ?? (() => false),
    ...(options.observe?.request ? { onRequest: options.observe.request } : {}),
  };
  const listener: RequestListener = (req, res) => {
    if (req.method === 'POST' && isWebhook(req.url)) {
      serveWebhook(core, scope, req, res).catch((err: unknown) => {
        scope.logger.error({ err }, 'writing the response failed');
        res.destroy();
      });
    } else void hono(req, res);
  };
  return { app, listener };
}

async function serveWebhook(
  core: WebhookCore,
  scope: RequestScopeOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const headers = req.headers;
  const header: HeaderReader = (name) => {
    const value = headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const { context, log } = openRequest(header, scope.logger);
  let status: number;
  try {
    const correlationId = await core({
      header,
      readBody: incomingBodyReader(req, header),
      logContext: context,
      log,
    });
    const body = acceptedBody(correlationId);
    const out: Record<string, string | number> = acceptedHeaders(correlationId);
    out['content-length'] = Buffer.byteLength(body);
    // While draining, every response closes its connection so the proxy reconnects elsewhere.
    if (scope.isDraining()) out['connection'] = 'close';
    status = 202;
    res.writeHead(status, out).end(body);
  } catch (err) {
    const problem = errorResponse(err, log, scope.logger);
    status = problem.status;
    await writeResponse(res, problem, scope.isDraining());
  }
  closeRequest(scope, { route: '/webhook', method: 'POST', path: '/webhook', status, started, log });
}

/** Writes a (problem) Response to Node; only failures take this path. */
async function writeResponse(res: ServerResponse, response: Response, draining: boolean): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const out: Record<string, string | number> = {};
  response.headers.forEach((value, key) => {
    out[key] = value;
  });
  out['content-length'] = body.length;
  if (draining) out['connection'] = 'close';
  res.writeHead(response.status, out).end(body);
}
