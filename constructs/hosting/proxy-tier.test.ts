import type { TerraformStack } from 'cdktf';
import { onlyResource, resourcesOf, synthJson, testStacks, type Synthesized } from '../core/testing';
import { ProxyTier, type ProxyTierProps } from './proxy-tier';
import { fixture, newEnvironment, type Fixture } from './testing';
import { WebhookRuntime, type WebhookRuntimeProps } from './webhook-runtime';

const { newStack, cleanup } = testStacks('proxy-test');
afterAll(cleanup);

const STORAGE = { name: 'stwebhooksfn', id: '/storageAccounts/stwebhooksfn' };

function synth(
  override: (f: Fixture) => Partial<ProxyTierProps> = () => ({}),
  runtimeOverride: Partial<WebhookRuntimeProps> = {},
): Synthesized {
  const stack: TerraformStack = newStack();
  const f = fixture(stack);
  const environment = newEnvironment(stack, f);
  const runtime = new WebhookRuntime(stack, 'Runtime', {
    environment,
    name: 'ca-webhook-runtime',
    registry: f.registry,
    imageName: 'webhook-runtime',
    imageTag: '1.4.2',
    messageBus: f.bus,
    verify: 'none',
    maxBodyBytes: 262_144,
    ...runtimeOverride,
  });
  new ProxyTier(stack, 'Proxy', {
    environment,
    runtime,
    name: 'ca-webhook-proxy',
    registry: f.registry,
    imageName: 'webhook-proxy',
    imageTag: '2.0.0',
    ...override(f),
  });
  return synthJson(stack);
}

type App = { name: string; ingress: Record<string, unknown>; template: Record<string, unknown> };
const appNamed = (out: Synthesized, name: string): App =>
  resourcesOf(out, 'azurerm_container_app').find((a) => a.name === name) as App;
const proxyContainer = (out: Synthesized): Record<string, unknown> =>
  (appNamed(out, 'ca-webhook-proxy').template.container as Record<string, unknown>[])[0]!;

describe('ProxyTier on Container Apps (default)', () => {
  test('ingress is reachable by the gateway (external inside the internal environment) while the runtime is not', () => {
    const out = synth();
    expect(appNamed(out, 'ca-webhook-proxy').ingress).toMatchObject({
      external_enabled: true,
      target_port: 8080,
      allow_insecure_connections: false,
      traffic_weight: [{ latest_revision: true, percentage: 100 }],
    });
    expect(appNamed(out, 'ca-webhook-runtime').ingress.external_enabled).toBe(false);
    expect(onlyResource(out, 'azurerm_container_app_environment').internal_load_balancer_enabled).toBe(true);
  });

  test("UPSTREAM_SERVERS is the runtime's ingress FQDN on port 80, UPSTREAM_HOST_HEADER that FQDN, MAX_BODY_BYTES the runtime's", () => {
    const env = proxyContainer(synth()).env as { name: string; value: string }[];
    expect(env).toEqual([
      { name: 'MAX_BODY_BYTES', value: '262144' },
      { name: 'TRUSTED_PROXY_CIDR', value: '10.20.2.0/27' },
      { name: 'UPSTREAM_HOST_HEADER', value: '${azurerm_container_app.Runtime_99E3DDFA.ingress[0].fqdn}' },
      { name: 'UPSTREAM_SERVERS', value: '${azurerm_container_app.Runtime_99E3DDFA.ingress[0].fqdn}:80' },
    ]);
  });

  test('TRUSTED_PROXY_CIDR takes the given proxies (gateway subnet), and none when given none', () => {
    const env = (cidrs: string[]): { name: string; value: string }[] =>
      proxyContainer(synth(() => ({ trustedProxyCidrs: cidrs }))).env as { name: string; value: string }[];
    expect(env(['10.20.0.0/24', '10.20.2.0/27'])).toContainEqual({
      name: 'TRUSTED_PROXY_CIDR',
      value: '10.20.0.0/24 10.20.2.0/27',
    });
    expect(env([]).map((e) => e.name)).not.toContain('TRUSTED_PROXY_CIDR');
  });

  test('probes NGINX on 8080 (/healthz liveness and startup, /readyz readiness) and scales on concurrency', () => {
    const out = synth(() => ({ concurrentRequestsPerReplica: 200, minReplicas: 3, maxReplicas: 6 }));
    const c = proxyContainer(out);
    expect(c.liveness_probe).toEqual([expect.objectContaining({ path: '/healthz', port: 8080 })]);
    expect(c.readiness_probe).toEqual([expect.objectContaining({ path: '/readyz', port: 8080 })]);
    expect(c.startup_probe).toEqual([expect.objectContaining({ path: '/healthz', port: 8080 })]);
    expect(appNamed(out, 'ca-webhook-proxy').template).toMatchObject({
      min_replicas: 3,
      max_replicas: 6,
      http_scale_rule: [{ name: 'http-concurrency', concurrent_requests: '200' }],
    });
  });

  test("sizes and scales with its own defaults, not the runtime's: 0.25 vCPU, 0.5Gi, 2-10 replicas, 100 requests", () => {
    const out = synth();
    expect(proxyContainer(out)).toMatchObject({ name: 'nginx', cpu: 0.25, memory: '0.5Gi' });
    expect(appNamed(out, 'ca-webhook-proxy').template).toMatchObject({
      min_replicas: 2,
      max_replicas: 10,
      http_scale_rule: [{ name: 'http-concurrency', concurrent_requests: '100' }],
    });
    const runtime = appNamed(out, 'ca-webhook-runtime').template;
    expect(runtime.http_scale_rule).toEqual([{ name: 'http-concurrency', concurrent_requests: '50' }]);
  });

  test('pulls by its own identity, and restricts callers to the given CIDRs', () => {
    const out = synth(() => ({ allowedSourceCidrs: ['10.20.0.0/24'] }));
    const proxy = appNamed(out, 'ca-webhook-proxy') as App & { registry: unknown; depends_on: string[] };
    expect(proxy.registry).toEqual([
      { server: 'acrwebhooks.azurecr.io', identity: expect.stringContaining('Proxy_Identity') },
    ]);
    expect(proxy.depends_on).toEqual([expect.stringMatching(/^azurerm_role_assignment\.Registry_AcrPull/)]);
    expect(proxy.ingress.ip_security_restriction).toEqual([
      { name: 'allow-0', action: 'Allow', ip_address_range: '10.20.0.0/24', description: 'gateway subnet' },
    ]);
    expect(resourcesOf(out, 'azurerm_linux_function_app')).toHaveLength(0);
  });
});

describe('ProxyTier on Functions Premium (the seed)', () => {
  const premium = (f: Fixture): Partial<ProxyTierProps> => ({
    hosting: 'functionsPremium',
    functionsPremium: {
      integrationSubnetId: f.functionsSubnet.id,
      gatewaySubnetId: f.gatewaySubnet.id,
      storage: STORAGE,
      logAnalyticsWorkspaceId: '/workspaces/law',
      sku: 'EP2',
      minimumInstances: 3,
      maximumInstances: 40,
    },
  });

  test('an EP plan and a Linux function app running the NGINX image, pulled by identity', () => {
    const out = synth(premium, { reachableFromVirtualNetwork: true });
    expect(onlyResource(out, 'azurerm_service_plan')).toMatchObject({
      os_type: 'Linux',
      sku_name: 'EP2',
      worker_count: 3,
      maximum_elastic_worker_count: 40,
      zone_balancing_enabled: true,
    });
    const fn = onlyResource(out, 'azurerm_linux_function_app') as Record<string, unknown> & {
      site_config: Record<string, unknown>;
      app_settings: Record<string, string>;
    };
    expect(fn).toMatchObject({
      public_network_access_enabled: true,
      https_only: true,
      ftp_publish_basic_authentication_enabled: false,
      webdeploy_publish_basic_authentication_enabled: false,
      virtual_network_subnet_id: '${azurerm_subnet.Functions.id}',
      storage_uses_managed_identity: true,
      storage_account_name: 'stwebhooksfn',
    });
    expect(fn.site_config).toMatchObject({
      elastic_instance_minimum: 3,
      app_scale_limit: 40,
      health_check_path: '/healthz',
      health_check_eviction_time_in_min: 2,
      ftps_state: 'Disabled',
      minimum_tls_version: '1.2',
      container_registry_use_managed_identity: true,
      ip_restriction_default_action: 'Deny',
      ip_restriction: [
        expect.objectContaining({
          action: 'Allow',
          virtual_network_subnet_id: '${azurerm_subnet.Gateway.id}',
        }),
      ],
      application_stack: {
        docker: [
          { registry_url: 'https://acrwebhooks.azurecr.io', image_name: 'webhook-proxy', image_tag: '2.0.0' },
        ],
      },
    });
    expect(fn.app_settings).toMatchObject({
      FUNCTIONS_WORKER_RUNTIME: 'custom',
      MAX_BODY_BYTES: '262144',
      UPSTREAM_SERVERS: '${azurerm_container_app.Runtime_99E3DDFA.ingress[0].fqdn}:80',
    });
    expect(resourcesOf(out, 'azurerm_role_assignment').map((r) => r.role_definition_name)).toContain(
      'Storage Blob Data Owner',
    );
    expect(appNamed(out, 'ca-webhook-proxy')).toBeUndefined();
    const appDiags = resourcesOf(out, 'azurerm_monitor_diagnostic_setting').filter((d) =>
      String(d.target_resource_id).startsWith('${azurerm_linux_function_app.'),
    );
    expect(appDiags).toEqual([
      expect.objectContaining({
        target_resource_id: expect.stringMatching(
          /^\$\{azurerm_linux_function_app\.Proxy_Functions_\w+\.id\}$/,
        ),
        enabled_log: [{ category_group: 'allLogs' }],
      }),
    ]);
  });

  test('with a private endpoint, public network access is off and the app gets a privatelink.azurewebsites.net endpoint', () => {
    const out = synth(
      (f) => ({
        ...premium(f),
        functionsPremium: {
          ...premium(f).functionsPremium!,
          gatewaySubnetId: undefined,
          privateEndpoint: { subnetId: '/subnets/pe', virtualNetworkId: '/vnets/v' },
        },
      }),
      { reachableFromVirtualNetwork: true },
    );
    const fn = onlyResource(out, 'azurerm_linux_function_app') as {
      public_network_access_enabled: boolean;
      site_config: Record<string, unknown>;
    };
    expect(fn.public_network_access_enabled).toBe(false);
    expect(fn.site_config.ip_restriction).toBeUndefined();
    expect(onlyResource(out, 'azurerm_private_endpoint')).toMatchObject({
      subnet_id: '/subnets/pe',
      private_service_connection: { subresource_names: ['sites'] },
    });
    expect(onlyResource(out, 'azurerm_private_dns_zone').name).toBe('privatelink.azurewebsites.net');
  });

  test('fails with neither a private endpoint nor a gateway subnet', () => {
    expect(() =>
      synth(
        (f) => ({
          ...premium(f),
          functionsPremium: { ...premium(f).functionsPremium!, gatewaySubnetId: undefined },
        }),
        { reachableFromVirtualNetwork: true },
      ),
    ).toThrow('functionsPremium.gatewaySubnetId must be set when no privateEndpoint is given');
  });

  test('zone balancing can be switched off, and then fewer than 3 instances are allowed', () => {
    const out = synth(
      (f) => ({
        ...premium(f),
        functionsPremium: {
          ...premium(f).functionsPremium!,
          zoneBalancingEnabled: false,
          minimumInstances: 1,
        },
      }),
      { reachableFromVirtualNetwork: true },
    );
    expect(onlyResource(out, 'azurerm_service_plan')).toMatchObject({
      zone_balancing_enabled: false,
      worker_count: 1,
    });
    expect(() =>
      synth(
        (f) => ({
          ...premium(f),
          functionsPremium: { ...premium(f).functionsPremium!, minimumInstances: 2 },
        }),
        { reachableFromVirtualNetwork: true },
      ),
    ).toThrow('functionsPremium.minimumInstances must be at least 3 when zoneBalancingEnabled');
  });

  test('fails when the runtime is only reachable inside the environment', () => {
    expect(() => synth(premium)).toThrow(
      'runtime.reachableFromVirtualNetwork must be true when hosting is "functionsPremium" (the function app is outside the environment) (received false)',
    );
  });

  test('fails without its options, and above 100 instances', () => {
    expect(() =>
      synth(() => ({ hosting: 'functionsPremium' }), { reachableFromVirtualNetwork: true }),
    ).toThrow('functionsPremium must be set when hosting is "functionsPremium"');
    expect(() =>
      synth(
        (f) => ({
          ...premium(f),
          functionsPremium: { ...premium(f).functionsPremium!, maximumInstances: 101 },
        }),
        { reachableFromVirtualNetwork: true },
      ),
    ).toThrow('functionsPremium.maximumInstances must be an integer from 1 to 100 (received 101)');
  });
});

describe('ProxyTier validation', () => {
  test('fails on an unknown hosting and an invalid size', () => {
    expect(() => synth(() => ({ hosting: 'appService' as never }))).toThrow(
      'hosting must be one of containerApps, functionsPremium (received "appService")',
    );
    expect(() => synth(() => ({ cpu: 0.25, memoryGi: 1 }))).toThrow('memoryGi must be twice cpu');
  });
});
