/**
 * The generic HMAC scheme, for senders none of the named schemes fits: the signature of the raw
 * body in one header, `<prefix><HMAC-<algorithm>(secret, body) in hex or base64>`, keyed with the
 * secret's UTF-8 bytes as given (GitHub and Shopify are two instances of it). The prefix (e.g.
 * `sha256=`) is stripped before decoding; hex is accepted in either case, base64 only canonical
 * (standard alphabet, padded) so one signature has one spelling. Compared in constant time against
 * every key. No delivery id of its own: a source names its header or JSON pointer.
 */
import { createHmac, type KeyObject } from 'node:crypto';
import type { HMAC_ALGORITHMS, HMAC_ENCODINGS } from '../contract';
import { hmacKey, safeEqual } from './crypto';
import type { Verifier } from './types';

export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];
export type HmacEncoding = (typeof HMAC_ENCODINGS)[number];

export interface HmacOptions {
  /** The header carrying the signature (case-insensitive). */
  header: string;
  algorithm: HmacAlgorithm;
  encoding: HmacEncoding;
  /** Stripped before decoding (e.g. `sha256=`); a signature without it fails. @default none */
  prefix?: string;
}

/** Digest bytes per algorithm. */
const DIGEST_BYTES: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };

/** The exact text shape of a digest of `bytes` bytes in `encoding`. */
function signaturePattern(encoding: HmacEncoding, bytes: number): RegExp {
  if (encoding === 'hex') return new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`);
  const chars = Math.ceil(bytes / 3) * 4;
  const padding = (3 - (bytes % 3)) % 3;
  return new RegExp(`^[A-Za-z0-9+/]{${chars - padding}}${'='.repeat(padding)}$`);
}

export function hmacVerifier(secrets: readonly string[], options: HmacOptions): Verifier {
  if (options.header.trim() === '') throw new RangeError('hmacVerifier: header must not be empty');
  const keys: KeyObject[] = secrets.map((s) => hmacKey(s));
  const header = options.header.toLowerCase();
  const prefix = options.prefix ?? '';
  const { algorithm, encoding } = options;
  const bytes = DIGEST_BYTES[algorithm];
  const pattern = signaturePattern(encoding, bytes);
  return {
    scheme: 'hmac',
    verify({ header: read, rawBody }) {
      const value = read(header);
      const signature = value?.startsWith(prefix) === true ? value.slice(prefix.length) : undefined;
      if (signature === undefined || !pattern.test(signature)) {
        return { ok: false, reason: `missing or malformed ${options.header} header` };
      }
      const received = Buffer.from(signature, encoding);
      // Canonical base64 only: Node's decoder ignores trailing bits a forged spelling could set.
      if (encoding === 'base64' && received.toString('base64') !== signature) {
        return { ok: false, reason: `malformed ${options.header} header` };
      }
      for (const key of keys) {
        if (safeEqual(received, createHmac(algorithm, key).update(rawBody).digest())) return { ok: true };
      }
      return { ok: false, reason: `${options.header} does not match` };
    },
  };
}
