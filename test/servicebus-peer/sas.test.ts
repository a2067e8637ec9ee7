/**
 * The test peer's SAS token check, the one part of its authentication that is a pure function.
 * The peer itself, over a real socket with the SDK and a raw AMQP client, is in ./peer.int.test.ts.
 */
import { createHmac } from 'node:crypto';
import { verifySasToken } from './sas';

function sasToken(audience: string, keyName: string, key: string, expiry: number): string {
  const sr = encodeURIComponent(audience);
  const sig = encodeURIComponent(createHmac('sha256', key).update(`${sr}\n${expiry}`).digest('base64'));
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${expiry}&skn=${encodeURIComponent(keyName)}`;
}

describe('SAS token check', () => {
  const future = Math.floor(Date.now() / 1000) + 3600;

  it('accepts a token signed with the key and names its resource', () => {
    const check = verifySasToken(sasToken('sb://h/q', 'k', 'secret', future), 'k', 'secret');
    expect(check).toEqual({ valid: true, keyName: 'k', resource: 'sb://h/q' });
  });

  it('fails if the signature was made with another key', () => {
    expect(verifySasToken(sasToken('sb://h/q', 'k', 'other', future), 'k', 'secret').valid).toBe(false);
  });

  it('fails if the token expired or names another key', () => {
    expect(verifySasToken(sasToken('sb://h/q', 'k', 'secret', 1000), 'k', 'secret').reason).toBe(
      'token expired',
    );
    expect(verifySasToken(sasToken('sb://h/q', 'x', 'secret', future), 'k', 'secret').valid).toBe(false);
  });
});
