import { Testing, type TerraformStack } from 'cdktf';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { TestPrincipal, testStacks } from '../core/testing';
import { SecretStore, type SecretStoreProps } from './secret-store';

const { newStack, cleanup } = testStacks('secret-store-test');
afterAll(cleanup);

type Synth = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

function synth(
  props: Partial<SecretStoreProps> = {},
  build?: (store: SecretStore, stack: TerraformStack) => void,
): Synth {
  const stack = newStack();
  const store = new SecretStore(stack, 'Secrets', {
    name: 'kv-webhooks-prod-abc1',
    resourceGroupName: 'rg',
    location: 'westeurope',
    ...props,
  });
  build?.(store, stack);
  return JSON.parse(Testing.synth(stack)) as Synth;
}

function vaultOf(out: Synth): Record<string, unknown> {
  const vaults = Object.values(out.resource?.azurerm_key_vault ?? {});
  expect(vaults).toHaveLength(1);
  return vaults[0] as Record<string, unknown>;
}

describe('SecretStore defaults', () => {
  it('uses RBAC authorization, purge protection, 90-day soft delete and no public network', () => {
    const out = synth();
    expect(vaultOf(out)).toMatchObject({
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      public_network_access_enabled: false,
      sku_name: 'standard',
      network_acls: {
        default_action: 'Deny',
        bypass: 'AzureServices',
        ip_rules: [],
        virtual_network_subnet_ids: [],
      },
    });
    // The 3.x name is deprecated in 4.x: only the new one is set.
    expect(vaultOf(out)).not.toHaveProperty('enable_rbac_authorization');
    expect(vaultOf(out)).not.toHaveProperty('access_policy');
  });

  it('takes the tenant from the running identity unless given', () => {
    expect(vaultOf(synth()).tenant_id).toMatch(/^\$\{data\.azurerm_client_config\.[^.]+\.tenant_id\}$/);
    const out = synth({ tenantId: '00000000-0000-0000-0000-000000000001' });
    expect(vaultOf(out).tenant_id).toBe('00000000-0000-0000-0000-000000000001');
    expect(out.data?.azurerm_client_config).toBeUndefined();
  });

  it('creates no private endpoint and no diagnostic setting unless asked', () => {
    const out = synth();
    expect(out.resource?.azurerm_private_endpoint).toBeUndefined();
    expect(out.resource?.azurerm_monitor_diagnostic_setting).toBeUndefined();
  });
});

describe('SecretStore: every default can be switched off', () => {
  it('honours false for purge protection, trusted services and true for public access', () => {
    const vault = vaultOf(
      synth({
        purgeProtectionEnabled: false,
        allowTrustedAzureServices: false,
        publicNetworkAccessEnabled: true,
      }),
    );
    expect(vault).toMatchObject({
      purge_protection_enabled: false,
      public_network_access_enabled: true,
      network_acls: { default_action: 'Deny', bypass: 'None' },
    });
  });

  it('passes allowed IP ranges and subnets to the firewall', () => {
    const vault = vaultOf(synth({ allowedIpRanges: ['203.0.113.0/24'], allowedSubnetIds: ['/subnets/a'] }));
    expect(vault.network_acls).toMatchObject({
      ip_rules: ['203.0.113.0/24'],
      virtual_network_subnet_ids: ['/subnets/a'],
    });
  });
});

describe('SecretStore private endpoint and diagnostics', () => {
  it('adds a private endpoint on sub-resource vault with its privatelink zone linked to the VNet', () => {
    const out = synth({ privateEndpoint: { subnetId: '/subnets/pe', virtualNetworkId: '/vnets/v' } });
    const endpoint = Object.values(out.resource?.azurerm_private_endpoint ?? {})[0];
    expect(endpoint).toMatchObject({
      subnet_id: '/subnets/pe',
      private_service_connection: { subresource_names: ['vault'], is_manual_connection: false },
    });
    expect(Object.values(out.resource?.azurerm_private_dns_zone ?? {})[0]).toMatchObject({
      name: 'privatelink.vaultcore.azure.net',
    });
    expect(Object.values(out.resource?.azurerm_private_dns_zone_virtual_network_link ?? {})[0]).toMatchObject(
      {
        virtual_network_id: '/vnets/v',
        registration_enabled: false,
      },
    );
  });

  it('uses a brought DNS zone instead of creating one', () => {
    const out = synth({
      privateEndpoint: {
        subnetId: '/subnets/pe',
        virtualNetworkId: '/vnets/v',
        privateDnsZoneId: '/zones/kv',
      },
    });
    expect(out.resource?.azurerm_private_dns_zone).toBeUndefined();
    const endpoint = Object.values(out.resource?.azurerm_private_endpoint ?? {})[0];
    expect(endpoint).toMatchObject({ private_dns_zone_group: { private_dns_zone_ids: ['/zones/kv'] } });
  });

  it('sends logs and metrics to the workspace when one is given', () => {
    const out = synth({ logAnalyticsWorkspaceId: '/workspaces/law' });
    expect(Object.values(out.resource?.azurerm_monitor_diagnostic_setting ?? {})[0]).toMatchObject({
      log_analytics_workspace_id: '/workspaces/law',
    });
  });
});

describe('SecretStore.grantSecretRead', () => {
  it('assigns Key Vault Secrets User scoped to one secret', () => {
    const out = synth({}, (store, stack) =>
      store.grantSecretRead(new TestPrincipal(stack, 'App', 'p-1'), 'webhook-secret'),
    );
    const grants = Object.values(out.resource?.azurerm_role_assignment ?? {});
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ role_definition_name: 'Key Vault Secrets User', principal_id: 'p-1' });
    expect(grants[0]?.scope).toMatch(/^\$\{azurerm_key_vault\.[^.]+\.id\}\/secrets\/webhook-secret$/);
  });

  it('scopes to the vault without a secret name, and does not duplicate a repeated grant', () => {
    const out = synth({}, (store, stack) => {
      const app = new TestPrincipal(stack, 'App', 'p-1');
      store.grantSecretRead(app);
      store.grantSecretRead(app);
      store.grantSecretRead(new TestPrincipal(stack, 'Other', 'p-2'));
    });
    const grants = Object.values(out.resource?.azurerm_role_assignment ?? {});
    expect(grants.map((g) => g.principal_id).sort()).toEqual(['p-1', 'p-2']);
    for (const g of grants) expect(g.scope).toMatch(/^\$\{azurerm_key_vault\.[^.]+\.id\}$/);
  });

  it('works the same on an imported vault, and builds versionless secret ids', () => {
    const stack = newStack();
    const store = SecretStore.fromVaultId(stack, 'Existing', {
      vaultId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1',
      vaultUri: 'https://kv1.vault.azure.net/',
    });
    store.grantSecretRead(new TestPrincipal(stack, 'App', 'p-1'), 'cert');
    expect(store.secretId('cert')).toBe('https://kv1.vault.azure.net/secrets/cert');
    const noSlash = SecretStore.fromVaultId(stack, 'NoSlash', {
      vaultId: '/v',
      vaultUri: 'https://kv2.vault.azure.net',
    });
    expect(noSlash.secretId('cert')).toBe('https://kv2.vault.azure.net/secrets/cert');
    const out = JSON.parse(Testing.synth(stack)) as Synth;
    expect(out.resource?.azurerm_key_vault).toBeUndefined();
    expect(Object.values(out.resource?.azurerm_role_assignment ?? {})[0]?.scope).toBe(
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1/secrets/cert',
    );
  });
});

describe('SecretStore validation', () => {
  it.each([
    ['ab', 'name must be 3-24'],
    ['1vault', 'name must be 3-24'],
    ['kv--double', 'name must be 3-24'],
    ['kv-this-name-is-far-too-long-for-azure', 'name must be 3-24'],
  ])('fails for name %j', (name, message) => {
    expect(() => synth({ name })).toThrow(message);
  });

  it('reports every broken rule at once', () => {
    expect(() => synth({ name: 'x', softDeleteRetentionDays: 100 })).toThrow(
      /name must be 3-24 .*\(received "x"\)\n {2}- softDeleteRetentionDays must be an integer from 7 to 90 \(received 100\)/,
    );
  });

  it('names the field, the range and the value for soft delete retention', () => {
    expect(() => synth({ softDeleteRetentionDays: 3 })).toThrow(
      "SecretStore 'test/Secrets': invalid props:\n  - softDeleteRetentionDays must be an integer from 7 to 90 (received 3)",
    );
  });

  it('fails for an invalid secret name', () => {
    expect(() => synth({}, (store) => store.secretId('bad_name'))).toThrow(
      'secretName must be 1-127 letters, digits or hyphens (received "bad_name")',
    );
  });

  it('creates a KeyVault under the stable construct id Resource', () => {
    const stack = newStack();
    const store = new SecretStore(stack, 'Secrets', {
      name: 'kv-a1b',
      resourceGroupName: 'rg',
      location: 'x',
    });
    expect(store.vault).toBeInstanceOf(KeyVault);
    expect(store.vault.node.id).toBe('Resource');
    expect(store.privateLink).toBeUndefined();
  });
});
