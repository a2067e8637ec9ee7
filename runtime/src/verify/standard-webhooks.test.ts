import { createHmac } from 'node:crypto';
import { standardWebhooksVerifier } from './standard-webhooks';
import { request } from './test-request';

// The Standard Webhooks specification's published example vector.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TS = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const NOW = TS * 1000;

const headers = (signature = SIGNATURE, ts = String(TS), id = ID) => ({
  'webhook-id': id,
  'webhook-timestamp': ts,
  'webhook-signature': signature,
});

describe('standard-webhooks verifier', () => {
  const verifier = standardWebhooksVerifier([SECRET]);

  it('accepts the specification example vector and returns webhook-id as delivery id', () => {
    expect(verifier.verify(request(headers(), BODY, NOW))).toEqual({ ok: true, deliveryId: ID });
  });

  it('accepts a secret given without the whsec_ prefix', () => {
    const v = standardWebhooksVerifier([SECRET.slice(6)]);
    expect(v.verify(request(headers(), BODY, NOW)).ok).toBe(true);
  });

  it('accepts any rotation secret and any matching entry among several, skipping unknown versions', () => {
    const v = standardWebhooksVerifier(['whsec_b2xkLXNlY3JldA==', SECRET]);
    const multi = `v1a,abc v1,AAAA${'A'.repeat(40)} ${SIGNATURE}`;
    expect(v.verify(request(headers(multi), BODY, NOW)).ok).toBe(true);
  });

  it('accepts within ±5 minutes of the timestamp', () => {
    expect(verifier.verify(request(headers(), BODY, NOW + 299_000)).ok).toBe(true);
    expect(verifier.verify(request(headers(), BODY, NOW - 299_000)).ok).toBe(true);
  });

  it('fails outside ±5 minutes even with a valid signature', () => {
    expect(verifier.verify(request(headers(), BODY, NOW + 301_000)).ok).toBe(false);
    expect(verifier.verify(request(headers(), BODY, NOW - 301_000)).ok).toBe(false);
  });

  it('fails if the body, id or timestamp was altered', () => {
    expect(verifier.verify(request(headers(), '{"test": 2432232315}', NOW)).ok).toBe(false);
    expect(verifier.verify(request(headers(SIGNATURE, String(TS), 'msg_other'), BODY, NOW)).ok).toBe(false);
    expect(verifier.verify(request(headers(SIGNATURE, String(TS + 1)), BODY, NOW)).ok).toBe(false);
  });

  it('fails with a wrong secret, a truncated signature, or missing headers', () => {
    expect(
      standardWebhooksVerifier(['whsec_b2xkLXNlY3JldA==']).verify(request(headers(), BODY, NOW)).ok,
    ).toBe(false);
    expect(verifier.verify(request(headers(SIGNATURE.slice(0, 20)), BODY, NOW)).ok).toBe(false);
    expect(verifier.verify(request({ 'webhook-id': ID }, BODY, NOW)).ok).toBe(false);
  });

  it.each([
    ['the base64url alphabet', `v1,${SIGNATURE.slice(3).replace(/\+/g, '-').replace(/\//g, '_')}`],
    ['trailing garbage', `${SIGNATURE}garbage`],
    ['extra padding', `${SIGNATURE}==`],
    ['missing padding', SIGNATURE.slice(0, -1)],
    ['characters outside base64 inside it', `${SIGNATURE.slice(0, 20)}.${SIGNATURE.slice(20)}`],
    ['non-zero trailing bits', `${SIGNATURE.slice(0, -2)}F=`],
  ])('rejects a v1 signature written with %s (strict base64 of exactly 32 bytes)', (_, signature) => {
    expect(signature).not.toBe(SIGNATURE);
    expect(verifier.verify(request(headers(signature), BODY, NOW))).toEqual({
      ok: false,
      reason: 'no webhook-signature entry matches',
    });
    // The same mangled entry beside the exact one: the exact one still verifies.
    expect(verifier.verify(request(headers(`${signature} ${SIGNATURE}`), BODY, NOW)).ok).toBe(true);
  });

  it('refuses to build from a secret that is not strict base64, instead of keying with what Node salvages', () => {
    expect(() => standardWebhooksVerifier(['whsec_-_-_-_-_-_-_-_-_-_-_-'])).toThrow('not base64');
    expect(() => standardWebhooksVerifier(['whsec_A'])).toThrow('not base64');
  });

  it('fails if the signature is computed over the key string instead of its base64-decoded bytes', () => {
    const wrong = createHmac('sha256', SECRET.slice(6)).update(`${ID}.${TS}.${BODY}`).digest('base64');
    expect(verifier.verify(request(headers(`v1,${wrong}`), BODY, NOW)).ok).toBe(false);
  });
});
