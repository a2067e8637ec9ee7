/** Test helper: a VerifyRequest from a plain header map (case-insensitive like HTTP). */
import type { VerifyRequest } from './types';

export function request(
  headers: Record<string, string>,
  body: string | Buffer,
  nowMs: number,
): VerifyRequest {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    header: (name) => lower.get(name.toLowerCase()),
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
    now: nowMs,
  };
}
