/**
 * Reads the raw request body with a hard byte cap, before anything parses it; the signature is
 * verified over exactly these bytes. A declared Content-Length over the cap is refused without
 * reading; a body without one (chunked) is counted chunk by chunk and refused as soon as it passes
 * the cap — the path hono's bodyLimit got wrong twice (CVE-2025-59139, CVE-2026-44456).
 */
import type { Context } from 'hono';
import type { AppEnv } from './env';
import type { HeaderReader } from './headers';
import { problem } from './problem';

export async function readBodyCapped(
  c: Context<AppEnv>,
  header: HeaderReader,
  limit: number,
  extraHeaders: Record<string, string>,
): Promise<Buffer> {
  const tooLarge = () =>
    problem(413, `request body exceeds MAX_BODY_BYTES (${limit} bytes)`, {
      headers: { ...extraHeaders, connection: 'close' },
    });
  const declared = header('content-length');
  const chunked = header('transfer-encoding') !== undefined;
  if (declared !== undefined && !chunked) {
    if (!/^\d+$/.test(declared)) throw problem(400, 'invalid Content-Length', { headers: extraHeaders });
    if (Number(declared) > limit) throw tooLarge();
    // Node's HTTP parser delivers exactly Content-Length bytes, so this read is bounded; the
    // length is still checked in case another runtime hands us a Request that lies.
    const body = Buffer.from(await c.req.arrayBuffer());
    if (body.length > limit) throw tooLarge();
    return body;
  }
  const stream = c.req.raw.body;
  if (stream === null) return Buffer.alloc(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
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
