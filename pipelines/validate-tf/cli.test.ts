import { ServicebusNamespace } from '@cdktf/provider-azurerm/lib/servicebus-namespace';
import { App, TerraformStack, Testing } from 'cdktf';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runValidate } from './cli';

function writeStack(dir: string, name: string, sku: string | undefined): void {
  const stack = new TerraformStack(Testing.app() as App, name);
  const ns = new ServicebusNamespace(stack, 'bus', {
    name: 'sb',
    location: 'westeurope',
    resourceGroupName: 'rg',
    sku: 'Standard',
  });
  if (sku === undefined) ns.addOverride('sku', undefined);
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'cdk.tf.json'), Testing.synth(stack));
}

describe('validate:tf CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'validate-tf-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fails and says to synthesize when there is no stack', () => {
    const lines: string[] = [];
    expect(runValidate(join(dir, 'missing'), (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain('run `npm run synth` first');
  });

  it('says which validation ran and gives the result per stack, failing on any issue', () => {
    writeStack(dir, 'dev', 'Standard');
    writeStack(dir, 'prod', undefined);
    const lines: string[] = [];
    expect(runValidate(dir, (l) => lines.push(l))).toBe(1);
    expect(lines[0]).toMatch(/^validate:tf: SCHEMA-LEVEL validation against azurerm 4\.55\.0/);
    expect(lines).toContain('dev: OK (1 resources, 0 data sources)');
    expect(lines).toContain('prod: 1 issue(s) (1 resources, 0 data sources)');
    expect(lines).toContain('  azurerm_servicebus_namespace.bus sku: is required');
  }, 60_000);
});
