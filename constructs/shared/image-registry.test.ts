import { Testing, type TerraformStack } from 'cdktf';
import { TestPrincipal, testStacks } from '../core/testing';
import { ImageRegistry, type ImageRegistryProps } from './image-registry';

const { newStack, cleanup } = testStacks('image-registry-test');
afterAll(cleanup);

type Synth = Record<string, Record<string, Record<string, Record<string, unknown>>>>;
const privateEndpoint = { subnetId: '/subnets/pe', virtualNetworkId: '/vnets/v' };

function synth(
  props: Partial<ImageRegistryProps> = {},
  build?: (r: ImageRegistry, s: TerraformStack) => void,
): Synth {
  const stack = newStack();
  const registry = new ImageRegistry(stack, 'Registry', {
    name: 'acrwebhooksprodabc1',
    resourceGroupName: 'rg',
    location: 'westeurope',
    ...props,
  });
  build?.(registry, stack);
  return JSON.parse(Testing.synth(stack)) as Synth;
}

function registryOf(out: Synth): Record<string, unknown> {
  const registries = Object.values(out.resource?.azurerm_container_registry ?? {});
  expect(registries).toHaveLength(1);
  return registries[0] as Record<string, unknown>;
}

describe('ImageRegistry defaults', () => {
  it('ignores later changes of zone_redundancy_enabled, so a changed report never replaces the registry', () => {
    for (const out of [synth(), synth({ privateEndpoint })]) {
      expect(registryOf(out).lifecycle).toEqual({ ignore_changes: ['zone_redundancy_enabled'] });
    }
  });

  it('Premium with public access: default action Deny, no IP rule in Terraform, trusted services bypass', () => {
    const acr = registryOf(synth({ privateEndpoint, publicNetworkAccessEnabled: true }));
    expect(acr).toMatchObject({
      network_rule_set: [{ default_action: 'Deny', ip_rule: [] }],
      network_rule_bypass_option: 'AzureServices',
    });
    expect(registryOf(synth({ privateEndpoint }))).not.toHaveProperty('network_rule_set');
    expect(() => synth({ publicDefaultAction: 'Deny' })).toThrow(
      /sku \(publicDefaultAction is set\) must be 'Premium'/,
    );
  });

  it('is Standard with admin user and anonymous pull off when public', () => {
    const acr = registryOf(synth());
    expect(acr).toMatchObject({
      sku: 'Standard',
      admin_enabled: false,
      anonymous_pull_enabled: false,
      public_network_access_enabled: true,
      zone_redundancy_enabled: false,
    });
    expect(acr).not.toHaveProperty('retention_policy_in_days');
  });

  it('is Premium, closed, zone redundant, with retention and a registry private endpoint when private', () => {
    const out = synth({ privateEndpoint });
    expect(registryOf(out)).toMatchObject({
      sku: 'Premium',
      admin_enabled: false,
      anonymous_pull_enabled: false,
      public_network_access_enabled: false,
      zone_redundancy_enabled: true,
      retention_policy_in_days: 7,
      data_endpoint_enabled: true,
      export_policy_enabled: false,
    });
    expect(Object.values(out.resource?.azurerm_private_endpoint ?? {})[0]).toMatchObject({
      private_service_connection: { subresource_names: ['registry'] },
    });
    expect(Object.values(out.resource?.azurerm_private_dns_zone ?? {})[0]).toMatchObject({
      name: 'privatelink.azurecr.io',
    });
  });
});

describe('ImageRegistry: defaults can be switched off', () => {
  it('honours explicit zone redundancy false, retention 0 and public access on a private registry', () => {
    const acr = registryOf(
      synth({
        privateEndpoint,
        zoneRedundancyEnabled: false,
        retentionPolicyInDays: 0,
        publicNetworkAccessEnabled: true,
      }),
    );
    expect(acr).toMatchObject({
      zone_redundancy_enabled: false,
      retention_policy_in_days: 0,
      public_network_access_enabled: true,
    });
    // Export can only be disabled on a closed registry.
    expect(acr).not.toHaveProperty('export_policy_enabled');
  });

  it('geo-replicates to the given regions, zone redundant', () => {
    const acr = registryOf(synth({ sku: 'Premium', georeplicationLocations: ['northeurope'] }));
    expect(acr.georeplications).toEqual([
      { location: 'northeurope', zone_redundancy_enabled: true, tags: {} },
    ]);
  });
});

describe('ImageRegistry grants', () => {
  it('grantPull assigns AcrPull on the registry once per principal', () => {
    const out = synth({}, (registry, stack) => {
      const runtime = new TestPrincipal(stack, 'Runtime', 'p-1');
      registry.grantPull(runtime);
      registry.grantPull(runtime);
      registry.grantPush(new TestPrincipal(stack, 'Pipeline', 'p-2'));
    });
    const grants = Object.values(out.resource?.azurerm_role_assignment ?? {});
    expect(grants.map((g) => [g.role_definition_name, g.principal_id]).sort()).toEqual([
      ['AcrPull', 'p-1'],
      ['AcrPush', 'p-2'],
    ]);
    for (const g of grants) expect(g.scope).toMatch(/^\$\{azurerm_container_registry\.[^.]+\.id\}$/);
  });

  it('an imported registry exposes its login server and grants the same way', () => {
    const stack = newStack();
    const registry = ImageRegistry.fromRegistryId(stack, 'Existing', {
      registryId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr1',
      loginServer: 'acr1.azurecr.io',
    });
    registry.grantPull(new TestPrincipal(stack, 'Runtime', 'p-1'));
    expect(registry.loginServer).toBe('acr1.azurecr.io');
    const out = JSON.parse(Testing.synth(stack)) as Synth;
    expect(out.resource?.azurerm_container_registry).toBeUndefined();
    expect(Object.values(out.resource?.azurerm_role_assignment ?? {})[0]).toMatchObject({
      role_definition_name: 'AcrPull',
      scope: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr1',
    });
  });
});

describe('ImageRegistry validation', () => {
  it('fails for a name with hyphens, naming the field and the value', () => {
    expect(() => synth({ name: 'acr-webhooks' })).toThrow(
      'name must be 5-50 letters or digits (no hyphens) (received "acr-webhooks")',
    );
  });

  it.each([
    ['privateEndpoint', { sku: 'Standard' as const, privateEndpoint }],
    ['zoneRedundancyEnabled', { sku: 'Basic' as const, zoneRedundancyEnabled: true }],
    ['retentionPolicyInDays', { retentionPolicyInDays: 7 }],
    ['georeplicationLocations', { georeplicationLocations: ['northeurope'] }],
  ])('fails when %s is used without Premium (an apply-time error otherwise)', (field, props) => {
    expect(() => synth(props)).toThrow(`sku (${field} is set) must be 'Premium' (received`);
  });

  it('fails for retention outside 0-365', () => {
    expect(() => synth({ sku: 'Premium', retentionPolicyInDays: 400 })).toThrow(
      'retentionPolicyInDays must be an integer from 0 to 365 (received 400)',
    );
  });
});
