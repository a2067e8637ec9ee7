import { Token } from 'cdktf';
import { durationInRange, intInRange, matches, oneOf, parseIsoDuration, validate } from './validation';

describe('validate', () => {
  it('passes when every rule passes', () => {
    expect(() => validate('X', [undefined, intInRange('a', 3, 1, 5)])).not.toThrow();
  });

  it('fails listing every failed rule with field, allowed range and received value', () => {
    expect(() =>
      validate('MessageBus Bus', [
        intInRange('capacity', 3.5, 1, 16),
        oneOf('sku', 'Gold', ['Standard', 'Premium']),
      ]),
    ).toThrow(
      /MessageBus Bus: invalid props:\n {2}- capacity must be an integer from 1 to 16 \(received 3.5\)\n {2}- sku must be one of Standard, Premium \(received "Gold"\)/,
    );
  });

  it('skips unresolved tokens, which are only known at apply time', () => {
    expect(intInRange('n', Token.asNumber({ ref: 1 }), 1, 2)).toBeUndefined();
    expect(matches('name', Token.asString({ ref: 1 }), /^a$/, 'a')).toBeUndefined();
  });
});

describe('ISO 8601 durations', () => {
  it.each([
    ['PT10M', 600],
    ['PT30S', 30],
    ['P14D', 14 * 86400],
    ['PT1H30M', 5400],
    ['P1DT1S', 86401],
  ])('parses %s to %d seconds', (text, seconds) => {
    expect(parseIsoDuration(text)).toBe(seconds);
  });

  it.each(['10M', 'P', 'PT', 'PT-1M', 'P1H'])('rejects %s', (text) => {
    expect(parseIsoDuration(text)).toBeUndefined();
  });

  it('fails if a duration is outside its range, naming the range', () => {
    expect(durationInRange('lockDuration', 'PT6M', 'PT5S', 'PT5M')).toBe(
      'lockDuration must be an ISO 8601 duration from PT5S to PT5M (received "PT6M")',
    );
    expect(durationInRange('lockDuration', 'PT5M', 'PT5S', 'PT5M')).toBeUndefined();
    expect(durationInRange('lockDuration', 'five minutes', 'PT5S', 'PT5M')).toMatch(
      /received "five minutes"/,
    );
  });
});
