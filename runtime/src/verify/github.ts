/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`; the legacy SHA-1
 * `X-Hub-Signature` is not accepted. Delivery id: `X-GitHub-Delivery`.
 */
import { deliveryId, hmacKey, hmacSha256, safeEqual } from './crypto';
import type { Verifier } from './types';

export function githubVerifier(secrets: readonly string[]): Verifier {
  const keys = secrets.map((s) => hmacKey(s));
  return {
    scheme: 'github',
    verify({ header, rawBody }) {
      const signature = header('x-hub-signature-256');
      if (signature?.startsWith('sha256=') !== true || !/^[0-9a-fA-F]{64}$/.test(signature.slice(7))) {
        return { ok: false, reason: 'missing or malformed X-Hub-Signature-256 header' };
      }
      const received = Buffer.from(signature.slice(7), 'hex');
      for (const key of keys) {
        if (safeEqual(received, hmacSha256(key, rawBody))) {
          return { ok: true, deliveryId: deliveryId(header('x-github-delivery')) };
        }
      }
      return { ok: false, reason: 'X-Hub-Signature-256 does not match' };
    },
  };
}
