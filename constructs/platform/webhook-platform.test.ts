import { Testing, type TerraformStack } from 'cdktf';
import { onlyResource, resourcesOf, synthJson, testStacks, type Synthesized } from '../core/testing';
import { MessageBus } from '../messaging';
import { WebhookNetwork } from '../network';
import { ImageRegistry, SecretStore } from '../shared';
import { WebhookPlatform, type WebhookPlatformProps } from './webhook-platform';

const { newStack, cleanup } = testStacks('webhook-platform-test');
afterAll(cleanup);

const required: WebhookPlatformProps = {
  environment: 'prod',
  location: 'westeurope',
  runtime: { imageTag: '1.0.0' },
  proxy: { imageTag: '1.0.0' },
};

function synth(
  props: Partial<WebhookPlatformProps> = {},
  build?: (stack: TerraformStack) => Partial<WebhookPlatformProps>,
): Synthesized {
  const stack = newStack();
  const extra = build?.(stack) ?? {};
  new WebhookPlatform(stack, 'Platform', { ...required, ...props, ...extra });
  return synthJson(stack);
}

const VNET = '/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub';
const refTo = (type: string): RegExp => new RegExp(`^\\$\\{${type}\\.[^.]+\\.id\\}$`);

describe('WebhookPlatform defaults (only the image tags given)', () => {
  const out = synth();

  it('creates the CAF-named resource group and every part of the path', () => {
    expect(onlyResource(out, 'azurerm_resource_group').name).toBe('rg-webhooks-prod-weu');
    for (const type of [
      'azurerm_virtual_network',
      'azurerm_log_analytics_workspace',
      'azurerm_application_insights',
      'azurerm_servicebus_namespace',
      'azurerm_servicebus_queue',
      'azurerm_key_vault',
      'azurerm_container_registry',
      'azurerm_container_app_environment',
      'azurerm_application_gateway',
      'azurerm_web_application_firewall_policy',
    ]) {
      expect(resourcesOf(out, type)).toHaveLength(1);
    }
    expect(resourcesOf(out, 'azurerm_container_app')).toHaveLength(2);
  });

  it('keeps Key Vault and the registry private, in the platform network', () => {
    expect(onlyResource(out, 'azurerm_key_vault')).toMatchObject({ public_network_access_enabled: false });
    expect(onlyResource(out, 'azurerm_container_registry')).toMatchObject({
      sku: 'Premium',
      public_network_access_enabled: false,
      admin_enabled: false,
    });
    const endpoints = resourcesOf(out, 'azurerm_private_endpoint');
    const subresources = endpoints.map(
      (e) => (e.private_service_connection as { subresource_names: string[] }).subresource_names[0],
    );
    // Service Bus Standard (the default) has no private endpoint.
    expect(subresources.sort()).toEqual(['registry', 'vault']);
    for (const e of endpoints) expect(e.subnet_id).toMatch(/^\$\{azurerm_subnet\.[^.]+\.id\}$/);
  });

  it('sends diagnostics from the vault, registry and bus to the workspace', () => {
    const targets = resourcesOf(out, 'azurerm_monitor_diagnostic_setting').map((d) =>
      String(d.target_resource_id),
    );
    for (const type of ['azurerm_key_vault', 'azurerm_container_registry', 'azurerm_servicebus_namespace']) {
      expect(targets.some((t) => refTo(type).test(t))).toBe(true);
    }
  });

  it('reads the webhook secret and the gateway certificate by identity, scoped to each secret', () => {
    const scopes = resourcesOf(out, 'azurerm_role_assignment')
      .filter((r) => r.role_definition_name === 'Key Vault Secrets User')
      .map((r) => String(r.scope).replace(/^\$\{azurerm_key_vault\.[^.]+\.id\}/, 'vault'));
    expect(scopes.sort()).toEqual(['vault/secrets/gateway-tls', 'vault/secrets/webhook-secret']);
  });

  it('creates the alerts: dead letters, backlog, gateway 5xx, latency, unhealthy hosts, restarts', () => {
    const names = resourcesOf(out, 'azurerm_monitor_metric_alert').map((a) => a.name);
    expect(names.sort()).toEqual([
      'webhooks-prod-backend-latency',
      'webhooks-prod-backlog',
      'webhooks-prod-deadletters',
      'webhooks-prod-gateway-5xx',
      'webhooks-prod-proxy-restarts',
      'webhooks-prod-runtime-restarts',
      'webhooks-prod-unhealthy-hosts',
    ]);
  });
});

describe('WebhookPlatform options', () => {
  it('puts a Premium Service Bus behind a private endpoint by default', () => {
    const out = synth({
      messaging: { serviceBus: { sku: 'Premium', capacity: 1, premiumMessagingPartitions: 1 } },
    });
    expect(onlyResource(out, 'azurerm_servicebus_namespace')).toMatchObject({
      sku: 'Premium',
      public_network_access_enabled: false,
    });
    expect(resourcesOf(out, 'azurerm_private_endpoint')).toHaveLength(3);
  });

  it('uses Event Hubs with kind kafka, and a throttling alert instead of the queue alerts', () => {
    const out = synth({ messaging: { kind: 'kafka' } });
    expect(resourcesOf(out, 'azurerm_servicebus_namespace')).toHaveLength(0);
    expect(onlyResource(out, 'azurerm_eventhub_namespace').name).toMatch(
      /^evhns-webhooks-prod-weu-[0-9a-f]{4}$/,
    );
    const names = resourcesOf(out, 'azurerm_monitor_metric_alert').map((a) => String(a.name));
    expect(names).toContain('webhooks-prod-throttled');
    expect(names).not.toContain('webhooks-prod-backlog');
  });

  it('switches off: private registry, alerts, zone redundancy', () => {
    const out = synth({
      sharedServices: { privateRegistry: false },
      alerts: { enabled: false },
      containerApps: { zoneRedundancyEnabled: false },
    });
    expect(onlyResource(out, 'azurerm_container_registry')).toMatchObject({
      sku: 'Standard',
      public_network_access_enabled: true,
    });
    expect(resourcesOf(out, 'azurerm_monitor_metric_alert')).toHaveLength(0);
    expect(onlyResource(out, 'azurerm_container_app_environment')).toMatchObject({
      zone_redundancy_enabled: false,
    });
  });

  it('passes the thresholds through to the alerts', () => {
    const out = synth({ alerts: { backlogMessages: 42 } });
    const backlog = resourcesOf(out, 'azurerm_monitor_metric_alert').find(
      (a) => a.name === 'webhooks-prod-backlog',
    );
    expect((backlog?.criteria as { threshold: number }[])[0]?.threshold).toBe(42);
  });

  it('changes the globally unique names with uniqueNameSeed, and nothing else', () => {
    const a = synth();
    const b = synth({ uniqueNameSeed: 'contoso' });
    expect(onlyResource(a, 'azurerm_key_vault').name).not.toBe(onlyResource(b, 'azurerm_key_vault').name);
    expect(onlyResource(a, 'azurerm_resource_group').name).toBe(
      onlyResource(b, 'azurerm_resource_group').name,
    );
  });
});

describe('WebhookPlatform bring-your-own parts', () => {
  it('deploys into an existing resource group, network, workspace, Key Vault, registry and bus', () => {
    const out = synth({}, (stack) => ({
      resourceGroupName: 'rg-existing',
      network: {
        existing: WebhookNetwork.fromExisting(stack, 'Net', {
          virtualNetworkId: VNET,
          gatewaySubnetId: `${VNET}/subnets/gw`,
          appsSubnetId: `${VNET}/subnets/apps`,
          privateEndpointSubnetId: `${VNET}/subnets/pe`,
        }),
      },
      observability: { existingWorkspaceId: '/workspaces/law' },
      messaging: {
        existing: MessageBus.fromNamespaceId(stack, 'Bus', {
          namespaceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb1',
          entityName: 'webhooks',
        }),
      },
      sharedServices: {
        secretStore: SecretStore.fromVaultId(stack, 'Kv', {
          vaultId: '/vaults/kv1',
          vaultUri: 'https://kv1.vault.azure.net/',
        }),
        imageRegistry: ImageRegistry.fromRegistryId(stack, 'Acr', {
          registryId: '/registries/acr1',
          loginServer: 'acr1.azurecr.io',
        }),
      },
    }));
    for (const type of [
      'azurerm_resource_group',
      'azurerm_virtual_network',
      'azurerm_log_analytics_workspace',
      'azurerm_servicebus_namespace',
      'azurerm_key_vault',
      'azurerm_container_registry',
    ]) {
      expect(resourcesOf(out, type)).toHaveLength(0);
    }
    expect(onlyResource(out, 'azurerm_container_app_environment')).toMatchObject({
      resource_group_name: 'rg-existing',
      infrastructure_subnet_id: `${VNET}/subnets/apps`,
      logs_destination: 'azure-monitor',
    });
    // The environment's logs reach the brought workspace through a diagnostic setting (Entra
    // auth), not the workspace key, which Observability turns off by default.
    const envDiagnostics = resourcesOf(out, 'azurerm_monitor_diagnostic_setting').filter((d) =>
      String(d.target_resource_id).includes('azurerm_container_app_environment.'),
    );
    expect(envDiagnostics).toHaveLength(1);
    expect(envDiagnostics[0]).toMatchObject({ log_analytics_workspace_id: '/workspaces/law' });
    const grants = resourcesOf(out, 'azurerm_role_assignment').map((r) => [r.role_definition_name, r.scope]);
    expect(grants).toEqual(
      expect.arrayContaining([
        ['AcrPull', '/registries/acr1'],
        ['Key Vault Secrets User', '/vaults/kv1/secrets/webhook-secret'],
        [
          'Azure Service Bus Data Sender',
          '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb1/queues/webhooks',
        ],
      ]),
    );
  });
});

describe('WebhookPlatform validation', () => {
  it('fails early for an invalid environment name, naming the value', () => {
    expect(() => synth({ environment: 'Production!' })).toThrow(
      'environment must be 2-10 lowercase letters or digits',
    );
  });

  it('is deterministic: two synths of the same props are identical', () => {
    const stackA = newStack();
    new WebhookPlatform(stackA, 'Platform', required);
    const stackB = newStack();
    new WebhookPlatform(stackB, 'Platform', required);
    expect(Testing.synth(stackA)).toBe(Testing.synth(stackB));
  });
});
