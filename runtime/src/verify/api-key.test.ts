import { apiKeyVerifier } from './api-key';
import { createVerifier } from './index';
import { request } from './test-request';

describe('api-key verifier', () => {
  const verifier = apiKeyVerifier(['k-old', 'k-new']);

  it('accepts X-Api-Key or Authorization: Bearer with any rotation key', () => {
    expect(verifier.verify(request({ 'X-Api-Key': 'k-new' }, '', 0)).ok).toBe(true);
    expect(verifier.verify(request({ Authorization: 'Bearer k-old' }, '', 0)).ok).toBe(true);
  });

  it('fails on a wrong key, a prefix of the key, another auth scheme, or no key', () => {
    expect(verifier.verify(request({ 'X-Api-Key': 'k-ne' }, '', 0)).ok).toBe(false);
    expect(verifier.verify(request({ 'X-Api-Key': 'k-new2' }, '', 0)).ok).toBe(false);
    expect(verifier.verify(request({ Authorization: 'Basic k-new' }, '', 0)).ok).toBe(false);
    expect(verifier.verify(request({}, '', 0)).ok).toBe(false);
  });
});

describe('createVerifier', () => {
  it('returns the none verifier only when chosen, accepting anything', () => {
    expect(createVerifier('none', []).verify(request({}, '', 0)).ok).toBe(true);
  });

  it('fails if a verifying scheme gets no secret', () => {
    expect(() => createVerifier('github', [])).toThrow(
      'createVerifier: scheme github needs at least one secret',
    );
  });
});
