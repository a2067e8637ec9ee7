/**
 * Standard Webhooks (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` (Unix s),
 * `webhook-signature` = space-separated `v1,<base64 HMAC-SHA256>` over `${id}.${timestamp}.${body}`,
 * keyed with the base64-decoded secret after `whsec_`. Entries of other versions (e.g. `v1a`) are
 * skipped. Delivery id: `webhook-id`.
 *
 * Parsing is strict: a `v1` signature is the canonical standard base64 of exactly 32 bytes (43
 * characters and `=`); base64url, missing or extra padding, trailing or embedded garbage — all of
 * which Node's lenient decoder would accept — make that entry not match. Secrets are strict base64
 * too (./secrets.ts; the configuration refuses anything else at start).
 */
import { deliveryId, hmacKey, hmacSha256, safeEqual, withinTolerance } from './crypto';
import { standardWebhooksKey } from './secrets';
import { TOLERANCE_SECONDS, type Verifier } from './types';

/** `v1,` + 32 bytes in canonical base64: the last character before `=` carries 2 zero bits. */
const V1_SIGNATURE = /^v1,([A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=)$/;

export function standardWebhooksVerifier(secrets: readonly string[]): Verifier {
  const keys = secrets.map((s) => {
    const key = standardWebhooksKey(s);
    if (key === undefined) throw new Error('standardWebhooksVerifier: a secret is not base64');
    return hmacKey(key);
  });
  return {
    scheme: 'standard-webhooks',
    verify({ header, rawBody, now }) {
      const id = header('webhook-id');
      const timestamp = header('webhook-timestamp');
      const signature = header('webhook-signature');
      if (id === undefined || timestamp === undefined || signature === undefined) {
        return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
      }
      if (!withinTolerance(timestamp, now, TOLERANCE_SECONDS)) {
        return { ok: false, reason: 'webhook-timestamp outside the ±5 minute tolerance' };
      }
      const candidates: Buffer[] = [];
      for (const entry of signature.split(' ')) {
        const v1 = V1_SIGNATURE.exec(entry)?.[1];
        if (v1 !== undefined) candidates.push(Buffer.from(v1, 'base64'));
      }
      for (const key of keys) {
        const expected = hmacSha256(key, `${id}.${timestamp}.`, rawBody);
        if (candidates.some((c) => safeEqual(c, expected))) return { ok: true, deliveryId: deliveryId(id) };
      }
      return { ok: false, reason: 'no webhook-signature entry matches' };
    },
  };
}
