/** WEBHOOK_SOURCES as loadConfig reads it: defaults, secrets from the variables they name, problems. */
import { ConfigError, ignoredVariables, loadConfig, secretVariables } from '../config';
import { sourceSecretEnvName } from '../contract';
import { SOURCES_ENV } from './test-fixtures';

const base = { BUS: 'kafka', KAFKA_BROKERS: 'localhost:9092', WEBHOOK_VERIFY: 'none' };
const withSources = (sources: unknown, env: Record<string, string> = {}) => ({
  ...base,
  WEBHOOK_SOURCES: JSON.stringify(sources),
  ...env,
});
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('WEBHOOK_SOURCES', () => {
  it('is optional: no named sources', () => {
    expect(loadConfig(base).sources).toEqual([]);
  });

  it('reads each secret from its variable (one or a JSON array), with notAfter as ms, and applies the defaults', () => {
    const config = loadConfig(SOURCES_ENV);
    const github = config.sources.find((s) => s.name === 'github')!;
    expect(github.secrets).toEqual([
      { value: 'github-source-secret-0', env: 'WEBHOOK_SOURCE_GITHUB_SECRET_0' },
      {
        value: 'github-source-old-secret',
        env: 'WEBHOOK_SOURCE_GITHUB_SECRET_1',
        notAfter: Date.parse('2027-01-31T00:00:00Z'),
      },
    ]);
    expect([github.deliveryId, github.key, github.body]).toEqual([
      { header: 'X-GitHub-Delivery' },
      { constant: 'github' },
      'passthrough',
    ]);
    expect(config.sources.find((s) => s.name === 'orders')!.key).toEqual({ jsonPointer: '/clientId' });
    const listed = loadConfig(
      withSources([{ name: 's', verify: 'stripe', secrets: [{ env: 'S' }] }], {
        S: '["whsec_aaaaaaaaaaaaaaaa","whsec_bbbbbbbbbbbbbbbb"]',
      }),
    ).sources[0]!;
    expect(listed.secrets.map((s) => s.value)).toEqual(['whsec_aaaaaaaaaaaaaaaa', 'whsec_bbbbbbbbbbbbbbbb']);
    expect(listed.deliveryId).toEqual({ jsonPointer: '/id' });
  });

  it('counts the secrets’ variables as read: listed by secretVariables, never ignored', () => {
    expect(secretVariables(SOURCES_ENV).sort()).toEqual([
      'WEBHOOK_SOURCE_ACME_SECRET_0',
      'WEBHOOK_SOURCE_GITHUB_SECRET_0',
      'WEBHOOK_SOURCE_GITHUB_SECRET_1',
    ]);
    expect(ignoredVariables(SOURCES_ENV)).toEqual([]);
    expect(sourceSecretEnvName('my-shop', 1)).toBe('WEBHOOK_SOURCE_MY_SHOP_SECRET_1');
  });

  it('fails naming the source by index and name and the field', () => {
    const env = withSources([
      { name: 'ok', verify: 'none' },
      {
        name: 'acme',
        verify: { scheme: 'hmac', header: 'X-Sig', algorithm: 'md5', encoding: 'hex' },
        secrets: [{ env: 'A' }],
      },
    ]);
    expect(problems(env)).toEqual([
      'WEBHOOK_SOURCES[1].verify.algorithm must be one of sha1 | sha256 | sha512 (source "acme")',
    ]);
  });

  it('fails on a duplicate name, a missing or unknown field, and secrets where none or some are needed', () => {
    expect(
      problems(
        withSources(
          [
            { name: 'a', verify: 'github', secrets: [{ env: 'S' }] },
            { name: 'a', verify: 'github' },
            { name: 'b', verify: 'none', secrets: [{ env: 'S' }] },
          ],
          { S: 'sixteen-bytes-secret' },
        ),
      ),
    ).toEqual([
      'WEBHOOK_SOURCES[1].name is used by an earlier source (source "a")',
      'WEBHOOK_SOURCES[1].secrets must list at least one {"env": "<VARIABLE>"} unless verify is "none" (source "a")',
      'WEBHOOK_SOURCES[2].secrets must be absent when verify is "none" (nothing would check them) (source "b")',
    ]);
    expect(problems(withSources([{ name: 'c', verify: 'none', extra: true }]))).toEqual([
      'WEBHOOK_SOURCES[0] has unknown field "extra" (source "c")',
    ]);
    expect(problems(withSources([{ name: 'Bad_Name', verify: 'none' }]))[0]).toMatch(
      /^WEBHOOK_SOURCES\[0\]\.name must be 1-32/,
    );
    expect(problems({ ...base, WEBHOOK_SOURCES: '{"name":' })).toEqual([
      'WEBHOOK_SOURCES must be a JSON array of sources (not valid JSON)',
    ]);
  });

  it('fails on an unset secret variable, a weak secret and a malformed notAfter, never echoing a secret', () => {
    const env = withSources(
      [
        { name: 'gh', verify: 'github', secrets: [{ env: 'UNSET' }, { env: 'WEAK' }] },
        { name: 'sw', verify: 'standard-webhooks', secrets: [{ env: 'GOOD', notAfter: 'tomorrow' }] },
      ],
      { WEAK: 'short-secret', GOOD: `whsec_${Buffer.alloc(24, 1).toString('base64')}` },
    );
    const found = problems(env);
    expect(found).toEqual([
      'WEBHOOK_SOURCES[1].secrets[0].notAfter must be an RFC 3339 date-time with an offset, e.g. "2027-01-31T00:00:00Z" (source "sw")',
    ]);
    const secrets = problems(
      withSources([{ name: 'gh', verify: 'github', secrets: [{ env: 'UNSET' }, { env: 'WEAK' }] }], {
        WEAK: 'short-secret',
      }),
    );
    expect(secrets).toEqual([
      'WEBHOOK_SOURCES[0].secrets[0].env names UNSET, which is not set (source "gh")',
      'WEBHOOK_SOURCES[0].secrets[1].env names WEAK, whose value must be at least 16 bytes for github (source "gh")',
    ]);
    expect(secrets.join(' ')).not.toContain('short-secret');
  });
});
