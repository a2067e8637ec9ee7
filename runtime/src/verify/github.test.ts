import { githubVerifier } from './github';
import { request } from './test-request';

// GitHub's documented example ("Validating webhook deliveries").
const SECRET = "It's a Secret to Everybody";
const BODY = 'Hello, World!';
const SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('github verifier', () => {
  const verifier = githubVerifier([SECRET]);

  it("accepts GitHub's documented example and returns X-GitHub-Delivery as delivery id", () => {
    const r = request({ 'X-Hub-Signature-256': SIGNATURE, 'X-GitHub-Delivery': 'd-1' }, BODY, 0);
    expect(verifier.verify(r)).toEqual({ ok: true, deliveryId: 'd-1' });
  });

  it('accepts the second rotation secret', () => {
    const v = githubVerifier(['old', SECRET]);
    expect(v.verify(request({ 'X-Hub-Signature-256': SIGNATURE }, BODY, 0)).ok).toBe(true);
  });

  it('fails on a tampered body, a wrong secret, a flipped digit, or a missing header', () => {
    expect(verifier.verify(request({ 'X-Hub-Signature-256': SIGNATURE }, 'Hello, World?', 0)).ok).toBe(false);
    expect(githubVerifier(['x']).verify(request({ 'X-Hub-Signature-256': SIGNATURE }, BODY, 0)).ok).toBe(
      false,
    );
    const flipped = SIGNATURE.slice(0, -1) + '8';
    expect(verifier.verify(request({ 'X-Hub-Signature-256': flipped }, BODY, 0)).ok).toBe(false);
    expect(verifier.verify(request({}, BODY, 0)).ok).toBe(false);
  });

  it('fails on a sha1 or truncated signature instead of throwing', () => {
    expect(verifier.verify(request({ 'X-Hub-Signature-256': 'sha1=abcd' }, BODY, 0)).ok).toBe(false);
    expect(verifier.verify(request({ 'X-Hub-Signature-256': SIGNATURE.slice(0, 30) }, BODY, 0)).ok).toBe(
      false,
    );
  });
});
