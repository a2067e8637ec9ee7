import type { TerraformStack } from 'cdktf';
import { onlyResource, resourcesOf, synthJson, testStacks, type Synthesized } from '../core/testing';
import type { IContainerAppsEnvironment } from '../hosting/container-apps-environment';
import { ContainerAppsEnvironment } from '../hosting/container-apps-environment';
import { fixture, newEnvironment, type Fixture } from '../hosting/testing';
import { WebhookIngress, type WebhookIngressProps } from './webhook-ingress';

const { newStack, cleanup } = testStacks('ingress-test');
afterAll(cleanup);

const backend = {
  fqdn: 'ca-webhook-proxy.happy-sea-123.westeurope.azurecontainerapps.io',
  maxBodyBytes: 1_048_576,
};

function props(f: Fixture, environment?: IContainerAppsEnvironment): WebhookIngressProps {
  return {
    name: 'agw-webhooks-prod-weu',
    resourceGroupName: 'rg',
    location: 'westeurope',
    gatewaySubnet: f.gatewaySubnet,
    backend,
    certificate: { store: f.vault, secretName: 'webhooks-tls' },
    logAnalyticsWorkspaceId: '/workspaces/law',
    environment,
    virtualNetworkId: f.vnet.id,
  };
}

function synth(
  override: (f: Fixture, s: TerraformStack) => Partial<WebhookIngressProps> = () => ({}),
): Synthesized {
  const stack = newStack();
  const f = fixture(stack);
  new WebhookIngress(stack, 'Ingress', { ...props(f, newEnvironment(stack, f)), ...override(f, stack) });
  return synthJson(stack);
}

type Gateway = Record<string, unknown> & {
  request_routing_rule: Record<string, unknown>[];
  backend_http_settings: Record<string, unknown>[];
  probe: Record<string, unknown>[];
  http_listener: Record<string, unknown>[];
  gateway_ip_configuration: Record<string, unknown>[];
};
const gatewayOf = (out: Synthesized): Gateway => onlyResource(out, 'azurerm_application_gateway') as Gateway;

describe('WebhookIngress public IP and gateway', () => {
  test('public IP is Standard, static and zonal', () => {
    expect(onlyResource(synth(), 'azurerm_public_ip')).toMatchObject({
      sku: 'Standard',
      allocation_method: 'Static',
      zones: ['1', '2', '3'],
    });
  });

  test('gateway is WAF_v2 with autoscale bounds, zones, HTTP/2 and the WAF policy attached', () => {
    const gw = gatewayOf(synth(() => ({ minCapacity: 1, maxCapacity: 20 })));
    expect(gw).toMatchObject({
      sku: { name: 'WAF_v2', tier: 'WAF_v2' },
      autoscale_configuration: { min_capacity: 1, max_capacity: 20 },
      zones: ['1', '2', '3'],
      enable_http2: true,
      firewall_policy_id: expect.stringMatching(
        /^\$\{azurerm_web_application_firewall_policy\.Ingress_WafPolicy_\w+\.id\}$/,
      ),
      ssl_policy: { policy_type: 'Predefined', policy_name: 'AppGwSslPolicy20220101S' },
    });
  });

  test('TLS certificate comes from Key Vault through a user-assigned identity granted read on it', () => {
    const out = synth();
    const gw = gatewayOf(out);
    expect(gw.ssl_certificate).toEqual([
      {
        name: 'webhook-tls',
        key_vault_secret_id: 'https://kv-webhooks.vault.azure.net/secrets/webhooks-tls',
      },
    ]);
    expect(gw.identity).toMatchObject({ type: 'UserAssigned' });
    const reads = resourcesOf(out, 'azurerm_role_assignment').filter(
      (r) => r.role_definition_name === 'Key Vault Secrets User',
    );
    expect(reads).toHaveLength(1);
    expect(gw.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^azurerm_role_assignment\.Ingress_KeyVaultSecretsUser/),
      ]),
    );
  });

  test('HTTPS listener on 443 and an HTTP listener on 80 that redirects permanently to it', () => {
    const gw = gatewayOf(synth());
    expect(gw.http_listener).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'https-listener',
          protocol: 'Https',
          ssl_certificate_name: 'webhook-tls',
        }),
        expect.objectContaining({ name: 'http-listener', protocol: 'Http' }),
      ]),
    );
    expect(gw.redirect_configuration).toEqual([
      expect.objectContaining({ redirect_type: 'Permanent', target_listener_name: 'https-listener' }),
    ]);
  });

  test('backend is the proxy FQDN over HTTPS with the host picked from it, probed on /healthz', () => {
    const gw = gatewayOf(synth());
    expect(gw.backend_address_pool).toEqual([{ name: 'proxy-tier', fqdns: [backend.fqdn] }]);
    expect(gw.backend_http_settings[0]).toMatchObject({
      protocol: 'Https',
      port: 443,
      pick_host_name_from_backend_address: true,
      probe_name: 'proxy-healthz',
      request_timeout: 10,
    });
    expect(gw.probe[0]).toMatchObject({
      path: '/healthz',
      protocol: 'Https',
      pick_host_name_from_backend_http_settings: true,
    });
  });

  test('diagnostics (allLogs + AllMetrics) on the gateway and the public IP', () => {
    // The environment's own diagnostic setting belongs to ContainerAppsEnvironment, not to ingress.
    const diags = resourcesOf(synth(), 'azurerm_monitor_diagnostic_setting').filter(
      (d) => !String(d.target_resource_id).startsWith('${azurerm_container_app_environment.'),
    );
    expect(diags.map((d) => d.target_resource_id).sort()).toEqual([
      expect.stringMatching(/^\$\{azurerm_application_gateway\.Ingress_\w+\.id\}$/),
      expect.stringMatching(/^\$\{azurerm_public_ip\.Ingress_PublicIp_\w+\.id\}$/),
    ]);
    for (const d of diags) {
      expect(d).toMatchObject({
        enabled_log: [{ category_group: 'allLogs' }],
        enabled_metric: [{ category: 'AllMetrics' }],
      });
    }
  });
});

describe('WebhookIngress apply-time traps', () => {
  test('every v2 routing rule has a distinct priority (the API rejects an empty one)', () => {
    const rules = gatewayOf(synth()).request_routing_rule;
    expect(rules).toHaveLength(2);
    for (const rule of rules) expect(typeof rule.priority).toBe('number');
    expect(new Set(rules.map((r) => r.priority)).size).toBe(rules.length);
  });

  test('the gateway sits in its own subnet: the environment subnet is refused', () => {
    expect(() => synth((f) => ({ gatewaySubnet: f.appsSubnet }))).toThrow(
      "gatewaySubnet must be a subnet of its own (not the Container Apps environment's infrastructure subnet)",
    );
    expect(gatewayOf(synth()).gateway_ip_configuration).toEqual([
      { name: 'gateway-ip', subnet_id: '${azurerm_subnet.Gateway.id}' },
    ]);
  });

  test('the same existing subnet id for both is refused too', () => {
    const stack = newStack();
    const f = fixture(stack);
    const env = ContainerAppsEnvironment.fromEnvironmentAttributes(stack, 'Existing', {
      environmentId: '/envs/e',
      defaultDomain: 'd.westeurope.azurecontainerapps.io',
      staticIpAddress: '10.0.0.4',
      resourceGroupName: 'rg',
      location: 'westeurope',
      infrastructureSubnet: '/subnets/Shared',
    });
    expect(
      () => new WebhookIngress(stack, 'Ingress', { ...props(f, env), gatewaySubnet: '/subnets/shared' }),
    ).toThrow('gatewaySubnet must be a subnet of its own');
  });

  test("private DNS zone named after the environment's default domain, * and @ to its static IP, linked to the VNet", () => {
    const out = synth();
    expect(onlyResource(out, 'azurerm_private_dns_zone').name).toBe(
      '${azurerm_container_app_environment.Env_C33A5BD9.default_domain}',
    );
    const records = resourcesOf(out, 'azurerm_private_dns_a_record');
    expect(records.map((r) => r.name).sort()).toEqual(['*', '@']);
    for (const r of records) {
      expect(r.records).toEqual(['${azurerm_container_app_environment.Env_C33A5BD9.static_ip_address}']);
    }
    expect(onlyResource(out, 'azurerm_private_dns_zone_virtual_network_link')).toMatchObject({
      virtual_network_id: '${azurerm_virtual_network.Vnet.id}',
      registration_enabled: false,
    });
  });
});

describe('WebhookIngress WAF policy', () => {
  test('Prevention, Microsoft_DefaultRuleSet 2.1, body check on, limit from the backend (1 MiB = 1024 KB)', () => {
    expect(onlyResource(synth(), 'azurerm_web_application_firewall_policy')).toMatchObject({
      policy_settings: {
        enabled: true,
        mode: 'Prevention',
        request_body_check: true,
        max_request_body_size_in_kb: 1024,
      },
      managed_rules: { managed_rule_set: [{ type: 'Microsoft_DefaultRuleSet', version: '2.1' }] },
    });
  });

  test('OWASP 3.2 can be chosen', () => {
    expect(
      onlyResource(
        synth(() => ({ waf: { ruleSet: 'OWASP' } })),
        'azurerm_web_application_firewall_policy',
      ),
    ).toMatchObject({ managed_rules: { managed_rule_set: [{ type: 'OWASP', version: '3.2' }] } });
  });

  test("fails when the WAF limit is below the runtime's MAX_BODY_BYTES or outside 8-2000 KB", () => {
    expect(() => synth(() => ({ waf: { maxRequestBodySizeInKb: 512 } }))).toThrow(
      "waf.maxRequestBodySizeInKb must be at least 1024 (the runtime's MAX_BODY_BYTES 1048576 in KB) (received 512)",
    );
    expect(() => synth(() => ({ waf: { maxRequestBodySizeInKb: 4000 } }))).toThrow(
      'waf.maxRequestBodySizeInKb must be an integer from 8 to 2000 (received 4000)',
    );
    expect(() => synth(() => ({ backend: { fqdn: 'x', maxBodyBytes: 3_000_000 } }))).toThrow(
      'waf.maxRequestBodySizeInKb must be an integer from 8 to 2000 (received 2930)',
    );
  });
});

describe('WebhookIngress defaults can be switched off', () => {
  test('Detection mode, body check off, no private DNS, two zones, the strict-less 2022 TLS policy', () => {
    const out = synth(() => ({
      waf: { mode: 'Detection', requestBodyCheck: false },
      privateDns: false,
      zones: ['1', '2'],
      sslPolicyName: 'AppGwSslPolicy20220101',
    }));
    expect(onlyResource(out, 'azurerm_web_application_firewall_policy')).toMatchObject({
      policy_settings: { mode: 'Detection', request_body_check: false },
    });
    expect(resourcesOf(out, 'azurerm_private_dns_zone')).toHaveLength(0);
    expect(gatewayOf(out)).toMatchObject({
      zones: ['1', '2'],
      ssl_policy: { policy_name: 'AppGwSslPolicy20220101' },
    });
    expect(onlyResource(out, 'azurerm_public_ip').zones).toEqual(['1', '2']);
  });
});

describe('WebhookIngress validation', () => {
  test('fails early listing each bad prop with field, range and value', () => {
    let message = '';
    try {
      synth(() => ({
        zones: ['4'],
        minCapacity: 12,
        maxCapacity: 5,
        sslPolicyName: 'AppGwSslPolicy20150501' as never,
      }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('zones[0] must be one of 1, 2, 3 (received "4")');
    expect(message).toContain('minCapacity must be at most maxCapacity (5) (received 12)');
    expect(message).toContain(
      'sslPolicyName must be one of AppGwSslPolicy20220101, AppGwSslPolicy20220101S (received "AppGwSslPolicy20150501")',
    );
  });

  test('fails when an environment needs a DNS zone but no virtual network is given', () => {
    expect(() => synth(() => ({ virtualNetworkId: undefined }))).toThrow(
      'virtualNetworkId must be set when environment is given and privateDns is not false',
    );
  });
});
