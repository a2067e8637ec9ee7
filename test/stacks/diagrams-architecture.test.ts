/**
 * The architecture picture (`docs/architecture.puml`, rendered to `docs/architecture.svg`) is
 * generated from the construct tree of an environment's foundation and platform stacks: the
 * committed source must be what the current tree gives, and the model must show the request flow,
 * the subnets, the private endpoints and every role assignment the constructs create.
 * The rendering itself is checked in diagrams-architecture.int.test.ts (it runs plantuml).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformResource, TerraformStack, type App } from 'cdktf';
import { createApp } from '../../stacks/app';
import { ARCHITECTURE_SOURCE, architectureSource } from '../../scripts/diagrams/architecture';
import { buildArchitecture, type ArchitectureModel } from '../../scripts/diagrams/architecture-model';
import { toArchitecturePlantUml } from '../../scripts/diagrams/architecture-plantuml';

const ROOT = join(__dirname, '..', '..');

let outdir: string;
let app: App;
let prod: ArchitectureModel;
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'webhooks-architecture-test-'));
  app = createApp({ outdir, env: {} });
  prod = buildArchitecture(app, 'prod');
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** `prod-foundation/Foundation/Bus` → `Bus`. */
const id = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const node = (model: ArchitectureModel, constructId: string) => {
  const found = model.nodes.find((n) => id(n.path) === constructId && n.kind !== 'privateEndpoint');
  if (found === undefined) throw new Error(`no node ${constructId}`);
  return found;
};

describe('docs/architecture.puml', () => {
  it('is what the current construct tree gives (run `npm run diagrams:architecture` if not)', () => {
    const committed = readFileSync(join(ROOT, ARCHITECTURE_SOURCE), 'utf8');
    expect(committed).toBe(architectureSource());
  });
});

describe('architecture model, read from the construct tree', () => {
  it('follows a request from the gateway through NGINX and the runtime to the bus', () => {
    expect(prod.flow.map(([from, to]) => [id(from), id(to)])).toEqual([
      ['Ingress', 'Proxy'],
      ['Proxy', 'Runtime'],
      ['Runtime', 'Bus'],
    ]);
  });

  it('puts the gateway, the Container Apps environment and the private endpoints in their subnets', () => {
    expect(id(node(prod, 'Ingress').subnet ?? '')).toBe('GatewaySubnet');
    expect(id(node(prod, 'ContainerApps').subnet ?? '')).toBe('AppsSubnet');
    expect(id(node(prod, 'Proxy').hostedIn ?? '')).toBe('ContainerApps');
    expect(id(node(prod, 'Runtime').hostedIn ?? '')).toBe('ContainerApps');
    expect(id(node(prod, 'RedriveJob').hostedIn ?? '')).toBe('ContainerApps');
    const endpoints = prod.nodes.filter((n) => n.kind === 'privateEndpoint');
    expect(endpoints.map((e) => id(e.endpointOf ?? '')).sort()).toEqual(['Bus', 'Registry', 'Secrets']);
    for (const endpoint of endpoints) expect(id(endpoint.subnet ?? '')).toBe('PrivateEndpointSubnet');
    expect(prod.subnets.map((s) => [s.name, s.addressPrefixes])).toEqual([
      ['snet-appgw', ['10.30.0.0/24']],
      ['snet-apps', ['10.30.2.0/23']],
      ['snet-pe', ['10.30.1.0/24']],
    ]);
  });

  it('knows which identity each workload runs as', () => {
    expect(prod.runsAs.map(([workload, identity]) => [id(workload), id(identity)])).toEqual([
      ['Ingress', 'GatewayIdentity'],
      ['Proxy', 'ProxyIdentity'],
      ['RedriveJob', 'RedriveIdentity'],
      ['Runtime', 'RuntimeIdentity'],
    ]);
  });

  it('lists what each identity may do: role, target and the narrower scope', () => {
    const grants = prod.grants.map((g) => [id(g.principal), g.role, id(g.target), g.within ?? '']);
    expect(grants).toEqual([
      ['Deployer', 'AcrPush', 'Registry', ''],
      ['Deployer', 'Key Vault Certificates Officer', 'Secrets', ''],
      ['Deployer', 'Key Vault Secrets Officer', 'Secrets', ''],
      ['GatewayIdentity', 'Key Vault Secrets User', 'Secrets', 'secrets/gateway-tls'],
      ['ProxyIdentity', 'AcrPull', 'Registry', ''],
      // The re-drive job's identity, created with the foundation: receive and send on the queue, pull its image.
      ['RedriveIdentity', 'Azure Service Bus Data Receiver', 'Bus', ''],
      ['RedriveIdentity', 'Azure Service Bus Data Sender', 'Bus', ''],
      ['RedriveIdentity', 'AcrPull', 'Registry', ''],
      ['RuntimeIdentity', 'Azure Service Bus Data Sender', 'Bus', ''],
      ['RuntimeIdentity', 'Monitoring Metrics Publisher', 'Observability', ''],
      ['RuntimeIdentity', 'AcrPull', 'Registry', ''],
      ['RuntimeIdentity', 'Key Vault Secrets User', 'Secrets', 'secrets/webhook-secret'],
    ]);
  });

  it('leaves out no role assignment of the environment', () => {
    const assignments = app.node
      .findAll()
      .filter(
        (c) =>
          c instanceof TerraformResource &&
          c.terraformResourceType === 'azurerm_role_assignment' &&
          TerraformStack.of(c).node.id.startsWith('prod-'),
      );
    expect(prod.grants).toHaveLength(assignments.length);
  });

  it('fails on an environment the app does not have', () => {
    expect(() => buildArchitecture(app, 'qa')).toThrow('no stack named qa-* in the app');
  });
});

describe('architecture PlantUML', () => {
  const flowTo = (text: string, from: string): string[] =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${from} -[#1F4E79,bold]-> `))
      .map((l) => l.split(' ')[2] ?? '');

  it('routes the runtime to the bus through its private endpoint when it has one (prod)', () => {
    const text = toArchitecturePlantUml(prod);
    expect(flowTo(text, 'prod_platform_Platform_Runtime')).toEqual([
      'prod_foundation_Foundation_Bus_PrivateLink',
    ]);
    expect(flowTo(text, 'prod_foundation_Foundation_Bus_PrivateLink')).toEqual([
      'prod_foundation_Foundation_Bus',
    ]);
    expect(text).toContain(
      'prod_foundation_Foundation_Registry_PrivateLink .[#7A869A].> prod_foundation_Foundation_Registry : private link',
    );
  });

  it('routes the runtime straight to the bus when the bus has no private endpoint (dev)', () => {
    const text = toArchitecturePlantUml(buildArchitecture(app, 'dev'));
    expect(flowTo(text, 'dev_platform_Platform_Runtime')).toEqual(['dev_foundation_Foundation_Bus']);
    expect(text).toContain('queue "<b>MessageBus</b> Bus\\nService Bus Standard\\nqueue webhooks');
  });

  it('nests each node in its subnet and the apps in their environment', () => {
    const text = toArchitecturePlantUml(prod);
    const lines = text.split('\n');
    const at = (prefix: string): number => lines.findIndex((l) => l.trimStart().startsWith(prefix));
    const apps = at('rectangle "Subnet <i>snet-apps</i> 10.30.2.0/23"');
    const environment = at('rectangle "<b>ContainerAppsEnvironment</b> ContainerApps');
    const runtime = at('component "<b>WebhookRuntime</b> Runtime');
    expect(apps).toBeGreaterThan(0);
    expect(environment).toBeGreaterThan(apps);
    expect(runtime).toBeGreaterThan(environment);
    expect(lines[runtime]).toMatch(/^ {6}component /);
  });

  it('labels each identity with its role assignments', () => {
    const text = toArchitecturePlantUml(prod);
    expect(text).toContain('Azure Service Bus Data Sender → <b>MessageBus</b>');
    expect(text).toContain('Key Vault Secrets User → <b>SecretStore</b>: secret webhook-secret');
    expect(text).toContain('runs as <b>RuntimeIdentity</b>');
  });
});
