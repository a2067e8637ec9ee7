/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>` keyed with the app's client
 * secret. Delivery id: `X-Shopify-Event-Id` (the same across Shopify's retries).
 */
import { deliveryId, hmacKey, hmacSha256, safeEqual } from './crypto';
import type { Verifier } from './types';

export function shopifyVerifier(secrets: readonly string[]): Verifier {
  const keys = secrets.map((s) => hmacKey(s));
  return {
    scheme: 'shopify',
    verify({ header, rawBody }) {
      const signature = header('x-shopify-hmac-sha256');
      if (signature === undefined || !/^[A-Za-z0-9+/]{43}=$/.test(signature)) {
        return { ok: false, reason: 'missing or malformed X-Shopify-Hmac-Sha256 header' };
      }
      const received = Buffer.from(signature, 'base64');
      for (const key of keys) {
        if (safeEqual(received, hmacSha256(key, rawBody))) {
          return { ok: true, deliveryId: deliveryId(header('x-shopify-event-id')) };
        }
      }
      return { ok: false, reason: 'X-Shopify-Hmac-Sha256 does not match' };
    },
  };
}
