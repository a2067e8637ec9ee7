/**
 * Case-insensitive request header lookup. Under @hono/node-server it reads the Node
 * IncomingMessage's already-parsed header object (./node.ts); elsewhere (app.request in tests,
 * Azure Functions) it falls back to the standard `c.req.header`.
 */
import type { Context } from 'hono';
import { nodeIncoming } from './node';

export type HeaderReader = (name: string) => string | undefined;

export function headerReader(c: Context): HeaderReader {
  const headers = nodeIncoming(c)?.headers;
  if (headers === undefined) return (name) => c.req.header(name);
  return (name) => {
    const value = headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  };
}
