/**
 * Reads the raw request body with a hard byte cap, before anything parses it; the signature is
 * verified over exactly these bytes. A declared Content-Length over the cap is refused without
 * reading; every body, declared or chunked, is counted chunk by chunk and refused as soon as it
 * passes the cap — the path hono's bodyLimit got wrong twice (CVE-2025-59139, CVE-2026-44456).
 *
 * In production (./node-listener.ts) the Node IncomingMessage is read directly: no Web
 * ReadableStream, no ArrayBuffer copy. Through Hono (`app.request`, Azure Functions) the Request
 * body stream.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './env';
import type { HeaderReader } from './headers';
import { problem } from './problem';

/**
 * The request body never arrived whole: the client closed the connection (or reset it) mid-body,
 * or Node's request time-out cut it. Not a server error: nobody is left to answer, so the request
 * scope (./request-scope.ts) logs it at debug without a stack, and its access line carries
 * `status` — 499 (NGINX's "client closed request"), or 408 when Node's time-out already answered
 * 408 — with `aborted: true`.
 */
export class RequestAborted extends Error {
  constructor(
    /** 408: Node answered its request time-out; 499: the client went away. */
    readonly status: 408 | 499,
  ) {
    super(
      status === 408
        ? 'the request did not arrive within the request time-out (Node answered 408)'
        : 'the client closed the connection before the request body ended',
    );
    this.name = 'RequestAborted';
  }
}

/** Reads the body under `limit` bytes; `extraHeaders` go on the 413/400 problem it may throw. */
export type BodyReader = (limit: number, extraHeaders: Record<string, string>) => Promise<Buffer>;

/** For a Node request (the production listener, ./node-listener.ts). */
export function incomingBodyReader(incoming: IncomingMessage, header: HeaderReader): BodyReader {
  return (limit, extraHeaders) => {
    const tooLarge = checkDeclared(header, limit, extraHeaders);
    return readIncoming(incoming, limit, tooLarge);
  };
}

/** For a Hono context (`app.request`, Azure Functions): the Request body stream. */
export function contextBodyReader(c: Context<AppEnv>, header: HeaderReader): BodyReader {
  return (limit, extraHeaders) => {
    const tooLarge = checkDeclared(header, limit, extraHeaders);
    // The count is enforced on what arrives, whatever Content-Length claimed.
    return readStream(c.req.raw.body, limit, tooLarge);
  };
}

/** Refuses a malformed or too large declared Content-Length; returns the 413 factory. */
function checkDeclared(
  header: HeaderReader,
  limit: number,
  extraHeaders: Record<string, string>,
): () => HTTPException {
  const tooLarge = () =>
    problem(413, `request body exceeds MAX_BODY_BYTES (${limit} bytes)`, {
      headers: { ...extraHeaders, connection: 'close' },
    });
  const declared = header('content-length');
  if (declared !== undefined && header('transfer-encoding') === undefined) {
    if (!/^\d+$/.test(declared)) throw problem(400, 'invalid Content-Length', { headers: extraHeaders });
    if (Number(declared) > limit) throw tooLarge();
  }
  return tooLarge;
}

function readIncoming(
  incoming: IncomingMessage,
  limit: number,
  tooLarge: () => HTTPException,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (incoming.readableEnded || incoming.readableDidRead) {
      reject(new Error('request body was already consumed'));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        // Stop counting and answer now; the 413 closes the connection, so the rest is never read.
        cleanup();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total));
    };
    // An IncomingMessage errors only when its connection ended early ('aborted'); 'close' before
    // 'end' is the same. Node records why on the socket: its request time-out, or the client.
    const onAborted = () => {
      cleanup();
      const cause = incoming.socket?.errored as NodeJS.ErrnoException | null | undefined;
      reject(new RequestAborted(cause?.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 499));
    };
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onAborted);
      incoming.off('close', onAborted);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onAborted);
    incoming.on('close', onAborted);
  });
}

async function readStream(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  tooLarge: () => HTTPException,
): Promise<Buffer> {
  if (stream === null) return Buffer.alloc(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    // The Request's body stream fails only when the client's connection did (an abort).
    const { done, value } = await reader.read().catch(() => {
      throw new RequestAborted(499);
    });
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
