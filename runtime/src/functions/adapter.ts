/**
 * Serves a fetch-style app (the same Hono app) from the Azure Functions v4 programming model: the
 * working replacement for the seed's Mangum handler (Mangum adapts ASGI to AWS Lambda events, not
 * to Azure Functions). The Functions route prefix (`/api` by default, host.json `routePrefix`) is
 * removed so the app sees `/webhook` either way.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export function toFetchRequest(req: HttpRequest, routePrefix = '/api'): Request {
  const url = new URL(req.url);
  if (routePrefix !== '' && (url.pathname === routePrefix || url.pathname.startsWith(`${routePrefix}/`))) {
    url.pathname = url.pathname.slice(routePrefix.length) || '/';
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body !== null;
  const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers: req.headers };
  if (hasBody) {
    init.body = req.body;
    init.duplex = 'half'; // a streamed body: the app's byte cap applies as it is read
  }
  return new Request(url, init);
}

export async function toHttpResponseInit(res: Response): Promise<HttpResponseInit> {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const body = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers, body };
}

export function createFunctionsHandler(fetch: FetchHandler, routePrefix = '/api') {
  return async function handler(req: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
    return toHttpResponseInit(await fetch(toFetchRequest(req, routePrefix)));
  };
}
