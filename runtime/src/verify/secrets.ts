/**
 * What makes a configured secret usable as a key, per scheme: checked once at start by
 * ../config.ts (a weak key is a configuration error, not a warning), with messages that describe
 * the rule and never the value.
 *
 * - HMAC schemes: at least {@link MIN_HMAC_KEY_BYTES} key bytes. GitHub, Stripe, Shopify and the
 *   generic `hmac` scheme (./hmac.ts) key the HMAC with the secret's UTF-8 bytes as given;
 *   Standard Webhooks with the base64-decoded bytes after the optional `whsec_` prefix (`whsec_A`
 *   would be a zero-length key: anyone could sign).
 * - api-key: at least {@link MIN_API_KEY_CHARS} characters of visible ASCII (0x21–0x7e): the key
 *   travels unchanged in `X-Api-Key` or `Authorization: Bearer`, where a space cannot follow
 *   `Bearer <key>` and a non-ASCII character would arrive re-encoded.
 */
import type { VerifyScheme } from '../config';

/** Minimum HMAC key: 128 bits. */
export const MIN_HMAC_KEY_BYTES = 16;
/** Minimum shared API key length. */
export const MIN_API_KEY_CHARS = 32;

const BASE64 = /^[A-Za-z0-9+/]*$/;

/**
 * Strict standard base64 (RFC 4648 §4): the standard alphabet only, padding optional but only at
 * the end and only up to a multiple of 4, no dangling character, and zero trailing bits (the
 * canonical encoding), so one key has exactly one spelling. `undefined` when `text` is not that.
 */
export function strictBase64(text: string): Buffer | undefined {
  const bare = text.replace(/={1,2}$/, '');
  if (!BASE64.test(bare) || bare.length % 4 === 1) return undefined;
  if (bare.length !== text.length && text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(bare, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === bare ? bytes : undefined;
}

/** A Standard Webhooks key: the strict base64 after the optional `whsec_` prefix. */
export function standardWebhooksKey(secret: string): Buffer | undefined {
  return strictBase64(secret.startsWith('whsec_') ? secret.slice(6) : secret);
}

/**
 * Why `secret` cannot key `scheme`, as the end of a sentence that starts with the variable's name
 * ("WEBHOOK_SECRET must …"); `undefined` when it can. Never contains the secret or its length.
 */
export function secretProblem(scheme: VerifyScheme | 'hmac', secret: string): string | undefined {
  switch (scheme) {
    case 'standard-webhooks': {
      const key = standardWebhooksKey(secret);
      if (key === undefined) {
        return 'must be base64 (standard alphabet, optionally prefixed whsec_) for standard-webhooks';
      }
      return key.length < MIN_HMAC_KEY_BYTES
        ? `must decode to at least ${MIN_HMAC_KEY_BYTES} bytes for standard-webhooks (the base64 after whsec_)`
        : undefined;
    }
    case 'github':
    case 'stripe':
    case 'shopify':
    case 'hmac':
      return Buffer.byteLength(secret, 'utf8') < MIN_HMAC_KEY_BYTES
        ? `must be at least ${MIN_HMAC_KEY_BYTES} bytes for ${scheme}`
        : undefined;
    case 'api-key':
      return secret.length < MIN_API_KEY_CHARS || !/^[\x21-\x7e]+$/.test(secret)
        ? `must be at least ${MIN_API_KEY_CHARS} characters for api-key, visible ASCII without spaces (it is sent in a header)`
        : undefined;
    case 'none':
      return undefined;
  }
}

/**
 * The secrets in a WEBHOOK_SECRET value: ONE secret, the whole value (spaces included; only the
 * whitespace around it, such as a trailing newline, is dropped), or — when the value starts with
 * `[` — a JSON array of non-empty strings, each one secret kept exactly (rotation: any may match).
 * `undefined` when a value starting with `[` is not such an array. The smoke client reads the same
 * Key Vault value with it (pipelines/smoke).
 */
export function parseSecretList(value: string): string[] | undefined {
  const whole = value.trim();
  if (!whole.startsWith('[')) return [whole];
  let parsed: unknown;
  try {
    parsed = JSON.parse(whole);
  } catch {
    return undefined;
  }
  return Array.isArray(parsed) &&
    parsed.length > 0 &&
    parsed.every((s): s is string => typeof s === 'string' && s.length > 0)
    ? parsed
    : undefined;
}
