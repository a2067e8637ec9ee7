/**
 * The smoke client's pure parts: the Standard Webhooks signature (the specification's own example),
 * the --resolve parser and the signing secret it reads from Key Vault. The client against real HTTP
 * and HTTPS servers is in ./smoke.int.test.ts.
 */
import { signStandardWebhook } from './sign';
import { parseResolve, signingSecret } from './smoke';

describe('signStandardWebhook', () => {
  it('produces the signature of the Standard Webhooks specification example', () => {
    const headers = signStandardWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe('parseResolve', () => {
  it("reads <host>:<address> (any port) and curl's <host>:<port>:<address>", () => {
    expect(parseResolve('webhooks-dev.example.com:20.1.2.3')).toEqual({
      host: 'webhooks-dev.example.com',
      address: '20.1.2.3',
    });
    expect(parseResolve('webhooks.example.com:443:20.1.2.3')).toEqual({
      host: 'webhooks.example.com',
      port: 443,
      address: '20.1.2.3',
    });
    expect(parseResolve('h.example:8443:[2001:db8::1]')).toEqual({
      host: 'h.example',
      port: 8443,
      address: '2001:db8::1',
    });
  });

  it.each([
    'webhooks.example.com',
    'webhooks.example.com:not-an-ip',
    'h:70000:1.2.3.4',
    ':1.2.3.4',
    'h:1.2.3.4.5',
  ])('rejects %s', (text) => {
    expect(() => parseResolve(text)).toThrow(/--resolve must be/);
  });
});

describe('signingSecret (the Key Vault value the runtime verifies with)', () => {
  it('signs with the one secret, or the first (new) one of a rotation array', () => {
    expect(signingSecret('whsec_abc')).toBe('whsec_abc');
    expect(signingSecret(' whsec_abc\n')).toBe('whsec_abc');
    expect(signingSecret('["whsec_new","whsec_old"]')).toBe('whsec_new');
  });

  it('gives nothing for an unset, empty or unusable value, so the CLI says what is required', () => {
    for (const value of [undefined, '', '[]', '[1]', '["whsec_new"', '[""]']) {
      expect(signingSecret(value)).toBeUndefined();
    }
  });
});
