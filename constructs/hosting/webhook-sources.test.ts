import type { TerraformStack } from 'cdktf';
import { onlyResource, resourcesOf, synthJson, testStacks, type Synthesized } from '../core/testing';
import { ProxyTier } from './proxy-tier';
import { fixture, newEnvironment, type Fixture } from './testing';
import { WebhookRuntime, type WebhookRuntimeProps } from './webhook-runtime';
import type { WebhookSource } from './webhook-sources';

const { newStack, cleanup } = testStacks('sources-test');
afterAll(cleanup);

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

/** The runtime (with `override`) and a Container Apps proxy in front of it. */
function synth(override: Partial<WebhookRuntimeProps> = {}): Synthesized {
  const stack = newStack();
  const f = fixture(stack);
  const props = { ...runtimeProps(stack, f), ...override };
  const runtime = new WebhookRuntime(stack, 'Runtime', props);
  new ProxyTier(stack, 'Proxy', {
    environment: props.environment,
    runtime,
    name: 'ca-webhook-proxy',
    registry: f.registry,
    imageName: 'webhook-nginx',
    imageTag: '1.0.0',
  });
  return synthJson(stack);
}

/** The synth's error message ('' when it succeeded). */
function errorOf(sources: readonly WebhookSource[], override: Partial<WebhookRuntimeProps> = {}): string {
  try {
    synth({ sources, ...override });
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

type App = {
  name: string;
  secret?: Record<string, unknown>[];
  template: { container: { env: { name: string; value?: string; secret_name?: string }[] }[] };
};
const app = (out: Synthesized, name: string): App =>
  resourcesOf(out, 'azurerm_container_app').find((a) => a.name === name) as unknown as App;
const envOf = (a: App): Record<string, { value?: string; secret_name?: string }> =>
  Object.fromEntries(a.template.container[0]!.env.map((e) => [e.name, e]));

const SOURCES: WebhookSource[] = [
  {
    name: 'github',
    verify: 'github',
    secretNames: ['github-secret-2', { name: 'github-secret-1', notAfter: '2027-01-31T00:00:00Z' }],
    rateLimit: { rps: 50, burst: 100 },
  },
  {
    name: 'acme-crm',
    verify: {
      scheme: 'hmac',
      header: 'X-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: 'sha256=',
    },
    secretNames: ['acme-crm-secret'],
    deliveryId: { header: 'X-Acme-Delivery' },
    key: { jsonPointer: '/account/id' },
    body: 'contract',
  },
  { name: 'open', verify: 'none' },
];

describe('WebhookRuntime sources: rendering', () => {
  const out = synth({ sources: SOURCES });
  const runtime = app(out, 'ca-webhook-runtime');
  const env = envOf(runtime);

  test('WEBHOOK_SOURCES is the runtime document: secrets named by their variables, options as given', () => {
    expect(JSON.parse(env.WEBHOOK_SOURCES?.value ?? 'null')).toEqual([
      {
        name: 'github',
        verify: 'github',
        secrets: [
          { env: 'WEBHOOK_SOURCE_GITHUB_SECRET_0' },
          { env: 'WEBHOOK_SOURCE_GITHUB_SECRET_1', notAfter: '2027-01-31T00:00:00Z' },
        ],
        rateLimit: { rps: 50, burst: 100 },
      },
      {
        name: 'acme-crm',
        verify: {
          scheme: 'hmac',
          header: 'X-Signature',
          algorithm: 'sha256',
          encoding: 'hex',
          prefix: 'sha256=',
        },
        secrets: [{ env: 'WEBHOOK_SOURCE_ACME_CRM_SECRET_0' }],
        deliveryId: { header: 'X-Acme-Delivery' },
        key: { jsonPointer: '/account/id' },
        body: 'contract',
      },
      { name: 'open', verify: 'none' },
    ]);
  });

  test('each secret name is a Key Vault-referenced app secret, exposed as WEBHOOK_SOURCE_<NAME>_SECRET_<i>', () => {
    expect(env.WEBHOOK_SOURCE_GITHUB_SECRET_0).toEqual({
      name: 'WEBHOOK_SOURCE_GITHUB_SECRET_0',
      secret_name: 'source-github-0',
    });
    expect(env.WEBHOOK_SOURCE_GITHUB_SECRET_1?.secret_name).toBe('source-github-1');
    expect(env.WEBHOOK_SOURCE_ACME_CRM_SECRET_0?.secret_name).toBe('source-acme-crm-0');
    const identity = '${azurerm_user_assigned_identity.Runtime_Identity_55005E19.id}';
    expect(runtime.secret).toEqual(
      expect.arrayContaining([
        {
          name: 'source-github-0',
          key_vault_secret_id: 'https://kv-webhooks.vault.azure.net/secrets/github-secret-2',
          identity,
        },
        {
          name: 'source-github-1',
          key_vault_secret_id: 'https://kv-webhooks.vault.azure.net/secrets/github-secret-1',
          identity,
        },
        {
          name: 'source-acme-crm-0',
          key_vault_secret_id: 'https://kv-webhooks.vault.azure.net/secrets/acme-crm-secret',
          identity,
        },
      ]),
    );
    expect(runtime.secret).toHaveLength(4); // and webhook-secret
    expect(Object.keys(env).filter((n) => n.startsWith('WEBHOOK_SOURCE_'))).toHaveLength(3);
  });

  test('the identity may read exactly those secrets (one assignment each) and the default one, never the vault', () => {
    const reads = resourcesOf(out, 'azurerm_role_assignment').filter(
      (r) => r.role_definition_name === 'Key Vault Secrets User',
    );
    expect(reads.map((r) => String(r.scope).replace(/^.*\/vaults\/kv-webhooks/, '')).sort()).toEqual([
      '/secrets/acme-crm-secret',
      '/secrets/github-secret-1',
      '/secrets/github-secret-2',
      '/secrets/webhook-signing-secret',
    ]);
  });

  test('the proxy gets WEBHOOK_SOURCES_NGINX: name:rps:burst when set, else the name (the tier’s rate)', () => {
    expect(envOf(app(out, 'ca-webhook-proxy')).WEBHOOK_SOURCES_NGINX?.value).toBe(
      'github:50:100 acme-crm open',
    );
  });

  test('a secret named by two sources is granted once', () => {
    const shared = synth({
      sources: [
        { name: 'a', verify: 'github', secretNames: ['shared'] },
        { name: 'b', verify: 'stripe', secretNames: ['shared'] },
      ],
    });
    const reads = resourcesOf(shared, 'azurerm_role_assignment').filter((r) =>
      String(r.scope).endsWith('/secrets/shared'),
    );
    expect(reads).toHaveLength(1);
    expect(app(shared, 'ca-webhook-runtime').secret).toHaveLength(3);
  });

  test('the secrets may live in another vault (sourceSecretStore), also without webhookSecret', () => {
    const stack = newStack();
    const f = fixture(stack);
    new WebhookRuntime(stack, 'Runtime', {
      ...runtimeProps(stack, f),
      verify: 'none',
      webhookSecret: undefined,
      sourceSecretStore: f.vault,
      sources: [{ name: 'stripe', verify: 'stripe', secretNames: ['stripe-secret'] }],
    });
    const a = onlyResource(synthJson(stack), 'azurerm_container_app') as unknown as App;
    expect(a.secret).toEqual([expect.objectContaining({ name: 'source-stripe-0' })]);
  });

  test('without sources nothing changes: no WEBHOOK_SOURCES, no source secret, no WEBHOOK_SOURCES_NGINX', () => {
    const plain = synth();
    const names = Object.keys(envOf(app(plain, 'ca-webhook-runtime')));
    expect(names.filter((n) => n.startsWith('WEBHOOK_SOURCE'))).toEqual([]);
    expect(envOf(app(plain, 'ca-webhook-proxy')).WEBHOOK_SOURCES_NGINX).toBeUndefined();
  });
});

describe('WebhookRuntime sources: validation names the prop path', () => {
  const ok: WebhookSource = { name: 'github', verify: 'github', secretNames: ['gh'] };

  test('fails if two sources share a name', () => {
    expect(errorOf([ok, { ...ok, secretNames: ['other'] }])).toContain(
      'sources[1].name must be unique (an earlier source has it) (received "github")',
    );
  });

  test.each(['GitHub', 'git_hub', '-github', 'a'.repeat(33), ''])('fails if a name is %j', (name) => {
    expect(errorOf([{ ...ok, name }])).toContain(
      `sources[0].name must be 1-32 lower-case letters, digits and "-", starting with a letter or digit (received ${JSON.stringify(name)})`,
    );
  });

  test('fails if a signed source has no secret, or verify "none" lists one', () => {
    expect(errorOf([{ name: 'a', verify: 'stripe' }])).toContain(
      'sources[0].secretNames must be at least one Key Vault secret name when verify is not "none"',
    );
    expect(errorOf([ok, { name: 'b', verify: 'none', secretNames: ['x'] }])).toContain(
      'sources[1].secretNames must be empty when verify is "none" (nothing would check them) (received 1)',
    );
  });

  test('fails on a notAfter that is not an RFC 3339 date-time with an offset', () => {
    for (const notAfter of ['2027-01-31', '2027-01-31T00:00:00', 'tomorrow', '2027-13-45T00:00:00Z']) {
      expect(errorOf([{ ...ok, secretNames: ['a', { name: 'b', notAfter }] }])).toContain(
        `sources[0].secretNames[1].notAfter must be an RFC 3339 date-time with an offset, e.g. "2027-01-31T00:00:00Z" (received ${JSON.stringify(notAfter)})`,
      );
    }
  });

  test('fails on a secret name Key Vault refuses, or one listed twice', () => {
    const message = errorOf([{ ...ok, secretNames: ['good', 'bad_name', 'good'] }]);
    expect(message).toContain('sources[0].secretNames[1].name must be a Key Vault secret name');
    expect(message).toContain(
      'sources[0].secretNames[2].name must be listed once per source (received "good")',
    );
  });

  test('fails on an unknown scheme and on each bad field of an HMAC scheme', () => {
    expect(errorOf([{ ...ok, verify: 'gitlab' as 'github' }])).toContain(
      'sources[0].verify must be one of standard-webhooks, github, stripe, shopify, api-key, none (received "gitlab")',
    );
    const message = errorOf([
      {
        ...ok,
        verify: {
          scheme: 'hmac',
          header: 'X Signature',
          algorithm: 'md5' as 'sha1',
          encoding: 'base32' as 'hex',
          prefix: 'p'.repeat(65),
        },
      },
    ]);
    expect(message).toContain('sources[0].verify.header must be a header name');
    expect(message).toContain(
      'sources[0].verify.algorithm must be one of sha1, sha256, sha512 (received "md5")',
    );
    expect(message).toContain('sources[0].verify.encoding must be one of hex, base64 (received "base32")');
    expect(message).toContain('sources[0].verify.prefix must be at most 64 characters');
  });

  test('fails on a delivery id or key that is not exactly one valid rule', () => {
    expect(errorOf([{ ...ok, deliveryId: { jsonPointer: 'id' } }])).toContain(
      'sources[0].deliveryId.jsonPointer must be a JSON pointer (RFC 6901), e.g. "/id" (received "id")',
    );
    expect(
      errorOf([{ ...ok, key: { header: 'X-A', constant: 'c' } as unknown as { header: string } }]),
    ).toContain(
      'sources[0].key must be an object with exactly one of header, jsonPointer, constant (received "header, constant")',
    );
    expect(errorOf([{ ...ok, deliveryId: { constant: 'c' } as unknown as { header: string } }])).toContain(
      'sources[0].deliveryId must be an object with exactly one of header, jsonPointer (received "constant")',
    );
    expect(errorOf([{ ...ok, key: { constant: '' } }])).toContain(
      'sources[0].key.constant must be 1-256 characters',
    );
  });

  test('fails on a body mode or rate limit outside the ranges', () => {
    const message = errorOf([{ ...ok, body: 'raw' as 'contract', rateLimit: { rps: 0, burst: 1.5 } }]);
    expect(message).toContain('sources[0].body must be one of contract, passthrough (received "raw")');
    expect(message).toContain('sources[0].rateLimit.rps must be an integer from 1 to 100000 (received 0)');
    expect(message).toContain(
      'sources[0].rateLimit.burst must be an integer from 1 to 100000 (received 1.5)',
    );
  });

  test('fails if sources have secrets but no vault is known', () => {
    expect(errorOf([ok], { verify: 'none', webhookSecret: undefined })).toContain(
      'sourceSecretStore must be a Key Vault when a source has secretNames',
    );
  });
});
