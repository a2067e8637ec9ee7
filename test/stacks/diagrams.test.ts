/**
 * The committed PlantUML diagrams (`docs/diagrams/<stack>.puml`) must match what
 * `npm run diagrams` generates from the current stacks: a construct or reference change without
 * regenerating the pictures fails here. Text is compared, not SVG.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel } from '../../scripts/diagrams/model';
import { diagramsFromOutdir } from '../../scripts/diagrams/generate';
import { toPlantUml } from '../../scripts/diagrams/plantuml';
import { STACK_NAMES, synthAll, type Synthesized } from './synth';

let synth: Synthesized;
beforeAll(() => {
  synth = synthAll();
});
afterAll(() => synth.cleanup());

describe('docs/diagrams', () => {
  it.each(STACK_NAMES)('%s.puml is up to date (run `npm run diagrams` if not)', (stack) => {
    const generated = diagramsFromOutdir(synth.outdir).get(stack);
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'diagrams', `${stack}.puml`), 'utf8');
    expect(committed).toBe(generated);
  });
});

describe('diagram model', () => {
  const tf = {
    resource: {
      azurerm_resource_group: {
        rg: { '//': { metadata: { path: 's/Platform/ResourceGroup' } }, name: 'rg-x' },
      },
      azurerm_subnet: { sn: { '//': { metadata: { path: 's/Platform/Network/Subnet' } }, name: 'snet' } },
      azurerm_key_vault: {
        kv: {
          '//': { metadata: { path: 's/Platform/Secrets/Resource' } },
          resource_group_name: '${azurerm_resource_group.rg.name}',
          network_acls: [{ virtual_network_subnet_ids: ['${azurerm_subnet.sn.id}'] }],
          tenant_id: '${data.azurerm_client_config.cc.tenant_id}',
        },
      },
    },
    data: {
      azurerm_client_config: { cc: { '//': { metadata: { path: 's/Platform/Secrets/ClientConfig' } } } },
    },
  };

  it('turns ${type.name.attr} tokens into edges (nested too, data sources included), not to the resource group', () => {
    expect(buildModel('s', tf).edges).toEqual([
      ['azurerm_key_vault.kv', 'azurerm_subnet.sn'],
      ['azurerm_key_vault.kv', 'data.azurerm_client_config.cc'],
    ]);
  });

  it('nests resources in packages following their construct path', () => {
    const text = toPlantUml(buildModel('s', tf));
    expect(text).toContain('package "Platform" as pkg_Platform {');
    expect(text).toContain('  package "Secrets" as pkg_Platform_Secrets {');
    expect(text).toContain(
      '    rectangle "Secrets\\n<size:9>azurerm_key_vault</size>" as azurerm_key_vault_kv',
    );
    expect(text).toContain('azurerm_key_vault_kv --> azurerm_subnet_sn');
    expect(text).toContain('package "Network" as pkg_Platform_Network {');
  });
});
