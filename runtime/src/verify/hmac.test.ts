import { createHmac } from 'node:crypto';
import { hmacVerifier, type HmacAlgorithm, type HmacEncoding } from './hmac';
import { request } from './test-request';

const KEY = 'a-fixed-key-of-32-bytes-for-test';
const BODY = '{"event":"ping"}';

describe('generic hmac verifier', () => {
  it('accepts fixed literal vectors computed with openssl (sha512/base64, sha1/hex with a prefix)', () => {
    // printf '{"event":"ping"}' | openssl dgst -sha512 -hmac "$KEY" -binary | base64
    const sha512 = '6C6yXmqk0QQZDGCif0Vrw/C6sugagSkgJMDPsfYGK4LnHLmQ40Z5whC/pT7m6v3JhQke++pmnXX1qAtiKU03+A==';
    const v512 = hmacVerifier([KEY], { header: 'X-Signature', algorithm: 'sha512', encoding: 'base64' });
    expect(v512.verify(request({ 'x-signature': sha512 }, BODY, 0))).toEqual({ ok: true });
    // printf '{"event":"ping"}' | openssl dgst -sha1 -hmac "$KEY" -hex
    const sha1 = 'sha1=b4353479ce41f99c5a283e7ae67982a475416711';
    const v1 = hmacVerifier([KEY], {
      header: 'X-Hook-Sig',
      algorithm: 'sha1',
      encoding: 'hex',
      prefix: 'sha1=',
    });
    expect(v1.verify(request({ 'X-Hook-Sig': sha1 }, BODY, 0))).toEqual({ ok: true });
    expect(
      v1.verify(request({ 'X-Hook-Sig': sha1.toUpperCase().replace('SHA1=', 'sha1=') }, BODY, 0)).ok,
    ).toBe(true);
  });

  const cases: Array<[HmacAlgorithm, HmacEncoding]> = [
    ['sha1', 'hex'],
    ['sha1', 'base64'],
    ['sha256', 'hex'],
    ['sha256', 'base64'],
    ['sha512', 'hex'],
    ['sha512', 'base64'],
  ];
  it.each(cases)(
    '%s/%s: accepts node:crypto’s signature, refuses a tampered body or another key',
    (algorithm, encoding) => {
      const signature = createHmac(algorithm, KEY).update(BODY).digest(encoding);
      const v = hmacVerifier(['an-older-key-also-16-bytes', KEY], {
        header: 'X-Sig',
        algorithm,
        encoding,
        prefix: 'v=',
      });
      expect(v.verify(request({ 'X-Sig': `v=${signature}` }, BODY, 0)).ok).toBe(true);
      expect(v.verify(request({ 'X-Sig': `v=${signature}` }, `${BODY} `, 0)).ok).toBe(false);
      expect(
        hmacVerifier(['another-key-of-16-bytes'], { header: 'X-Sig', algorithm, encoding }).verify(
          request({ 'X-Sig': signature }, BODY, 0),
        ).ok,
      ).toBe(false);
    },
  );

  it('fails without the prefix, with a missing header, a truncated or non-canonical signature', () => {
    const hex = createHmac('sha256', KEY).update(BODY).digest('hex');
    const v = hmacVerifier([KEY], {
      header: 'X-Sig',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: 'sha256=',
    });
    expect(v.verify(request({ 'X-Sig': hex }, BODY, 0))).toEqual({
      ok: false,
      reason: 'missing or malformed X-Sig header',
    });
    expect(v.verify(request({}, BODY, 0)).ok).toBe(false);
    expect(v.verify(request({ 'X-Sig': `sha256=${hex.slice(0, 62)}` }, BODY, 0)).ok).toBe(false);
    const b64 = createHmac('sha256', KEY).update(BODY).digest('base64');
    const vb = hmacVerifier([KEY], { header: 'X-Sig', algorithm: 'sha256', encoding: 'base64' });
    expect(vb.verify(request({ 'X-Sig': b64 }, BODY, 0)).ok).toBe(true);
    expect(vb.verify(request({ 'X-Sig': b64.replace(/=$/, '') }, BODY, 0)).ok).toBe(false);
    // The last character before `=` carries 2 spare bits: setting them is another spelling, refused.
    const last = b64.charAt(42);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const forged = `${b64.slice(0, 42)}${alphabet.charAt(alphabet.indexOf(last) | 1)}=`;
    expect(forged).not.toBe(b64);
    expect(vb.verify(request({ 'X-Sig': forged }, BODY, 0)).ok).toBe(false);
  });
});
