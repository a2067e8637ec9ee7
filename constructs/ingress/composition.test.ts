/**
 * The hosting and ingress constructs wired together as the README shows: gateway → proxy →
 * runtime, with the values that must agree across them taken from one another.
 */
import { onlyResource, resourcesOf, synthJson, testStacks, type Synthesized } from '../core/testing';
import { ContainerAppsEnvironment } from '../hosting/container-apps-environment';
import { ProxyTier } from '../hosting/proxy-tier';
import { environmentProps, fixture } from '../hosting/testing';
import { WebhookRuntime } from '../hosting/webhook-runtime';
import { WebhookIngress } from './webhook-ingress';

const { newStack, cleanup } = testStacks('composition-test');
afterAll(cleanup);

function synthAll(maxBodyBytes: number): Synthesized {
  const stack = newStack();
  const f = fixture(stack);
  const env = new ContainerAppsEnvironment(stack, 'Env', environmentProps(f));
  const runtime = new WebhookRuntime(stack, 'Runtime', {
    environment: env,
    name: 'ca-webhooks-runtime',
    registry: f.registry,
    imageName: 'webhook-runtime',
    imageTag: '1.0.0',
    messageBus: f.bus,
    webhookSecret: { store: f.vault, secretName: 'webhook-secret' },
    maxBodyBytes,
  });
  const proxy = new ProxyTier(stack, 'Proxy', {
    environment: env,
    runtime,
    name: 'ca-webhooks-proxy',
    registry: f.registry,
    imageName: 'webhook-nginx',
    imageTag: '1.0.0',
  });
  new WebhookIngress(stack, 'Ingress', {
    name: 'agw-webhooks-prod-weu',
    resourceGroupName: 'rg',
    location: 'westeurope',
    gatewaySubnet: f.gatewaySubnet,
    backend: proxy,
    environment: env,
    virtualNetworkId: f.vnet.id,
    logAnalyticsWorkspaceId: '/workspaces/law',
    certificate: { store: f.vault, secretName: 'webhooks-tls' },
  });
  return synthJson(stack);
}

describe('gateway → proxy → runtime', () => {
  test("the gateway's backend is the proxy app's ingress FQDN, resolved by the environment's private zone", () => {
    const out = synthAll(1_048_576);
    const proxyKey = Object.entries(out.resource?.azurerm_container_app ?? {}).find(
      ([, app]) => app.name === 'ca-webhooks-proxy',
    )?.[0];
    expect(onlyResource(out, 'azurerm_application_gateway').backend_address_pool).toEqual([
      { name: 'proxy-tier', fqdns: [`\${azurerm_container_app.${proxyKey}.ingress[0].fqdn}`] },
    ]);
    expect(onlyResource(out, 'azurerm_private_dns_zone').name).toBe(
      '${azurerm_container_app_environment.Env_C33A5BD9.default_domain}',
    );
  });

  test("the WAF body limit follows the runtime's MAX_BODY_BYTES, and NGINX gets the same limit", () => {
    const out = synthAll(512 * 1024);
    expect(onlyResource(out, 'azurerm_web_application_firewall_policy')).toMatchObject({
      policy_settings: { max_request_body_size_in_kb: 512 },
    });
    const proxy = resourcesOf(out, 'azurerm_container_app').find((a) => a.name === 'ca-webhooks-proxy') as {
      template: { container: { env: { name: string; value: string }[] }[] };
    };
    expect(proxy.template.container[0]!.env).toContainEqual({ name: 'MAX_BODY_BYTES', value: '524288' });
  });

  test('three identities, each with only its own grants', () => {
    const out = synthAll(1_048_576);
    expect(
      resourcesOf(out, 'azurerm_user_assigned_identity')
        .map((i) => i.name)
        .sort(),
    ).toEqual(['id-agw-webhooks-prod-weu', 'id-ca-webhooks-proxy', 'id-ca-webhooks-runtime']);
    const roles = resourcesOf(out, 'azurerm_role_assignment')
      .map((r) => r.role_definition_name)
      .sort();
    expect(roles).toEqual([
      'AcrPull',
      'AcrPull',
      'Azure Service Bus Data Sender',
      'Key Vault Secrets User',
      'Key Vault Secrets User',
    ]);
  });
});
