/**
 * Stripe: `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…][,v0=…]`, HMAC-SHA256 over
 * `${t}.${body}` keyed with the endpoint secret used as-is (it starts `whsec_` too, but unlike
 * Standard Webhooks it is NOT base64-decoded). Several v1 entries may be present (secret rolling);
 * other schemes (v0) are ignored. 300 s tolerance. Delivery id: the event's `id` in the body.
 */
import { deliveryId, hmacKey, hmacSha256, safeEqual, withinTolerance } from './crypto';
import { TOLERANCE_SECONDS, type Verifier } from './types';

export function stripeVerifier(secrets: readonly string[]): Verifier {
  const keys = secrets.map((s) => hmacKey(s));
  return {
    scheme: 'stripe',
    verify({ header, rawBody, now }) {
      const value = header('stripe-signature');
      if (value === undefined) return { ok: false, reason: 'missing Stripe-Signature header' };
      let timestamp: string | undefined;
      const v1: Buffer[] = [];
      for (const item of value.split(',')) {
        const eq = item.indexOf('=');
        const k = item.slice(0, eq).trim();
        const v = item.slice(eq + 1).trim();
        if (k === 't') timestamp = v;
        else if (k === 'v1' && /^[0-9a-fA-F]{64}$/.test(v)) v1.push(Buffer.from(v, 'hex'));
      }
      if (timestamp === undefined || v1.length === 0) {
        return { ok: false, reason: 'Stripe-Signature lacks t= or a v1= signature' };
      }
      if (!withinTolerance(timestamp, now, TOLERANCE_SECONDS)) {
        return { ok: false, reason: 'Stripe-Signature timestamp outside the 300 s tolerance' };
      }
      for (const key of keys) {
        const expected = hmacSha256(key, `${timestamp}.`, rawBody);
        if (v1.some((c) => safeEqual(c, expected))) return { ok: true };
      }
      return { ok: false, reason: 'no Stripe-Signature v1 entry matches' };
    },
    deliveryIdFromBody(body) {
      return typeof body['id'] === 'string' ? deliveryId(body['id']) : undefined;
    },
  };
}
