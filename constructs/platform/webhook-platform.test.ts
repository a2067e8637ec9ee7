import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnnotationMetadataEntryType, App, Testing, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { onlyResource, resourcesOf, synthJson, testStacks, type Synthesized } from '../core/testing';
import { MessageBus } from '../messaging';
import { WebhookNetwork } from '../network';
import { ImageRegistry, SecretStore } from '../shared';
import { WebhookFoundation, type WebhookFoundationProps } from './webhook-foundation';
import { WebhookPlatform, type WebhookPlatformProps } from './webhook-platform';

const { newStack, cleanup } = testStacks('webhook-platform-test');
afterAll(cleanup);

const foundationRequired: WebhookFoundationProps = {
  environment: 'prod',
  location: 'westeurope',
  observability: {
    actionGroup: { emailReceivers: [{ name: 'oncall', emailAddress: 'oncall@contoso.com' }] },
  },
};
type PlatformExtra = Omit<WebhookPlatformProps, 'foundation' | 'runtime' | 'proxy'> &
  Partial<Pick<WebhookPlatformProps, 'runtime' | 'proxy'>>;

/** Foundation and platform in one stack: the single-stack way to use them. */
function synth(
  foundation: Partial<WebhookFoundationProps> = {},
  platform: PlatformExtra = {},
  build?: (stack: TerraformStack) => Partial<WebhookFoundationProps>,
): Synthesized {
  const stack = newStack();
  const f = new WebhookFoundation(stack, 'Foundation', {
    ...foundationRequired,
    ...foundation,
    ...(build?.(stack) ?? {}),
  });
  new WebhookPlatform(stack, 'Platform', {
    foundation: f,
    runtime: { imageTag: '1.0.0' },
    proxy: { imageTag: '1.0.0' },
    ...platform,
  });
  return synthJson(stack);
}

const VNET = '/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub';
const refTo = (type: string): RegExp => new RegExp(`^\\$\\{${type}\\.[^.]+\\.id\\}$`);
const names = (out: Synthesized, type: string): string[] => Object.keys(out.resource?.[type] ?? {});
const appNamed = (out: Synthesized, name: string): Record<string, unknown> =>
  resourcesOf(out, 'azurerm_container_app').find((a) => a.name === name) ?? {};
const envOf = (app: Record<string, unknown>): Record<string, string> => {
  const container = (app.template as { container: { env?: { name: string; value?: string }[] }[] })
    .container[0];
  return Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? '']));
};

describe('WebhookPlatform on a WebhookFoundation, defaults (only the image tags given)', () => {
  const out = synth();

  it('creates the CAF-named resource group and every part of the path', () => {
    expect(onlyResource(out, 'azurerm_resource_group').name).toBe('rg-webhooks-prod-weu');
    for (const type of [
      'azurerm_virtual_network',
      'azurerm_log_analytics_workspace',
      'azurerm_application_insights',
      'azurerm_monitor_action_group',
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

  it('keeps Key Vault and the registry private by default (privateNetwork deployer access)', () => {
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

  it('lets the identity running Terraform write secrets and certificates and push images (trap 1, 2)', () => {
    const deployer = /^\$\{data\.azurerm_client_config\.[^.]+\.object_id\}$/;
    const grants = resourcesOf(out, 'azurerm_role_assignment')
      .filter((r) => deployer.test(String(r.principal_id)))
      .map((r) => [r.role_definition_name, String(r.scope).replace(/\.[^.]+\.id\}$/, '}')]);
    expect(grants.sort()).toEqual([
      ['AcrPush', '${azurerm_container_registry}'],
      ['Key Vault Certificates Officer', '${azurerm_key_vault}'],
      ['Key Vault Secrets Officer', '${azurerm_key_vault}'],
    ]);
  });

  it('names the Container Apps infrastructure resource group, so Azure never fills it in (trap 5)', () => {
    expect(onlyResource(out, 'azurerm_container_app_environment')).toMatchObject({
      infrastructure_resource_group_name: 'ME_cae-webhooks-prod-weu',
      infrastructure_subnet_id: expect.stringMatching(/^\$\{azurerm_subnet\./),
      workload_profile: [expect.objectContaining({ workload_profile_type: 'Consumption' })],
    });
  });

  it('creates the alerts, each notifying the action group (trap 6)', () => {
    const alerts = resourcesOf(out, 'azurerm_monitor_metric_alert');
    expect(alerts.map((a) => a.name).sort()).toEqual([
      'webhooks-prod-backend-latency',
      'webhooks-prod-backlog',
      'webhooks-prod-deadletters',
      'webhooks-prod-gateway-5xx',
      'webhooks-prod-proxy-restarts',
      'webhooks-prod-runtime-restarts',
      'webhooks-prod-unhealthy-hosts',
    ]);
    for (const alert of alerts) {
      expect(alert.action).toEqual([
        { action_group_id: expect.stringMatching(refTo('azurerm_monitor_action_group')) },
      ]);
    }
  });

  it('lets only the gateway subnet call NGINX, and believes the gateway and the apps subnet (trap 7)', () => {
    const proxy = appNamed(out, 'ca-proxy-prod');
    const ingress = proxy.ingress as {
      ip_security_restriction?: { action: string; ip_address_range: string }[];
    };
    expect(ingress.ip_security_restriction).toEqual([
      expect.objectContaining({ action: 'Allow', ip_address_range: '10.20.0.0/24' }),
    ]);
    expect(envOf(proxy).TRUSTED_PROXY_CIDR).toBe('10.20.0.0/24 10.20.2.0/23');
  });

  it('starts the apps and the gateway only after the private endpoints and DNS links they need (trap 7)', () => {
    const needed = [
      ...names(out, 'azurerm_private_endpoint').map((n) => `azurerm_private_endpoint.${n}`),
      ...names(out, 'azurerm_private_dns_zone_virtual_network_link')
        .filter((n) => !n.includes('EnvironmentDns'))
        .map((n) => `azurerm_private_dns_zone_virtual_network_link.${n}`),
    ];
    expect(needed.length).toBe(4);
    const dependsOn = (type: string, name?: string): string[] => {
      const all = Object.values(out.resource?.[type] ?? {}).filter(
        (r) => name === undefined || r.name === name,
      );
      return (all[0]?.depends_on as string[] | undefined) ?? [];
    };
    for (const deps of [
      dependsOn('azurerm_container_app', 'ca-runtime-prod'),
      dependsOn('azurerm_container_app', 'ca-proxy-prod'),
      dependsOn('azurerm_application_gateway'),
    ]) {
      expect(deps).toEqual(expect.arrayContaining(needed));
    }
  });

  it('gives the public IP a DNS label, the name the certificate is issued for', () => {
    expect(onlyResource(out, 'azurerm_public_ip').domain_name_label).toMatch(/^webhooks-prod-[0-9a-f]{4}$/);
  });
});

describe('WebhookFoundation deployer access', () => {
  it('agentIpFirewall: public endpoints on, default Deny and no IP rule in Terraform (trap 3)', () => {
    const out = synth({ deployer: { network: 'agentIpFirewall' } });
    expect(onlyResource(out, 'azurerm_key_vault')).toMatchObject({
      public_network_access_enabled: true,
      network_acls: expect.objectContaining({ default_action: 'Deny', ip_rules: [] }),
    });
    expect(onlyResource(out, 'azurerm_container_registry')).toMatchObject({
      sku: 'Premium',
      public_network_access_enabled: true,
      network_rule_set: [{ default_action: 'Deny', ip_rule: [] }],
    });
  });

  it('principal false grants the deployer nothing', () => {
    const out = synth({ deployer: { principal: false } });
    const roles = resourcesOf(out, 'azurerm_role_assignment').map((r) => r.role_definition_name);
    expect(roles).not.toContain('AcrPush');
    expect(roles).not.toContain('Key Vault Secrets Officer');
  });

  it('refuses an unknown deployer.network, naming it', () => {
    expect(() => synth({ deployer: { network: 'vpn' as unknown as 'privateNetwork' } })).toThrow(
      /deployer\.network/,
    );
  });
});

describe('WebhookPlatform alerts need someone to notify (trap 6)', () => {
  it('refuses to synthesize without an action group, naming the props to set', () => {
    expect(() => synth({ environment: 'dev', observability: {} })).toThrow(
      /alerts\.notifyNobody must be true to create alerts that notify nobody; or give the foundation observability\.actionGroup/,
    );
  });

  it('accepts an explicit opt-out outside prod, and warns about it', () => {
    const stack = newStack();
    const f = new WebhookFoundation(stack, 'F', { environment: 'dev', location: 'westeurope' });
    const p = new WebhookPlatform(stack, 'P', {
      foundation: f,
      runtime: { imageTag: '1.0.0' },
      proxy: { imageTag: '1.0.0' },
      alerts: { notifyNobody: true },
    });
    const out = synthJson(stack);
    for (const alert of resourcesOf(out, 'azurerm_monitor_metric_alert'))
      expect(alert.action).toBeUndefined();
    const warnings = p.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN);
    expect(warnings.map((w) => String(w.data))).toEqual([expect.stringContaining('notify nobody')]);
  });

  it('refuses the opt-out in prod', () => {
    expect(() => synth({ observability: {} }, { alerts: { notifyNobody: true } })).toThrow(
      /alerts\.notifyNobody must be unset in environment "prod"/,
    );
  });

  it('does not ask for an action group when alerts are off', () => {
    expect(() =>
      synth({ environment: 'dev', observability: {} }, { alerts: { enabled: false } }),
    ).not.toThrow();
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
    const alertNames = resourcesOf(out, 'azurerm_monitor_metric_alert').map((a) => String(a.name));
    expect(alertNames).toContain('webhooks-prod-throttled');
    expect(alertNames).not.toContain('webhooks-prod-backlog');
  });

  it('switches off: private registry, alerts, zone redundancy', () => {
    const out = synth(
      { sharedServices: { privateRegistry: false } },
      { alerts: { enabled: false }, containerApps: { zoneRedundancyEnabled: false } },
    );
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
    const out = synth({}, { alerts: { backlogMessages: 42 } });
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

  it('accepts any public region, and display names give the same names as programmatic ones', () => {
    const sydney = synth({ location: 'australiaeast' });
    expect(onlyResource(sydney, 'azurerm_resource_group')).toMatchObject({
      name: 'rg-webhooks-prod-ae',
      location: 'australiaeast',
    });
    const display = synth({ location: 'West Europe' });
    const programmatic = synth();
    expect(onlyResource(display, 'azurerm_key_vault').name).toBe(
      onlyResource(programmatic, 'azurerm_key_vault').name,
    );
    expect(onlyResource(display, 'azurerm_resource_group').location).toBe('westeurope');
  });

  it('takes regionCode for a region the table lacks, and says so when it is missing', () => {
    expect(() => synth({ location: 'marscentral' })).toThrow(/location .*marscentral.*regionCode/s);
    const out = synth({ location: 'marscentral', regionCode: 'mc' });
    expect(onlyResource(out, 'azurerm_resource_group').name).toBe('rg-webhooks-prod-mc');
  });
});

describe('WebhookPlatform bring-your-own parts', () => {
  const existing = (stack: TerraformStack): Partial<WebhookFoundationProps> => ({
    resourceGroupName: 'rg-existing',
    network: {
      existing: WebhookNetwork.fromExisting(stack, 'Net', {
        virtualNetworkId: VNET,
        gatewaySubnetId: `${VNET}/subnets/gw`,
        appsSubnetId: `${VNET}/subnets/apps`,
        privateEndpointSubnetId: `${VNET}/subnets/pe`,
      }),
    },
    observability: { existingWorkspaceId: '/workspaces/law', existingActionGroupId: '/actionGroups/ag' },
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
  });

  it('deploys into an existing resource group, network, workspace, Key Vault, registry and bus', () => {
    const out = synth({}, { proxy: { imageTag: '1.0.0', allowedSourceCidrs: ['10.9.0.0/24'] } }, existing);
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
    const envDiagnostics = resourcesOf(out, 'azurerm_monitor_diagnostic_setting').filter((d) =>
      String(d.target_resource_id).includes('azurerm_container_app_environment.'),
    );
    expect(envDiagnostics).toHaveLength(1);
    expect(envDiagnostics[0]).toMatchObject({ log_analytics_workspace_id: '/workspaces/law' });
    const grants = resourcesOf(out, 'azurerm_role_assignment').map((r) => [r.role_definition_name, r.scope]);
    expect(grants).toEqual(
      expect.arrayContaining([
        ['AcrPull', '/registries/acr1'],
        ['AcrPush', '/registries/acr1'],
        ['Key Vault Secrets User', '/vaults/kv1/secrets/webhook-secret'],
        [
          'Azure Service Bus Data Sender',
          '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb1/queues/webhooks',
        ],
      ]),
    );
    const proxy = appNamed(out, 'ca-proxy-prod');
    expect(envOf(proxy).TRUSTED_PROXY_CIDR).toBe('10.9.0.0/24');
  });

  it('asks for the gateway CIDR when the network was brought by id', () => {
    expect(() => synth({}, {}, existing)).toThrow(/proxy\.allowedSourceCidrs must be the gateway subnet/);
  });
});

describe('Foundation and platform in two stacks', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'webhook-platform-two-stacks-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  const foundationStack = new TerraformStack(app, 'prod-foundation');
  new AzurermProvider(foundationStack, 'azurerm', { features: [{}] });
  const foundation = new WebhookFoundation(foundationStack, 'Foundation', foundationRequired);
  const platformStack = new TerraformStack(app, 'prod-platform');
  new AzurermProvider(platformStack, 'azurerm', { features: [{}] });
  new WebhookPlatform(platformStack, 'Platform', {
    foundation,
    runtime: { imageTag: '1.0.0' },
    proxy: { imageTag: '1.0.0' },
  });
  // Cross-stack references become outputs and remote state when the app synthesizes.
  app.synth();
  const read = (stack: string): Synthesized =>
    JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as Synthesized;
  const f = read('prod-foundation');
  const p = read('prod-platform');

  it('grants the workload identities their registry, bus and telemetry roles with the foundation', () => {
    // Applied before the secrets and images steps: Azure RBAC has minutes to propagate before the
    // first revision pulls its image or publishes.
    const foundationRoles = resourcesOf(f, 'azurerm_role_assignment')
      .map((r) => r.role_definition_name)
      .sort();
    expect(foundationRoles).toEqual([
      'AcrPull',
      'AcrPull',
      'AcrPush',
      'Azure Service Bus Data Sender',
      'Key Vault Certificates Officer',
      'Key Vault Secrets Officer',
      'Monitoring Metrics Publisher',
    ]);
    expect(
      resourcesOf(f, 'azurerm_user_assigned_identity')
        .map((i) => i.name)
        .sort(),
    ).toEqual(['id-agw-webhooks-prod-weu', 'id-ca-proxy-prod', 'id-ca-runtime-prod']);
    expect(resourcesOf(p, 'azurerm_user_assigned_identity')).toHaveLength(0);
    expect(JSON.stringify(f)).not.toContain('terraform_remote_state');
  });

  it('grants the Key Vault secret reads with the platform, after the secrets exist, and waits for them', () => {
    const reads = Object.entries(p.resource?.azurerm_role_assignment ?? {}).map(([name, r]) => [
      name,
      r.role_definition_name,
      String(r.scope).replace(/^.*\/secrets\//, 'secrets/'),
    ]);
    expect(reads.map(([, role, scope]) => [role, scope]).sort()).toEqual([
      ['Key Vault Secrets User', 'secrets/gateway-tls'],
      ['Key Vault Secrets User', 'secrets/webhook-secret'],
    ]);
    const runtime = resourcesOf(p, 'azurerm_container_app').find((a) => a.name === 'ca-runtime-prod');
    const gateway = resourcesOf(p, 'azurerm_application_gateway')[0];
    const readOf = (secret: string): string =>
      `azurerm_role_assignment.${String(reads.find(([, , scope]) => scope === `secrets/${secret}`)?.[0])}`;
    expect(runtime?.depends_on).toContain(readOf('webhook-secret'));
    expect(gateway?.depends_on).toContain(readOf('gateway-tls'));
  });

  it('reads the foundation through remote state, and depends on nothing in the other stack', () => {
    expect(Object.keys((p as { data?: Record<string, unknown> }).data ?? {})).toContain(
      'terraform_remote_state',
    );
    for (const type of ['azurerm_container_app', 'azurerm_application_gateway']) {
      for (const r of resourcesOf(p, type)) {
        for (const dep of (r.depends_on as string[] | undefined) ?? []) {
          expect(dep).not.toMatch(/azurerm_private_endpoint|privatelink/);
        }
      }
    }
  });

  it('keeps the metric alerts in the platform stack', () => {
    expect(resourcesOf(f, 'azurerm_monitor_metric_alert')).toHaveLength(0);
    expect(resourcesOf(p, 'azurerm_monitor_metric_alert')).toHaveLength(7);
  });
});

describe('The re-drive job in two stacks (foundation redriveJob, platform redriveJob)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'webhook-platform-redrive-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  const foundationStack = new TerraformStack(app, 'prod-foundation');
  new AzurermProvider(foundationStack, 'azurerm', { features: [{}] });
  const foundation = new WebhookFoundation(foundationStack, 'Foundation', {
    ...foundationRequired,
    redriveJob: true,
  });
  const platformStack = new TerraformStack(app, 'prod-platform');
  new AzurermProvider(platformStack, 'azurerm', { features: [{}] });
  const platform = new WebhookPlatform(platformStack, 'Platform', {
    foundation,
    runtime: { imageTag: '1.0.0' },
    proxy: { imageTag: '1.0.0' },
    redriveJob: true,
  });
  app.synth();
  const read = (stack: string): Synthesized =>
    JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as Synthesized;
  const f = read('prod-foundation');
  const p = read('prod-platform');

  it("creates the re-drive job's identity and its roles with the foundation, so RBAC has propagated before the platform creates the job", () => {
    // Azure checks the job's registry pull when it creates the job (microsoft/azure-container-apps#816):
    // roles granted in the same apply may not have propagated yet (docs/decisions/0010, trap 7).
    const redrive = foundation.workloadIdentities.redrive;
    expect(redrive).toBeDefined();
    const held = resourcesOf(f, 'azurerm_role_assignment')
      .filter((r) => String(r.principal_id).includes('Foundation_RedriveIdentity_'))
      .map((r) => [r.role_definition_name, String(r.scope).replace(/^\$\{([a-z_]+)\..*$/, '$1')])
      .sort();
    expect(held).toEqual([
      ['AcrPull', 'azurerm_container_registry'],
      ['Azure Service Bus Data Receiver', 'azurerm_servicebus_queue'],
      ['Azure Service Bus Data Sender', 'azurerm_servicebus_queue'],
    ]);
    expect(resourcesOf(f, 'azurerm_user_assigned_identity').map((i) => i.name)).toContain(
      'id-caj-redrive-prod',
    );
    // The platform holds the job only: no identity, no role but the Key Vault secret reads.
    expect(resourcesOf(p, 'azurerm_user_assigned_identity')).toEqual([]);
    expect(
      resourcesOf(p, 'azurerm_role_assignment')
        .map((r) => r.role_definition_name)
        .sort(),
    ).toEqual(['Key Vault Secrets User', 'Key Vault Secrets User']);
    const job = onlyResource(p, 'azurerm_container_app_job') as { identity: { identity_ids: string[] } };
    expect(job.identity.identity_ids).toEqual([expect.stringMatching(/terraform_remote_state/)]);
    expect(platform.redriveJob?.identity).toBe(redrive);
    expect(platform.redriveJob?.grants).toEqual([]);
    const warnings = (platform.redriveJob?.node.metadata ?? []).filter(
      (m) => m.type === AnnotationMetadataEntryType.WARN,
    );
    expect(warnings).toEqual([]);
  });
});

describe('WebhookPlatform validation', () => {
  it('refuses redriveJob on a platform whose foundation has no re-drive identity, naming redriveJob', () => {
    expect(() => synth({}, { redriveJob: true })).toThrow(
      /redriveJob must be false or absent while the foundation has no re-drive identity: set redriveJob: true on the WebhookFoundation of the same environment/,
    );
    expect(() => synth({}, { redriveJob: { args: ['--rate', '50'] } })).toThrow(
      /redriveJob must be .*\(received "options"\)/,
    );
  });

  it('refuses a non-positive alert threshold, naming it', () => {
    expect(() => synth({}, { alerts: { backlogMessages: -5 } })).toThrow(
      /alerts\.backlogMessages must be a positive number \(received -5\)/,
    );
  });

  it('refuses Service Bus options on a Kafka bus and Kafka options on Service Bus', () => {
    expect(() => synth({ messaging: { kind: 'kafka', serviceBus: { sku: 'Premium' } } })).toThrow(
      /messaging\.serviceBus must be unset when messaging\.kind is "kafka"/,
    );
    expect(() => synth({ messaging: { kafka: { partitionCount: 4 } } })).toThrow(
      /messaging\.kafka must be unset when messaging\.kind is "serviceBus"/,
    );
  });

  it('refuses two foundations for one environment in one stack (same resource group)', () => {
    const stack = newStack();
    new WebhookFoundation(stack, 'A', foundationRequired);
    expect(() => new WebhookFoundation(stack, 'B', foundationRequired)).toThrow(
      /environment must be unique among the foundations of stack 'test' \(two would create the same resource group rg-webhooks-prod-weu/,
    );
  });

  it('names runtime.maxBodyBytes when the body is larger than the WAF can inspect', () => {
    expect(() => synth({}, { runtime: { imageTag: '1.0.0', maxBodyBytes: 10 * 1024 * 1024 } })).toThrow(
      /runtime\.maxBodyBytes must be at most 2048000 .*\(received 10485760\)/,
    );
  });

  it('refuses an image name Docker would refuse, and warns about a mutable tag', () => {
    expect(() => synth({}, { runtime: { imageTag: '1.0.0', imageName: 'Webhook Runtime' } })).toThrow(
      /imageName must be a Docker repository name .*\(received "Webhook Runtime"\)/,
    );
    const stack = newStack();
    const f = new WebhookFoundation(stack, 'F', foundationRequired);
    const p = new WebhookPlatform(stack, 'P', {
      foundation: f,
      runtime: { imageTag: 'latest' },
      proxy: { imageTag: '1.0.0' },
    });
    const warnings = p.runtime.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN);
    expect(warnings.map((w) => String(w.data))).toEqual([
      expect.stringContaining('imageTag "latest" is mutable'),
    ]);
  });

  it('warns when the WAF only detects in prod', () => {
    const stack = newStack();
    const f = new WebhookFoundation(stack, 'F', foundationRequired);
    const p = new WebhookPlatform(stack, 'P', {
      foundation: f,
      runtime: { imageTag: '1.0.0' },
      proxy: { imageTag: '1.0.0' },
      ingress: { waf: { mode: 'Detection' } },
    });
    const warnings = p.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN);
    expect(warnings.map((w) => String(w.data))).toEqual([expect.stringContaining('"Detection" in prod')]);
  });

  it('refuses verify "none" in prod, naming runtime.verify (issue 13, item 10)', () => {
    expect(() => synth({}, { runtime: { imageTag: '1.0.0', verify: 'none' } })).toThrow(
      /runtime\.verify must be a signature scheme in environment "prod".*\(received "none"\)/s,
    );
  });

  it('accepts verify "none" outside prod, with a warning on the runtime', () => {
    const stack = newStack();
    const f = new WebhookFoundation(stack, 'F', { ...foundationRequired, environment: 'dev' });
    const p = new WebhookPlatform(stack, 'P', {
      foundation: f,
      runtime: { imageTag: '1.0.0', verify: 'none' },
      proxy: { imageTag: '1.0.0' },
    });
    const warnings = p.runtime.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN);
    expect(warnings.map((w) => String(w.data))).toEqual([expect.stringContaining('verify is "none"')]);
    expect(
      resourcesOf(synthJson(stack), 'azurerm_role_assignment').map((r) => String(r.scope)),
    ).not.toContain(expect.stringContaining('secrets/webhook-secret'));
  });

  it('fails early for an invalid environment name, naming the value', () => {
    expect(() => synth({ environment: 'Production!' })).toThrow(
      'environment must be 2-10 lowercase letters or digits',
    );
  });

  it('is deterministic: two synths of the same props are identical', () => {
    const build = (): string => {
      const stack = newStack();
      const f = new WebhookFoundation(stack, 'Foundation', foundationRequired);
      new WebhookPlatform(stack, 'Platform', {
        foundation: f,
        runtime: { imageTag: '1.0.0' },
        proxy: { imageTag: '1.0.0' },
      });
      return Testing.synth(stack);
    };
    expect(build()).toBe(build());
  });
});

describe('WebhookPlatform runtime.sources', () => {
  const sources = [
    { name: 'github', verify: 'github' as const, secretNames: ['github-webhook-secret'] },
    {
      name: 'stripe',
      verify: 'stripe' as const,
      secretNames: ['stripe-webhook-secret'],
      rateLimit: { rps: 20, burst: 40 },
    },
  ];

  it("renders the sources on the runtime, reads their secrets from the foundation's vault, and routes them at NGINX", () => {
    const stack = newStack();
    const f = new WebhookFoundation(stack, 'Foundation', foundationRequired);
    const p = new WebhookPlatform(stack, 'Platform', {
      foundation: f,
      runtime: { imageTag: '1.0.0', sources },
      proxy: { imageTag: '1.0.0' },
    });
    const out = synthJson(stack);
    const runtimeEnv = envOf(appNamed(out, 'ca-runtime-prod'));
    expect(JSON.parse(runtimeEnv.WEBHOOK_SOURCES ?? '[]').map((s: { name: string }) => s.name)).toEqual([
      'github',
      'stripe',
    ]);
    expect(envOf(appNamed(out, 'ca-proxy-prod')).WEBHOOK_SOURCES_NGINX).toBe('github stripe:20:40');
    const secrets = (
      appNamed(out, 'ca-runtime-prod').secret as { name: string; key_vault_secret_id?: string }[]
    )
      .filter((s) => s.name.startsWith('source-'))
      .map((s) => s.key_vault_secret_id);
    expect(secrets).toEqual([
      expect.stringMatching(/^\$\{azurerm_key_vault\.[^}]+\.vault_uri\}secrets\/github-webhook-secret$/),
      expect.stringMatching(/^\$\{azurerm_key_vault\.[^}]+\.vault_uri\}secrets\/stripe-webhook-secret$/),
    ]);
    expect(Object.keys(p.sourceUrls)).toEqual(['github', 'stripe']);
    expect(p.sourceUrls.github).toBe(`https://${p.hostName}/webhooks/github`);
  });

  it('refuses a source with verify "none" in prod, naming runtime.sources[i].verify', () => {
    expect(() =>
      synth({}, { runtime: { imageTag: '1.0.0', sources: [...sources, { name: 'open', verify: 'none' }] } }),
    ).toThrow(/runtime\.sources\[2\]\.verify must be a signature scheme in environment "prod"/);
    expect(() =>
      synth(
        { environment: 'dev' },
        {
          runtime: { imageTag: '1.0.0', sources: [{ name: 'open', verify: 'none' }] },
          alerts: { enabled: false },
        },
      ),
    ).not.toThrow();
  });

  it('names the platform prop path in a source error', () => {
    expect(() =>
      synth(
        {},
        { runtime: { imageTag: '1.0.0', sources: [sources[0]!, { ...sources[1]!, name: 'github' }] } },
      ),
    ).toThrow(/runtime\.sources\[1\]\.name must be unique/);
  });
});
