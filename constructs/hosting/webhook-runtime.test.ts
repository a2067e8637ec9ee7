import type { TerraformStack } from 'cdktf';
import { onlyResource, resourcesOf, synthJson, testStacks, type Synthesized } from '../core/testing';
import { fixture, newEnvironment, type Fixture } from './testing';
import { WebhookRuntime, type WebhookRuntimeProps } from './webhook-runtime';

const { newStack, cleanup } = testStacks('runtime-test');
afterAll(cleanup);

type Build = (stack: TerraformStack, f: Fixture) => WebhookRuntimeProps;

function runtimeProps(stack: TerraformStack, f: Fixture): WebhookRuntimeProps {
  return {
    environment: newEnvironment(stack, f),
    name: 'ca-webhook-runtime',
    registry: f.registry,
    imageName: 'webhook-runtime',
    imageTag: '1.4.2',
    messageBus: f.bus,
    webhookSecret: { store: f.vault, secretName: 'webhook-signing-secret' },
  };
}

function synth(override: Partial<WebhookRuntimeProps> = {}, build: Build = runtimeProps): Synthesized {
  const stack = newStack();
  const f = fixture(stack);
  new WebhookRuntime(stack, 'Runtime', { ...build(stack, f), ...override });
  return synthJson(stack);
}

// Single blocks (identity, ingress, template) synthesize as objects, repeatable ones as arrays.
type App = {
  ingress: Record<string, unknown>;
  template: { container: Record<string, unknown>[]; http_scale_rule: Record<string, unknown>[] };
  [key: string]: unknown;
};
const IDENTITY = '${azurerm_user_assigned_identity.Runtime_Identity_55005E19';
const appOf = (out: Synthesized): App => onlyResource(out, 'azurerm_container_app') as App;
const containerOf = (out: Synthesized): Record<string, unknown> => appOf(out).template.container[0]!;
const envOf = (out: Synthesized): Record<string, { value?: string; secret_name?: string }> =>
  Object.fromEntries(
    (containerOf(out).env as { name: string; value?: string; secret_name?: string }[]).map((e) => [
      e.name,
      e,
    ]),
  );

describe('WebhookRuntime identity and registry', () => {
  test('pulls with a user-assigned identity whose AcrPull assignment exists before the app', () => {
    const out = synth();
    const app = appOf(out);
    expect(app.identity).toEqual({ type: 'UserAssigned', identity_ids: [`${IDENTITY}.id}`] });
    expect(app.registry).toEqual([{ server: 'acrwebhooks.azurecr.io', identity: `${IDENTITY}.id}` }]);
    const pulls = resourcesOf(out, 'azurerm_role_assignment').filter(
      (r) => r.role_definition_name === 'AcrPull',
    );
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.principal_id).toBe(`${IDENTITY}.principal_id}`);
    expect(app.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^azurerm_role_assignment\.Registry_AcrPull/)]),
    );
    expect(containerOf(out).image).toBe('acrwebhooks.azurecr.io/webhook-runtime:1.4.2');
  });

  test('grants itself send on the bus entity (not the namespace), before its first revision', () => {
    const out = synth();
    const senders = resourcesOf(out, 'azurerm_role_assignment').filter(
      (r) => r.role_definition_name === 'Azure Service Bus Data Sender',
    );
    expect(senders).toHaveLength(1);
    expect(senders[0]!.scope).toMatch(/\/queues\/webhooks$/);
    // Revision 1 is ready only once it can publish: the app waits for the grant.
    expect(appOf(out).depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^azurerm_role_assignment\..*DataSender/i)]),
    );
  });
});

describe('WebhookRuntime environment variables (runtime contract)', () => {
  test('sets the bus variables, WEBHOOK_VERIFY, PORT, MAX_BODY_BYTES and AZURE_CLIENT_ID', () => {
    const env = envOf(synth());
    expect(env.BUS?.value).toBe('servicebus');
    expect(env.SERVICEBUS_NAMESPACE?.value).toBe('sb-webhooks.servicebus.windows.net');
    expect(env.SERVICEBUS_QUEUE?.value).toBe('webhooks');
    expect(env.WEBHOOK_VERIFY?.value).toBe('standard-webhooks');
    expect(env.PORT?.value).toBe('8000');
    expect(env.MAX_BODY_BYTES?.value).toBe('1048576');
    expect(env.AZURE_CLIENT_ID?.value).toBe(`${IDENTITY}.client_id}`);
  });

  test('WEBHOOK_SECRET is a Key Vault reference read by the identity, which is granted that secret', () => {
    const out = synth();
    expect(envOf(out).WEBHOOK_SECRET).toEqual({ name: 'WEBHOOK_SECRET', secret_name: 'webhook-secret' });
    expect(appOf(out).secret).toEqual([
      {
        name: 'webhook-secret',
        key_vault_secret_id: 'https://kv-webhooks.vault.azure.net/secrets/webhook-signing-secret',
        identity: `${IDENTITY}.id}`,
      },
    ]);
    const reads = resourcesOf(out, 'azurerm_role_assignment').filter(
      (r) => r.role_definition_name === 'Key Vault Secrets User',
    );
    expect(reads).toHaveLength(1);
    expect(reads[0]!.scope).toMatch(/\/secrets\/webhook-signing-secret$/);
  });

  test('APPLICATIONINSIGHTS_CONNECTION_STRING comes from a secret, never a plain env value', () => {
    const out = synth({
      applicationInsightsConnectionString: '${azurerm_application_insights.ai.connection_string}',
    });
    expect(envOf(out).APPLICATIONINSIGHTS_CONNECTION_STRING).toEqual({
      name: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
      secret_name: 'appinsights-connection-string',
    });
    expect(appOf(out).secret).toContainEqual({
      name: 'appinsights-connection-string',
      value: '${azurerm_application_insights.ai.connection_string}',
    });
  });

  test('verify "none" needs no secret and sets none', () => {
    const out = synth({ verify: 'none', webhookSecret: undefined });
    expect(envOf(out).WEBHOOK_VERIFY?.value).toBe('none');
    expect(envOf(out).WEBHOOK_SECRET).toBeUndefined();
    expect(appOf(out).secret).toBeUndefined();
  });
});

describe('WebhookRuntime probes, scale and size', () => {
  test('liveness on /healthz, readiness on /readyz, startup probe, all on the app port', () => {
    const c = containerOf(synth({ port: 9000 }));
    expect(c.liveness_probe).toEqual([
      expect.objectContaining({ transport: 'HTTP', path: '/healthz', port: 9000 }),
    ]);
    expect(c.readiness_probe).toEqual([
      expect.objectContaining({ transport: 'HTTP', path: '/readyz', port: 9000 }),
    ]);
    expect(c.startup_probe).toEqual([
      expect.objectContaining({ transport: 'HTTP', path: '/healthz', port: 9000 }),
    ]);
  });

  test('http_scale_rule.concurrent_requests is a string (the bindings type it so)', () => {
    const t = appOf(synth({ concurrentRequestsPerReplica: 80 })).template;
    expect(t.http_scale_rule).toEqual([{ name: 'http-concurrency', concurrent_requests: '80' }]);
    expect(typeof t.http_scale_rule[0]!.concurrent_requests).toBe('string');
    expect(t).toMatchObject({ min_replicas: 2, max_replicas: 10 });
  });

  test('cpu and memory default to a valid Consumption pair', () => {
    expect(containerOf(synth())).toMatchObject({ cpu: 0.5, memory: '1Gi' });
    expect(containerOf(synth({ cpu: 1.25 }))).toMatchObject({ cpu: 1.25, memory: '2.5Gi' });
  });
});

describe('WebhookRuntime ingress (apply-time trap: reachability)', () => {
  test('is internal to the environment, HTTP on the app port, latest revision takes 100%', () => {
    expect(appOf(synth()).ingress).toMatchObject({
      external_enabled: false,
      target_port: 8000,
      transport: 'http',
      allow_insecure_connections: true,
      traffic_weight: [{ latest_revision: true, percentage: 100 }],
    });
  });

  test('can be opened to the virtual network for a proxy outside the environment', () => {
    expect(appOf(synth({ reachableFromVirtualNetwork: true })).ingress.external_enabled).toBe(true);
  });
});

describe('WebhookRuntime validation', () => {
  test('fails without a secret unless verify is none', () => {
    expect(() => synth({ webhookSecret: undefined })).toThrow(
      'webhookSecret must be a Key Vault secret when verify is "standard-webhooks"',
    );
  });

  test('fails on an invalid cpu/memory pair, naming both values', () => {
    expect(() => synth({ cpu: 0.5, memoryGi: 3 })).toThrow(
      'memoryGi must be twice cpu on the Consumption profile (1 for cpu 0.5; valid pairs 0.25/0.5 … 4/8) (received 3)',
    );
    expect(() => synth({ cpu: 0.3 })).toThrow('cpu must be one of 0.25, 0.5');
  });

  test('fails when minReplicas exceeds maxReplicas and on a body limit out of range', () => {
    let message = '';
    try {
      synth({ minReplicas: 5, maxReplicas: 3, maxBodyBytes: 1 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('minReplicas must be at most maxReplicas (3) (received 5)');
    expect(message).toContain('maxBodyBytes must be an integer from 2 to 104857600 (received 1)');
  });
});
