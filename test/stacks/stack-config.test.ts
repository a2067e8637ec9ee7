/**
 * The stacks by lifecycle (docs/decisions/0010-first-deploy.md): `bootstrap` (state storage, local
 * state), and per environment `<env>-foundation` then `<env>-platform`. What every stack carries:
 * the provider pinned to the schema the bindings were generated from, `features` as an array, a
 * backend that comes from configuration (never a shared account baked into the code), and the
 * outputs the pipeline's deploy scripts read. Each first-deploy trap has a test here.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../stacks/app';
import { bootstrap, environments, type BootstrapConfig } from '../../stacks/config';
import { ENVIRONMENTS, STACK_NAMES, synthAll, type Synthesized, type TfJson } from './synth';

let synth: Synthesized;
beforeAll(() => {
  synth = synthAll();
});
afterAll(() => synth.cleanup());

const ENVS = ENVIRONMENTS;
const STACKS = STACK_NAMES;
const stack = (name: string): TfJson => synth.stacks.get(name) ?? {};
const resources = (tf: TfJson, type: string): Record<string, unknown>[] =>
  Object.values(tf.resource?.[type] ?? {});

/** Synthesizes with an explicit environment and context (no process.env). */
function synthWith(
  env: NodeJS.ProcessEnv,
  context?: Record<string, unknown>,
  bootstrapConfig?: BootstrapConfig,
): Map<string, TfJson> {
  const outdir = mkdtempSync(join(tmpdir(), 'webhooks-backend-'));
  try {
    createApp({
      outdir,
      env,
      ...(context === undefined ? {} : { context }),
      ...(bootstrapConfig === undefined ? {} : { bootstrap: bootstrapConfig }),
    }).synth();
    const out = new Map<string, TfJson>();
    for (const name of readdirSync(join(outdir, 'stacks')).sort()) {
      out.set(name, JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')) as TfJson);
    }
    return out;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const STATE_ENV = {
  TFSTATE_RESOURCE_GROUP: 'rg-webhooks-tfstate-weu',
  TFSTATE_STORAGE_ACCOUNT: 'stwebhookstf1a2b3c',
  TFSTATE_CONTAINER: 'tfstate',
};

describe('stacks by lifecycle', () => {
  it('synthesizes bootstrap and a foundation and a platform stack per environment', () => {
    expect([...synth.stacks.keys()].sort()).toEqual([...STACKS].sort());
  });

  it.each(STACKS)('%s pins hashicorp/azurerm 4.55.0, features as an array, storage over Entra ID', (name) => {
    const tf = stack(name);
    expect(tf.terraform?.required_providers).toEqual({
      azurerm: { source: 'hashicorp/azurerm', version: '4.55.0' },
    });
    const provider = (tf.provider as { azurerm: Record<string, unknown>[] }).azurerm;
    expect(provider).toHaveLength(1);
    expect(provider[0]).toMatchObject({
      storage_use_azuread: true,
      features: [
        expect.objectContaining({
          key_vault: [expect.objectContaining({ purge_soft_delete_on_destroy: false })],
        }),
      ],
    });
  });

  it('puts the workloads in the platform stack and what they need first in the foundation', () => {
    for (const env of ENVS) {
      const f = stack(`${env}-foundation`).resource ?? {};
      const p = stack(`${env}-platform`).resource ?? {};
      for (const type of [
        'azurerm_key_vault',
        'azurerm_container_registry',
        'azurerm_servicebus_namespace',
        'azurerm_virtual_network',
      ]) {
        expect([type, Object.keys(f[type] ?? {}).length]).toEqual([type, 1]);
      }
      for (const type of ['azurerm_container_app_environment', 'azurerm_application_gateway']) {
        expect([type, Object.keys(p[type] ?? {}).length]).toEqual([type, 1]);
      }
      expect(Object.keys(p.azurerm_container_app ?? {})).toHaveLength(2);
      expect(f.azurerm_container_app).toBeUndefined();
    }
  });
});

describe('state backend from configuration (trap 7: no shared account in the code)', () => {
  it('keeps local state files in the project root when no state storage is configured', () => {
    for (const name of STACKS) {
      expect(stack(name).terraform?.backend).toEqual({
        local: { path: `../../../terraform.${name}.tfstate` },
      });
    }
  });

  it('uses the TFSTATE_* storage with Entra ID + OIDC, one key per stack, no credential', () => {
    const out = synthWith(STATE_ENV);
    // Bootstrap too, once its storage exists: `cdktf deploy bootstrap --migrate-state` moves it in.
    expect(out.get('bootstrap')?.terraform?.backend).toMatchObject({
      azurerm: { key: 'webhooks/bootstrap.tfstate', use_azuread_auth: true },
    });
    const keys: string[] = [];
    for (const env of ENVS) {
      for (const part of ['foundation', 'platform']) {
        const backend = out.get(`${env}-${part}`)?.terraform?.backend as Record<
          string,
          Record<string, unknown>
        >;
        expect(backend).toEqual({
          azurerm: {
            resource_group_name: STATE_ENV.TFSTATE_RESOURCE_GROUP,
            storage_account_name: STATE_ENV.TFSTATE_STORAGE_ACCOUNT,
            container_name: STATE_ENV.TFSTATE_CONTAINER,
            key: `webhooks/${env}/${part}.tfstate`,
            use_azuread_auth: true,
            use_oidc: true,
          },
        });
        keys.push(String(backend.azurerm?.key));
      }
    }
    expect(new Set(keys).size).toBe(6);
  });

  it("reads the foundation's state from the platform stack through the same storage", () => {
    const out = synthWith({ ...STATE_ENV, TFSTATE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001' });
    const remote = (out.get('prod-platform')?.data?.terraform_remote_state ?? {}) as Record<
      string,
      Record<string, unknown>
    >;
    expect(Object.values(remote)).toEqual([
      expect.objectContaining({
        backend: 'azurerm',
        config: expect.objectContaining({
          key: 'webhooks/prod/foundation.tfstate',
          storage_account_name: STATE_ENV.TFSTATE_STORAGE_ACCOUNT,
          subscription_id: '00000000-0000-0000-0000-000000000001',
          use_azuread_auth: true,
        }),
      }),
    ]);
  });

  it('takes the storage from the tfstate context too', () => {
    const out = synthWith(
      {},
      { tfstate: { resourceGroupName: 'rg-a', storageAccountName: 'sta1', containerName: 'state' } },
    );
    expect(out.get('dev-foundation')?.terraform?.backend).toMatchObject({
      azurerm: { resource_group_name: 'rg-a', storage_account_name: 'sta1', container_name: 'state' },
    });
  });

  it('refuses a partial or invalid setting, naming what is missing or wrong', () => {
    expect(() => synthWith({ TFSTATE_STORAGE_ACCOUNT: 'stx' })).toThrow(
      /TFSTATE_RESOURCE_GROUP is not set; TFSTATE_CONTAINER is not set/,
    );
    expect(() => synthWith({ ...STATE_ENV, TFSTATE_STORAGE_ACCOUNT: 'St_Bad' })).toThrow(
      /TFSTATE_STORAGE_ACCOUNT must be 3-24 lowercase letters or digits; received "St_Bad"/,
    );
    expect(() => synthWith({}, { tfstate: 'rg/st/c' })).toThrow(/context "tfstate" must be an object/);
  });
});

describe('bootstrap: the state storage', () => {
  const tf = (): TfJson => stack('bootstrap');

  it('allows Entra ID only, keeps versions and deleted blobs, and encrypts twice', () => {
    const [account] = resources(tf(), 'azurerm_storage_account');
    expect(account).toMatchObject({
      shared_access_key_enabled: false,
      default_to_oauth_authentication: true,
      allow_nested_items_to_be_public: false,
      min_tls_version: 'TLS1_2',
      infrastructure_encryption_enabled: true,
      blob_properties: expect.objectContaining({
        versioning_enabled: true,
        delete_retention_policy: { days: 30 },
        container_delete_retention_policy: { days: 30 },
      }),
    });
    expect(String(account?.name)).toMatch(/^stwebhookstf[0-9a-f]{6}$/);
  });

  it("keeps the provider off the keyless account's data plane (a read would need a data role)", () => {
    const provider = (tf().provider as { azurerm: { features: Record<string, unknown>[] }[] }).azurerm[0];
    expect(provider?.features[0]?.storage).toEqual([{ data_plane_available: false }]);
    for (const env of ENVS) {
      const other = (
        stack(`${env}-foundation`).provider as { azurerm: { features: Record<string, unknown>[] }[] }
      ).azurerm[0];
      expect(other?.features[0]).not.toHaveProperty('storage');
    }
  });

  it('creates the container through Resource Manager (storage_account_id), locks the account', () => {
    const [container] = resources(tf(), 'azurerm_storage_container');
    expect(container).toMatchObject({ name: 'tfstate', container_access_type: 'private' });
    expect(container?.storage_account_id).toMatch(/^\$\{azurerm_storage_account\.[^.]+\.id\}$/);
    expect(container).not.toHaveProperty('storage_account_name');
    expect(resources(tf(), 'azurerm_management_lock')).toEqual([
      expect.objectContaining({ lock_level: 'CanNotDelete' }),
    ]);
  });

  it('lets the operator and every listed pipeline identity write state, on the container only', () => {
    const writers = ['11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222'];
    const out = synthWith({}, undefined, { ...bootstrap, stateWriterObjectIds: writers });
    const grants = resources(out.get('bootstrap') ?? {}, 'azurerm_role_assignment');
    expect(grants.map((g) => g.principal_id)).toEqual([
      expect.stringMatching(/^\$\{data\.azurerm_client_config\.[^.]+\.object_id\}$/),
      ...writers,
    ]);
    for (const g of grants) {
      expect(g).toMatchObject({
        role_definition_name: 'Storage Blob Data Contributor',
        scope: expect.stringMatching(/^\$\{azurerm_storage_container\.[^.]+\.resource_manager_id\}$/),
      });
    }
    expect(() =>
      synthWith({}, undefined, { ...bootstrap, stateWriterObjectIds: ['sc-webhooks-dev'] }),
    ).toThrow(/bootstrap\.stateWriterObjectIds must list object ids \(GUIDs\).*"sc-webhooks-dev"/);
  });

  it('prints the backend settings', () => {
    expect(Object.keys(tf().output ?? {}).sort()).toEqual([
      'backend_env',
      'tfstate_container',
      'tfstate_resource_group',
      'tfstate_storage_account',
    ]);
  });
});

describe('what the deploy path reads', () => {
  it.each(ENVS)('%s-foundation exposes the names the secrets and images steps need', (env) => {
    const outputs = Object.keys(stack(`${env}-foundation`).output ?? {}).filter(
      (o) => !o.startsWith('cross-stack-output-'),
    );
    expect(outputs.sort()).toEqual([
      'bus_entity_name',
      'bus_namespace_fqdn',
      'deployer_ip_rule_targets',
      'gateway_certificate_name',
      'gateway_certificate_source',
      'gateway_host_name',
      'key_vault_name',
      'key_vault_uri',
      'registry_login_server',
      'registry_name',
      'resource_group_name',
      'webhook_secret_name',
    ]);
  });

  it('tells a Microsoft-hosted agent which data planes to open: the vault everywhere, the registry where private', () => {
    const value = (env: string, name: string): unknown => stack(`${env}-foundation`).output?.[name]?.value;
    expect(value('dev', 'deployer_ip_rule_targets')).toBe('keyvault');
    expect(value('staging', 'deployer_ip_rule_targets')).toBe('keyvault,registry');
    expect(value('prod', 'deployer_ip_rule_targets')).toBe('keyvault,registry');
    expect(value('dev', 'gateway_certificate_source')).toBe('self-signed');
    expect(value('prod', 'gateway_certificate_source')).toBe('import');
    expect(value('dev', 'gateway_host_name')).toMatch(
      /^webhooks-dev-[0-9a-f]{4}\.westeurope\.cloudapp\.azure\.com$/,
    );
  });

  it.each(ENVS)(
    '%s: the vault and the registry are writable by the deployer only through the firewall it opens (trap 1, 3)',
    (env) => {
      const f = stack(`${env}-foundation`);
      expect(resources(f, 'azurerm_key_vault')).toEqual([
        expect.objectContaining({
          public_network_access_enabled: true,
          network_acls: expect.objectContaining({ default_action: 'Deny', ip_rules: [] }),
        }),
      ]);
      const roles = resources(f, 'azurerm_role_assignment')
        .map((r) => r.role_definition_name)
        .sort();
      // The deployer's write roles, and the workload identities' read roles (with the foundation, so
      // they have propagated before the platform's first revision or re-drive job): runtime and
      // proxy pull, the runtime sends; where the environment has the re-drive job, its identity
      // pulls, receives and sends.
      const redrive = environments[env].redriveJob
        ? ['AcrPull', 'Azure Service Bus Data Receiver', 'Azure Service Bus Data Sender']
        : [];
      expect(roles).toEqual(
        [
          'AcrPull',
          'AcrPull',
          'AcrPush',
          'Azure Service Bus Data Sender',
          'Key Vault Certificates Officer',
          'Key Vault Secrets Officer',
          'Monitoring Metrics Publisher',
          ...redrive,
        ].sort(),
      );
    },
  );

  it('the platform host name and webhook url match what the foundation told the certificate step', () => {
    for (const env of ENVS) {
      const host = stack(`${env}-foundation`).output?.gateway_host_name?.value;
      expect(stack(`${env}-platform`).output?.gateway_host_name?.value).toBe(host);
      expect(stack(`${env}-platform`).output?.webhook_url?.value).toBe(`https://${String(host)}/webhook`);
    }
  });
});

describe('every tagged resource carries environment, owner and cost-center', () => {
  it.each(STACKS)('%s', (name) => {
    const expected = name === 'bootstrap' ? 'shared' : name.split('-')[0];
    const untagged: string[] = [];
    for (const [type, byName] of Object.entries(stack(name).resource ?? {})) {
      for (const [id, block] of Object.entries(byName)) {
        if (!('tags' in block)) continue;
        const tags = block.tags as Record<string, string>;
        if (tags.environment !== expected || tags.owner === undefined || tags['cost-center'] === undefined) {
          untagged.push(`${type}.${id}`);
        }
      }
    }
    expect(untagged).toEqual([]);
  });
});

describe('environment differences', () => {
  it('uses Standard Service Bus in dev and Premium behind a private endpoint in prod', () => {
    const namespace = (env: string): Record<string, unknown> =>
      resources(stack(`${env}-foundation`), 'azurerm_servicebus_namespace')[0] ?? {};
    expect(namespace('dev')).toMatchObject({ sku: 'Standard' });
    expect(namespace('prod')).toMatchObject({ sku: 'Premium', public_network_access_enabled: false });
    const subresources = resources(stack('prod-foundation'), 'azurerm_private_endpoint').map(
      (e) => (e.private_service_connection as { subresource_names: string[] }).subresource_names[0],
    );
    expect(subresources.sort()).toEqual(['namespace', 'registry', 'vault']);
  });

  it('notifies the action group from every staging and prod alert, and dev opts out explicitly (trap 6)', () => {
    for (const env of ['staging', 'prod']) {
      expect(resources(stack(`${env}-foundation`), 'azurerm_monitor_action_group')).toHaveLength(1);
      const alerts = resources(stack(`${env}-platform`), 'azurerm_monitor_metric_alert');
      expect(alerts).toHaveLength(7);
      for (const a of alerts) {
        expect(a.action).toEqual([{ action_group_id: expect.stringContaining('terraform_remote_state') }]);
      }
    }
    expect(resources(stack('dev-foundation'), 'azurerm_monitor_action_group')).toHaveLength(0);
  });

  it.each(ENVS)('%s names the Container Apps infrastructure resource group (trap 5)', (env) => {
    expect(resources(stack(`${env}-platform`), 'azurerm_container_app_environment')).toEqual([
      expect.objectContaining({ infrastructure_resource_group_name: `ME_cae-webhooks-${env}-weu` }),
    ]);
  });
});
