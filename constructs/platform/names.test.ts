import { platformNames } from './names';

const inputs = { workload: 'webhooks', environment: 'prod', location: 'westeurope', seed: '' };

describe('platformNames', () => {
  it('builds CAF-style names with the region short code', () => {
    const names = platformNames(inputs);
    expect(names.resourceGroup).toBe('rg-webhooks-prod-weu');
    expect(names.keyVault).toMatch(/^kv-webhooks-prod-[0-9a-f]{4}$/);
    expect(names.containerRegistry).toMatch(/^crwebhooksprodweu[0-9a-f]{4}$/);
  });

  it('is deterministic, and the suffix changes with the environment and the seed', () => {
    expect(JSON.stringify(platformNames(inputs))).toBe(JSON.stringify(platformNames({ ...inputs })));
    expect(platformNames({ ...inputs, environment: 'dev' }).suffix).not.toBe(platformNames(inputs).suffix);
    expect(platformNames({ ...inputs, seed: 'contoso' }).suffix).not.toBe(platformNames(inputs).suffix);
  });

  it('keeps the Key Vault name within 24 characters and the registry name alphanumeric', () => {
    const names = platformNames({ ...inputs, workload: 'webhooksabcd', environment: 'production' });
    expect(names.keyVault.length).toBeLessThanOrEqual(24);
    expect(names.keyVault).toMatch(/^[a-z][a-z0-9-]*-[0-9a-f]{4}$/);
    expect(names.keyVault).not.toContain('--');
    expect(names.containerRegistry).toMatch(/^[a-z0-9]{5,50}$/);
  });

  it.each([
    [
      'environment',
      { environment: 'Prod' },
      'environment must be 2-10 lowercase letters or digits starting with a letter (received "Prod")',
    ],
    [
      'workload',
      { workload: 'web-hooks' },
      'workload must be 2-12 lowercase letters or digits starting with a letter (received "web-hooks")',
    ],
    [
      'location',
      { location: 'mars' },
      /location must be an Azure public cloud region .*\(received "mars"\).*regionCode/,
    ],
  ])('fails early for an invalid %s, naming the value', (_field, override, message) => {
    expect(() => platformNames({ ...inputs, ...override })).toThrow(message);
  });
});
