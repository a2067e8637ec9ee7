import {
  REGION_CODES as NAMING_REGION_CODES,
  resourceName,
  uniqueSuffix,
  validateResourceName,
} from './naming';
import { AZURE_REGIONS, REGION_CODES, normalizeLocation, resolveRegion } from './regions';

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

  it('accepts a region outside the original ten, such as australiaeast', () => {
    expect(
      resourceName('resourceGroup', { workload: 'webhooks', environment: 'prod', location: 'australiaeast' }),
    ).toBe('rg-webhooks-prod-ae');
  });

  it('accepts a display name and gives the same name and suffix as the programmatic name', () => {
    const parts = { workload: 'webhooks', environment: 'prod', unique: true } as const;
    expect(resourceName('serviceBusNamespace', { ...parts, location: 'West Europe' })).toBe(
      resourceName('serviceBusNamespace', { ...parts, location: 'westeurope' }),
    );
    expect(resourceName('resourceGroup', { ...parts, unique: false, location: ' West Europe ' })).toBe(
      'rg-webhooks-prod-weu',
    );
  });

  it('keeps the names of known regions byte-identical to the earlier table', () => {
    // Pinned literally, as the earlier code produced them.
    const parts = { workload: 'webhooks', environment: 'prod', unique: true } as const;
    expect(resourceName('serviceBusNamespace', { ...parts, location: 'westeurope' })).toBe(
      'sbns-webhooks-prod-weu-b2f6',
    );
    expect(resourceName('eventHubNamespace', { ...parts, location: 'eastus2' })).toBe(
      'evhns-webhooks-prod-eus2-a5df',
    );
  });

  it('uses regionCode instead of the table code, and for a region the table lacks', () => {
    const parts = { workload: 'webhooks', environment: 'prod' } as const;
    expect(resourceName('resourceGroup', { ...parts, location: 'westeurope', regionCode: 'we' })).toBe(
      'rg-webhooks-prod-we',
    );
    expect(resourceName('resourceGroup', { ...parts, location: 'usgovvirginia', regionCode: 'ugv' })).toBe(
      'rg-webhooks-prod-ugv',
    );
  });

  it('fails if the location is unknown, naming the field and the value and suggesting regionCode', () => {
    expect(() =>
      resourceName('resourceGroup', { workload: 'webhooks', environment: 'prod', location: 'mars' }),
    ).toThrow(/^location must be an Azure public cloud region .*\(received "mars"\)\. .*set regionCode/);
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

describe('REGION_CODES', () => {
  it('keeps the codes of the ten regions named before the full table, unchanged', () => {
    const before = {
      westeurope: 'weu',
      northeurope: 'neu',
      swedencentral: 'sdc',
      germanywestcentral: 'gwc',
      francecentral: 'frc',
      uksouth: 'uks',
      eastus: 'eus',
      eastus2: 'eus2',
      westus2: 'wus2',
      centralus: 'cus',
    };
    expect(REGION_CODES).toMatchObject(before);
  });

  it('is the same object whether imported from naming or regions', () => {
    expect(NAMING_REGION_CODES).toBe(REGION_CODES);
  });

  it('maps every region of the table to its code', () => {
    expect(Object.keys(REGION_CODES)).toHaveLength(AZURE_REGIONS.length);
    for (const r of AZURE_REGIONS) expect(REGION_CODES[r.name]).toBe(r.code);
  });

  it('uses codes of 2-5 lowercase letters or digits, unique across the table', () => {
    const codes = AZURE_REGIONS.map((r) => r.code);
    for (const code of codes) expect(code).toMatch(/^[a-z0-9]{2,5}$/);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(AZURE_REGIONS.map((r) => r.name)).size).toBe(AZURE_REGIONS.length);
  });

  it('lists regions whose display names normalise to their programmatic names', () => {
    for (const r of AZURE_REGIONS) {
      expect(r.name).toMatch(/^[a-z][a-z0-9]*$/);
      expect(normalizeLocation(r.displayName)).toBe(r.name);
    }
  });

  it.each([
    ['australiaeast', 'ae'],
    ['australiacentral2', 'acl2'],
    ['brazilsoutheast', 'bse'],
    ['jioindiawest', 'jiw'],
    ['southeastasia', 'sea'],
    ['westus3', 'wus3'],
  ])('gives %s its Microsoft geo code %s', (name, code) => {
    expect(REGION_CODES[name]).toBe(code);
  });
});

describe('resolveRegion', () => {
  it('accepts australiaeast', () => {
    expect(resolveRegion('australiaeast')).toEqual({ location: 'australiaeast', code: 'ae' });
  });

  it('resolves the display name West Europe to westeurope and weu', () => {
    expect(resolveRegion('West Europe')).toEqual({ location: 'westeurope', code: 'weu' });
  });

  it('trims, lower-cases and removes spaces before looking the name up', () => {
    expect(resolveRegion('  EastUS2 ')).toEqual({ location: 'eastus2', code: 'eus2' });
    expect(resolveRegion('Australia Central 2')).toEqual({ location: 'australiacentral2', code: 'acl2' });
  });

  it('fails for an unknown region, naming the field and the value, suggesting westeurope and regionCode', () => {
    let message = '';
    try {
      resolveRegion('westeurop');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^location must be /);
    expect(message).toContain('(received "westeurop")');
    expect(message).toMatch(/did you mean westeurope\b/);
    expect(message).toContain('set regionCode');
    expect(message).toMatch(/sovereign clouds, brand-new regions/);
  });

  it("names the caller's fields and echoes the value as set, in the unknown-region error", () => {
    expect(() =>
      resolveRegion(' West Europa ', { field: 'props.location', regionCodeField: 'props.regionCode' }),
    ).toThrow(
      /^props\.location must be .*\(received " West Europa "\); did you mean westeurope\?.*set props\.regionCode/,
    );
  });

  it('suggests at most three names, and none when nothing is close', () => {
    expect(() => resolveRegion('westus4')).toThrow(/did you mean westus, westus2, westus3\?/);
    expect(() => resolveRegion('mars')).not.toThrow(/did you mean/);
    expect(() => resolveRegion('mars')).toThrow(/\(received "mars"\)\. To use a region not in the table/);
  });

  it('lets regionCode override the table code', () => {
    expect(resolveRegion('West Europe', { regionCode: 'we' })).toEqual({
      location: 'westeurope',
      code: 'we',
    });
  });

  it('accepts an unknown region with a valid regionCode, normalising its name', () => {
    expect(resolveRegion('USGov Virginia', { regionCode: 'ugv' })).toEqual({
      location: 'usgovvirginia',
      code: 'ugv',
    });
  });

  it.each(['W', 'weurop', 'WEU', 'we-1', ''])('rejects the regionCode %j, naming the field', (code) => {
    expect(() => resolveRegion('westeurope', { regionCode: code })).toThrow(
      `regionCode must be 2-5 lowercase letters or digits (received ${JSON.stringify(code)})`,
    );
    expect(() =>
      resolveRegion('westeurope', { regionCode: code, regionCodeField: 'props.regionCode' }),
    ).toThrow(/^props\.regionCode must be/);
  });

  it('rejects a location that is not a region name even with a regionCode', () => {
    expect(() => resolveRegion('  ', { regionCode: 'xx' })).toThrow(
      'location must be an Azure region name: letters and digits, e.g. westeurope or "West Europe" (received "  ")',
    );
  });

  it('rejects a token location, which cannot name resources at synth', () => {
    expect(() => resolveRegion('${TfToken[TOKEN.1]}', { regionCode: 'xx' })).toThrow(
      /location must be a region name known at synth time/,
    );
  });
});
