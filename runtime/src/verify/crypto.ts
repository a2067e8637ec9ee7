/** Constant-time comparison and HMAC helpers shared by the schemes. */
import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** Constant-time equality; different lengths are unequal (timingSafeEqual would throw). */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Compares secrets of any length without leaking the length: both sides are hashed first. */
export function safeEqualText(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Imports a secret once (at start) so each request skips the key setup. */
export function hmacKey(secret: Buffer | string): KeyObject {
  return createSecretKey(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
}

export function hmacSha256(key: KeyObject, ...parts: Array<Buffer | string>): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Delivery ids become broker message ids (Service Bus: ≤ 128 chars); anything odd is ignored. */
export function deliveryId(value: string | undefined): string | undefined {
  return value !== undefined && /^[\x21-\x7e]{1,128}$/.test(value) ? value : undefined;
}

/** Whole seconds within ±tolerance of `nowMs`. */
export function withinTolerance(timestamp: string, nowMs: number, toleranceSeconds: number): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(Number(timestamp) - Math.floor(nowMs / 1000)) <= toleranceSeconds;
}
