import { createHmac } from 'node:crypto';
import { stripeVerifier } from './stripe';
import { request } from './test-request';

const SECRET = 'whsec_test_secret_used_as_is';
const BODY = '{"id":"evt_1","object":"event"}';
const T = 1_700_000_000;
const NOW = T * 1000;
const v1 = (secret: string | Buffer, t = T, body = BODY) =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

describe('stripe verifier', () => {
  const verifier = stripeVerifier([SECRET]);

  it('accepts a valid t=,v1= header with the secret used as-is', () => {
    expect(verifier.verify(request({ 'Stripe-Signature': `t=${T},v1=${v1(SECRET)}` }, BODY, NOW)).ok).toBe(
      true,
    );
  });

  it('fails if the signature was made with the base64-decoded secret (Stripe does not decode)', () => {
    const decoded = Buffer.from(SECRET.slice(6), 'base64');
    const header = `t=${T},v1=${v1(decoded)}`;
    expect(verifier.verify(request({ 'Stripe-Signature': header }, BODY, NOW)).ok).toBe(false);
  });

  it('accepts any of several v1 entries and skips unknown schemes such as v0', () => {
    const header = `t=${T},v0=${v1('legacy')},v1=${'0'.repeat(64)},v9=zz,v1=${v1(SECRET)}`;
    expect(verifier.verify(request({ 'Stripe-Signature': header }, BODY, NOW)).ok).toBe(true);
  });

  it('fails if only a v0 signature matches', () => {
    const header = `t=${T},v0=${v1(SECRET)}`;
    expect(verifier.verify(request({ 'Stripe-Signature': header }, BODY, NOW)).ok).toBe(false);
  });

  it('accepts within 300 s and fails beyond it', () => {
    const header = `t=${T},v1=${v1(SECRET)}`;
    expect(verifier.verify(request({ 'Stripe-Signature': header }, BODY, NOW + 300_000)).ok).toBe(true);
    expect(verifier.verify(request({ 'Stripe-Signature': header }, BODY, NOW + 301_000)).ok).toBe(false);
    expect(verifier.verify(request({ 'Stripe-Signature': header }, BODY, NOW - 301_000)).ok).toBe(false);
  });

  it('fails on a tampered body or timestamp, a wrong secret, or a missing header', () => {
    expect(
      verifier.verify(request({ 'Stripe-Signature': `t=${T},v1=${v1(SECRET)}` }, BODY + 'x', NOW)).ok,
    ).toBe(false);
    expect(
      verifier.verify(request({ 'Stripe-Signature': `t=${T + 1},v1=${v1(SECRET)}` }, BODY, NOW)).ok,
    ).toBe(false);
    expect(verifier.verify(request({ 'Stripe-Signature': `t=${T},v1=${v1('other')}` }, BODY, NOW)).ok).toBe(
      false,
    );
    expect(verifier.verify(request({}, BODY, NOW)).ok).toBe(false);
  });

  it("accepts the rotation secret and takes the delivery id from the event's id", () => {
    const v = stripeVerifier(['whsec_old', SECRET]);
    expect(v.verify(request({ 'Stripe-Signature': `t=${T},v1=${v1(SECRET)}` }, BODY, NOW)).ok).toBe(true);
    expect(v.deliveryIdFromBody?.({ id: 'evt_1' })).toBe('evt_1');
    expect(v.deliveryIdFromBody?.({ id: 42 })).toBeUndefined();
  });
});
