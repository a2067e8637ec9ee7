import { createHmac } from 'node:crypto';
import { githubVerifier } from './github';
import { rotatingVerifier } from './rotation';
import { request } from './test-request';

const OLD = 'the-old-secret-of-16-bytes';
const NEW = 'the-new-secret-of-16-bytes';
const BODY = '{"clientId":"c","opportunity":{}}';
const signed = (secret: string) => ({
  'X-Hub-Signature-256': `sha256=${createHmac('sha256', secret).update(BODY).digest('hex')}`,
});
const NOT_AFTER = Date.parse('2027-01-31T00:00:00Z');

describe('rotating secrets', () => {
  const verifier = rotatingVerifier([{ value: NEW }, { value: OLD, notAfter: NOT_AFTER }], (values) =>
    githubVerifier(values),
  );

  it('during the overlap both the old and the new secret verify', () => {
    expect(verifier.verify(request(signed(NEW), BODY, NOT_AFTER - 1000)).ok).toBe(true);
    expect(verifier.verify(request(signed(OLD), BODY, NOT_AFTER - 1000)).ok).toBe(true);
    expect(verifier.verify(request(signed(OLD), BODY, NOT_AFTER)).ok).toBe(true);
  });

  it('fails with the old secret once the clock passes its notAfter; the new one still verifies', () => {
    expect(verifier.verify(request(signed(OLD), BODY, NOT_AFTER + 1)).ok).toBe(false);
    expect(verifier.verify(request(signed(NEW), BODY, NOT_AFTER + 1)).ok).toBe(true);
  });

  it('fails when every secret is past its notAfter', () => {
    const expiring = rotatingVerifier([{ value: OLD, notAfter: NOT_AFTER }], (v) => githubVerifier(v));
    expect(expiring.verify(request(signed(OLD), BODY, NOT_AFTER - 1)).ok).toBe(true);
    expect(expiring.verify(request(signed(OLD), BODY, NOT_AFTER + 1))).toEqual({
      ok: false,
      reason: 'every secret is past its notAfter',
    });
  });

  it('is the scheme’s own verifier when no secret has a notAfter (no cost)', () => {
    const built = githubVerifier([NEW]);
    expect(rotatingVerifier([{ value: NEW }], () => built)).toBe(built);
  });
});
