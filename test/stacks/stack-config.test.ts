/**
 * What every stack must carry besides the platform: the provider pinned to the schema the
 * bindings were generated from, `features` as an array, one Entra ID/OIDC state backend with its
 * own key and no credential, and the outputs operators read.
 */
import { synthAll, type Synthesized } from './synth';

let synth: Synthesized;
beforeAll(() => {
  synth = synthAll();
});
afterAll(() => synth.cleanup());

const STACKS = ['dev', 'staging', 'prod'] as const;

describe('stack configuration', () => {
  it.each(STACKS)('%s pins hashicorp/azurerm 4.55.0 and passes features as an array', (stack) => {
    const tf = synth.stacks.get(stack) ?? {};
    expect(tf.terraform?.required_providers).toEqual({
      azurerm: { source: 'hashicorp/azurerm', version: '4.55.0' },
    });
    const provider = (tf.provider as { azurerm: Record<string, unknown>[] }).azurerm;
    expect(provider).toHaveLength(1);
    expect(Array.isArray(provider[0]?.features)).toBe(true);
    expect(provider[0]?.features).toEqual([
      expect.objectContaining({
        key_vault: [expect.objectContaining({ purge_soft_delete_on_destroy: false })],
      }),
    ]);
  });

  it.each(STACKS)(
    '%s has one azurerm backend with Entra ID + OIDC auth, its own key and no credential',
    (stack) => {
      const backend = (synth.stacks.get(stack)?.terraform?.backend ?? {}) as Record<
        string,
        Record<string, unknown>
      >;
      expect(Object.keys(backend)).toEqual(['azurerm']);
      expect(backend.azurerm).toMatchObject({
        use_azuread_auth: true,
        use_oidc: true,
        key: `webhooks/${stack}.tfstate`,
      });
      for (const credential of ['access_key', 'sas_token', 'client_secret', 'client_certificate_password']) {
        expect(backend.azurerm).not.toHaveProperty(credential);
      }
    },
  );

  it('gives every stack a different state key', () => {
    const keys = STACKS.map(
      (s) => (synth.stacks.get(s)?.terraform?.backend as { azurerm: { key: string } }).azurerm.key,
    );
    expect(new Set(keys).size).toBe(3);
  });

  it.each(STACKS)('%s exposes the operator outputs, and only those', (stack) => {
    expect(Object.keys(synth.stacks.get(stack)?.output ?? {}).sort()).toEqual([
      'bus_entity_name',
      'bus_namespace_fqdn',
      'gateway_public_ip',
      'key_vault_uri',
      'registry_login_server',
      'resource_group_name',
      'runtime_fqdn',
    ]);
  });

  it.each(STACKS)('%s every tagged resource carries environment, owner and cost-center', (stack) => {
    const tf = synth.stacks.get(stack) ?? {};
    const untagged: string[] = [];
    for (const [type, byName] of Object.entries(tf.resource ?? {})) {
      for (const [name, block] of Object.entries(byName)) {
        if (!('tags' in block)) continue;
        const tags = block.tags as Record<string, string>;
        if (tags.environment !== stack || tags.owner === undefined || tags['cost-center'] === undefined) {
          untagged.push(`${type}.${name}`);
        }
      }
    }
    expect(untagged).toEqual([]);
  });

  it('uses Standard Service Bus in dev and Premium behind a private endpoint in prod', () => {
    const namespace = (stack: string): Record<string, unknown> =>
      Object.values(synth.stacks.get(stack)?.resource?.azurerm_servicebus_namespace ?? {})[0] ?? {};
    expect(namespace('dev')).toMatchObject({ sku: 'Standard' });
    expect(namespace('prod')).toMatchObject({ sku: 'Premium', public_network_access_enabled: false });
    const endpoints = Object.values(synth.stacks.get('prod')?.resource?.azurerm_private_endpoint ?? {});
    const subresources = endpoints.map(
      (e) => (e.private_service_connection as { subresource_names: string[] }).subresource_names[0],
    );
    expect(subresources.sort()).toEqual(['namespace', 'registry', 'vault']);
  });
});
