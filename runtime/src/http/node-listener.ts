/**
 * The production HTTP listener: `POST /webhook` and `POST /webhooks/<configured source>` are served
 * by the webhook core (./webhook.ts) straight from Node's request and response; every other request goes to the Hono app through
 * @hono/node-server. Same core, same request scope (./request-scope.ts), same problem documents as
 * the Hono route — without building a Request, a Hono Context and a Response per webhook, which
 * cost a fifth of the CPU per request (docs/decisions/0009-runtime-hot-path.md).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp, SOURCE_ROUTE, webhookOptions, type AppOptions } from './app';
import { incomingBodyReader } from './body';
import type { AppEnv } from './env';
import type { HeaderReader } from './headers';
import { closeRequest, errorResponse, openRequest, type RequestScopeOptions } from './request-scope';
import { acceptedHeaders, outcomeResponse, webhookCore, type WebhookCore } from './webhook';

export interface Runtime {
  /** The Hono app: every route (also `POST /webhook`, for `app.request` and Azure Functions). */
  readonly app: Hono<AppEnv>;
  /** The listener for `node:http`'s `createServer`. */
  readonly listener: RequestListener;
}

/** The same path Hono routes as `/webhook`: exact, or with a query string. */
const isWebhook = (url: string | undefined) => url === '/webhook' || url?.startsWith('/webhook?') === true;

const SOURCES_PREFIX = '/webhooks/';

/** `/webhooks/<name>[?…]` → `<name>`; anything else (other paths, a trailing slash) → undefined. */
function sourceName(url: string | undefined): string | undefined {
  if (url?.startsWith(SOURCES_PREFIX) !== true) return undefined;
  const query = url.indexOf('?');
  const name = url.slice(SOURCES_PREFIX.length, query === -1 ? undefined : query);
  return name.includes('/') ? undefined : name;
}

/** One webhook route: its core, and its metric route and path. */
interface Served {
  core: WebhookCore;
  route: string;
  path: string;
}

export function createRuntime(options: AppOptions): Runtime {
  const app = createApp(options);
  const hono = getRequestListener(app.fetch);
  const webhook: Served = { core: webhookCore(webhookOptions(options)), route: '/webhook', path: '/webhook' };
  // Unknown names fall through to the Hono app, which answers the 404 problem.
  const sources = new Map<string, Served>(
    (options.sources ?? []).map((source) => [
      source.name,
      {
        core: webhookCore(webhookOptions(options, source)),
        route: SOURCE_ROUTE,
        path: `/webhooks/${source.name}`,
      },
    ]),
  );
  const scope: RequestScopeOptions = {
    logger: options.logger,
    isDraining: options.isDraining ?? (() => false),
    ...(options.observe?.request ? { onRequest: options.observe.request } : {}),
  };
  const listener: RequestListener = (req, res) => {
    const served =
      req.method !== 'POST'
        ? undefined
        : isWebhook(req.url)
          ? webhook
          : sources.size > 0
            ? sources.get(sourceName(req.url) ?? '')
            : undefined;
    if (served !== undefined) {
      serveWebhook(served, scope, req, res).catch((err: unknown) => {
        scope.logger.error({ err }, 'writing the response failed');
        res.destroy();
      });
    } else void hono(req, res);
  };
  return { app, listener };
}

async function serveWebhook(
  { core, route, path }: Served,
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
    const outcome = await core({
      header,
      readBody: incomingBodyReader(req, header),
      logContext: context,
      log,
    });
    const response = outcomeResponse(outcome);
    const body = response.body;
    const out: Record<string, string | number> = acceptedHeaders(outcome.correlationId);
    out['content-length'] = Buffer.byteLength(body);
    // While draining, every response closes its connection so the proxy reconnects elsewhere.
    if (scope.isDraining()) out['connection'] = 'close';
    status = response.status;
    res.writeHead(status, out).end(body);
  } catch (err) {
    const problem = errorResponse(err, log, scope.logger);
    status = problem.status;
    await writeResponse(res, problem, scope.isDraining());
  }
  closeRequest(scope, { route, method: 'POST', path, status, started, log, source: context['source'] });
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
