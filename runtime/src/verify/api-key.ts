/**
 * A shared key, for senders that cannot sign: `X-Api-Key: <key>` or `Authorization: Bearer <key>`.
 * Compared in constant time over hashes, so the key's length does not leak either. No delivery id.
 */
import { safeEqualText } from './crypto';
import type { Verifier } from './types';

export function apiKeyVerifier(secrets: readonly string[]): Verifier {
  return {
    scheme: 'api-key',
    verify({ header }) {
      const authorization = header('authorization');
      const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
      const presented = header('x-api-key') ?? bearer;
      if (presented === undefined) return { ok: false, reason: 'missing X-Api-Key or Authorization: Bearer' };
      // Check every secret (no early exit) so timing does not reveal which one matched.
      let ok = false;
      for (const secret of secrets) ok = safeEqualText(presented, secret) || ok;
      return ok ? { ok: true } : { ok: false, reason: 'API key does not match' };
    },
  };
}
