import { createHmac } from 'node:crypto';
import { shopifyVerifier } from './shopify';
import { request } from './test-request';

const SECRET = 'shpss_client_secret';
const BODY = '{"id":820982911946154500,"email":"jon@example.com"}';
const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64');

describe('shopify verifier', () => {
  const verifier = shopifyVerifier([SECRET]);

  it('accepts a valid X-Shopify-Hmac-Sha256 and returns X-Shopify-Event-Id as delivery id', () => {
    const r = request(
      { 'X-Shopify-Hmac-Sha256': sign(SECRET, BODY), 'X-Shopify-Event-Id': 'evt-9' },
      BODY,
      0,
    );
    expect(verifier.verify(r)).toEqual({ ok: true, deliveryId: 'evt-9' });
  });

  it('accepts any rotation secret', () => {
    const v = shopifyVerifier(['old', SECRET]);
    expect(v.verify(request({ 'X-Shopify-Hmac-Sha256': sign(SECRET, BODY) }, BODY, 0)).ok).toBe(true);
  });

  it('fails on a tampered body, a wrong secret, a hex digest, or a missing header', () => {
    const good = sign(SECRET, BODY);
    expect(verifier.verify(request({ 'X-Shopify-Hmac-Sha256': good }, BODY + ' ', 0)).ok).toBe(false);
    expect(verifier.verify(request({ 'X-Shopify-Hmac-Sha256': sign('x', BODY) }, BODY, 0)).ok).toBe(false);
    const hex = createHmac('sha256', SECRET).update(BODY).digest('hex');
    expect(verifier.verify(request({ 'X-Shopify-Hmac-Sha256': hex }, BODY, 0)).ok).toBe(false);
    expect(verifier.verify(request({}, BODY, 0)).ok).toBe(false);
  });
});
