/**
 * Standard Webhooks (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` (Unix s),
 * `webhook-signature` = space-separated `v1,<base64 HMAC-SHA256>` over `${id}.${timestamp}.${body}`,
 * keyed with the base64-decoded secret after `whsec_`. Entries of other versions (e.g. `v1a`) are
 * skipped. Delivery id: `webhook-id`.
 */
import { deliveryId, hmacKey, hmacSha256, safeEqual, withinTolerance } from './crypto';
import { TOLERANCE_SECONDS, type Verifier } from './types';

export function standardWebhooksVerifier(secrets: readonly string[]): Verifier {
  const keys = secrets.map((s) => hmacKey(Buffer.from(s.startsWith('whsec_') ? s.slice(6) : s, 'base64')));
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
      const candidates = signature
        .split(' ')
        .filter((entry) => entry.startsWith('v1,'))
        .map((entry) => Buffer.from(entry.slice(3), 'base64'));
      for (const key of keys) {
        const expected = hmacSha256(key, `${id}.${timestamp}.`, rawBody);
        if (candidates.some((c) => safeEqual(c, expected))) return { ok: true, deliveryId: deliveryId(id) };
      }
      return { ok: false, reason: 'no webhook-signature entry matches' };
    },
  };
}
