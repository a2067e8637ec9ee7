/**
 * The Node request behind a Hono context, when there is one. Under @hono/node-server the
 * IncomingMessage is `c.env.incoming` (its HttpBindings), whose headers are already parsed:
 * reading them skips building a WHATWG Headers per request. Elsewhere (`app.request` in tests,
 * Azure Functions) there is none and callers use the standard Request.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

export function nodeIncoming(c: Context): IncomingMessage | undefined {
  const env: unknown = c.env;
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined;
  const incoming = (env as { incoming?: unknown }).incoming;
  return typeof incoming === 'object' && incoming !== null && 'headers' in incoming && 'on' in incoming
    ? (incoming as IncomingMessage)
    : undefined;
}
