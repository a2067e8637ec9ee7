/**
 * A raw HTTP/1.1 exchange over one TCP connection: the request goes out byte for byte as built
 * (invalid UTF-8, a Content-Length that lies, both Content-Length and Transfer-Encoding, a chunked
 * body past the limit), which `node:http`'s client refuses or rewrites. The server may answer and
 * close before the whole request was written (NGINX's 413): the answer still counts, a write error
 * after it does not.
 */
import { connect } from 'node:net';

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  /** Header lines as sent, in order; Host and `Connection: close` are added when absent. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  /** Bytes after the blank line, exactly as sent (already chunk-encoded when the case says so). */
  readonly body?: Buffer;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends `request` to 127.0.0.1:`port` and resolves with the parsed answer (rejects on no answer). */
export function rawExchange(port: number, request: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const lines = [`${request.method} ${request.path} HTTP/1.1`];
  const headers = request.headers ?? [];
  const has = (name: string) => headers.some(([key]) => key.toLowerCase() === name);
  if (!has('host')) lines.push(`Host: 127.0.0.1:${port}`);
  for (const [key, value] of headers) lines.push(`${key}: ${value}`);
  if (!has('connection')) lines.push('Connection: close');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  const payload = request.body === undefined ? head : Buffer.concat([head, request.body]);

  return new Promise((resolveExchange, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseResponse(Buffer.concat(chunks));
      if (parsed !== undefined) resolveExchange(parsed);
      else reject(error ?? new Error(`no HTTP response from 127.0.0.1:${port}`));
    };
    const timer = setTimeout(
      () => finish(new Error(`no complete response within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (isComplete(Buffer.concat(chunks))) finish();
    });
    socket.on('end', () => finish());
    // EPIPE / ECONNRESET once the server answered early and closed: the answer is what counts.
    socket.on('error', (error) => finish(error));
    socket.write(payload, () => undefined);
  });
}

function splitHead(raw: Buffer): { head: string; rest: Buffer } | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  return { head: raw.subarray(0, end).toString('latin1'), rest: raw.subarray(end + 4) };
}

function headerMap(head: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) map[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return map;
}

/** True once a whole response (by Content-Length or the chunked terminator) has arrived. */
function isComplete(raw: Buffer): boolean {
  const split = splitHead(raw);
  if (split === undefined) return false;
  const headers = headerMap(split.head);
  const length = headers['content-length'];
  if (length !== undefined) return split.rest.length >= Number(length);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) return split.rest.includes('0\r\n\r\n');
  return false; // read until close
}

function parseResponse(raw: Buffer): RawResponse | undefined {
  const split = splitHead(raw);
  if (split === undefined) return undefined;
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(split.head);
  if (match === null) return undefined;
  const headers = headerMap(split.head);
  let body = split.rest;
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined)
    body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(match[1]), headers, body: body.toString('utf8') };
}

function dechunk(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(raw.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** A body in chunked transfer coding: `chunkBytes`-sized chunks and the terminating zero chunk. */
export function chunked(body: Buffer, chunkBytes = 64 * 1024): Buffer {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += chunkBytes) {
    const piece = body.subarray(offset, offset + chunkBytes);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`, 'latin1'), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}
