import { resourceName, uniqueSuffix, validateResourceName } from './naming';

describe('resourceName', () => {
  it('builds CAF-style names', () => {
    expect(
      resourceName('resourceGroup', { workload: 'webhooks', environment: 'prod', location: 'westeurope' }),
    ).toBe('rg-webhooks-prod-weu');
    expect(
      resourceName('subnet', {
        workload: 'webhooks',
        environment: 'dev',
        location: 'northeurope',
        qualifier: 'apps',
      }),
    ).toBe('snet-apps-webhooks-dev-neu');
  });

  it('appends the same deterministic suffix on every call for globally unique names', () => {
    const parts = {
      workload: 'webhooks',
      environment: 'prod',
      location: 'westeurope',
      unique: true,
    } as const;
    const a = resourceName('serviceBusNamespace', parts);
    expect(a).toMatch(/^sbns-webhooks-prod-weu-[0-9a-f]{4}$/);
    expect(resourceName('serviceBusNamespace', parts)).toBe(a);
    expect(resourceName('serviceBusNamespace', { ...parts, environment: 'dev' })).not.toBe(
      a.replace('prod', 'dev'),
    );
  });

  it('fails if the location has no region code, listing the known ones', () => {
    expect(() =>
      resourceName('resourceGroup', { workload: 'webhooks', environment: 'prod', location: 'mars' }),
    ).toThrow(/location must be one of westeurope, .* \(received "mars"\)/);
  });

  it('fails if the environment is not short lowercase', () => {
    expect(() =>
      resourceName('resourceGroup', { workload: 'webhooks', environment: 'Prod', location: 'westeurope' }),
    ).toThrow(
      /environment must be 2-10 lowercase letters or digits starting with a letter \(received "Prod"\)/,
    );
  });
});

describe('validateResourceName', () => {
  it('fails if a namespace name is too short, naming the rule', () => {
    expect(() => validateResourceName('serviceBusNamespace', 'sb1')).toThrow(
      /name \(serviceBusNamespace\) must be 6-50 characters: .* \(received "sb1"\)/,
    );
  });

  it('fails if a namespace name ends in the reserved -sb suffix', () => {
    expect(() => validateResourceName('serviceBusNamespace', 'webhooks-sb')).toThrow(
      /not ending in -sb or -mgmt/,
    );
  });

  it('accepts a valid name and returns it', () => {
    expect(validateResourceName('logAnalyticsWorkspace', 'log-webhooks-prod-weu')).toBe(
      'log-webhooks-prod-weu',
    );
  });
});

describe('uniqueSuffix', () => {
  it('is a pure function of its inputs', () => {
    expect(uniqueSuffix(['a', 'b'])).toBe(uniqueSuffix(['a', 'b']));
    expect(uniqueSuffix(['a', 'b'])).not.toBe(uniqueSuffix(['a', 'c']));
    expect(uniqueSuffix(['a'], 8)).toHaveLength(8);
  });

  it('fails if the length is out of range', () => {
    expect(() => uniqueSuffix(['a'], 2)).toThrow('length must be an integer from 4 to 16 (received 2)');
  });
});
