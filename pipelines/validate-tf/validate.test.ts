/**
 * The schema-level check on stacks synthesized by cdktf from the real bindings: a correct stack
 * passes, and each kind of mistake an escape hatch (`addOverride`) can make is reported.
 */
import { ServicebusNamespace } from '@cdktf/provider-azurerm/lib/servicebus-namespace';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformResource, TerraformStack, Testing } from 'cdktf';
import { loadProviderSchema, type ProviderSchema } from './provider-schema';
import { validateStack } from './validate';

let schema: ProviderSchema;
beforeAll(() => {
  schema = loadProviderSchema();
}, 60_000);

function synth(configure: (stack: TerraformStack, ns: ServicebusNamespace) => void) {
  const app = Testing.app();
  const stack = new TerraformStack(app as App, 'test');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  const ns = new ServicebusNamespace(stack, 'bus', {
    name: 'sb-test',
    location: 'westeurope',
    resourceGroupName: 'rg-test',
    sku: 'Standard',
    localAuthEnabled: false,
    minimumTlsVersion: '1.2',
    networkRuleSet: { defaultAction: 'Deny', ipRules: ['203.0.113.0/24'] },
    tags: { env: 'test' },
  });
  configure(stack, ns);
  return JSON.parse(Testing.synth(stack)) as Parameters<typeof validateStack>[0];
}

describe('validateStack (azurerm 4.55.0 schema from the jsii assembly)', () => {
  it('reads azurerm 4.55.0 with its resources and data sources', () => {
    expect(schema.version).toBe('4.55.0');
    expect(schema.resources.get('azurerm_servicebus_namespace')?.attributes.get('sku')?.required).toBe(true);
    expect(schema.dataSources.has('azurerm_client_config')).toBe(true);
  });

  it('passes a correct stack', () => {
    expect(
      validateStack(
        synth(() => undefined),
        schema,
      ),
    ).toEqual([]);
  });

  it('reports a misspelt argument', () => {
    const issues = validateStack(
      synth((_s, ns) => ns.addOverride('minimum_tls_versoin', '1.2')),
      schema,
    );
    expect(issues).toEqual([
      expect.objectContaining({ address: 'azurerm_servicebus_namespace.bus', path: 'minimum_tls_versoin' }),
    ]);
  });

  it('reports an argument removed in 4.0 (zone_redundant)', () => {
    const issues = validateStack(
      synth((_s, ns) => ns.addOverride('zone_redundant', true)),
      schema,
    );
    expect(issues.map((i) => i.path)).toEqual(['zone_redundant']);
  });

  it('reports a missing required argument', () => {
    const issues = validateStack(
      synth((_s, ns) => ns.addOverride('sku', undefined)),
      schema,
    );
    expect(issues).toEqual([expect.objectContaining({ path: 'sku', message: 'is required' })]);
  });

  it('reports a single block given twice, and an unknown argument inside a block', () => {
    const issues = validateStack(
      synth((_s, ns) =>
        ns.addOverride('network_rule_set', [
          { default_action: 'Deny' },
          { default_action: 'Allow', bogus: 1 },
        ]),
      ),
      schema,
    );
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'network_rule_set: is a single block (at most one), received 2',
      'network_rule_set[1].bogus: is not an argument or block of this type in azurerm 4.55.0',
    ]);
  });

  it('reports a value of the wrong type, but not a Terraform expression', () => {
    const wrong = validateStack(
      synth((_s, ns) => ns.addOverride('capacity', 'two')),
      schema,
    );
    expect(wrong).toEqual([
      expect.objectContaining({ path: 'capacity', message: expect.stringMatching(/number/) }),
    ]);
    const expr = validateStack(
      synth((_s, ns) => ns.addOverride('capacity', '${var.capacity}')),
      schema,
    );
    expect(expr).toEqual([]);
  });

  it('reports an unknown resource type', () => {
    const issues = validateStack(
      synth((s) => new TerraformResource(s, 'x', { terraformResourceType: 'azurerm_servicebus_namespaces' })),
      schema,
    );
    expect(issues).toEqual([
      expect.objectContaining({ message: 'unknown resource type azurerm_servicebus_namespaces' }),
    ]);
  });
});
