/**
 * Reads one environment's architecture from the cdktf construct tree (not from the Terraform JSON):
 * the high-level constructs of its foundation and platform stacks (`WebhookIngress`, `ProxyTier`,
 * `WebhookRuntime`, `DeadLetterRedriveJob`, `MessageBus`, `SecretStore`, `ImageRegistry`, `Observability`,
 * `ContainerAppsEnvironment`, `PrivateLink`, the identities) become nodes; what connects them is
 * read from the Terraform references their resources hold (a `${type.name.attr}` token pointing at
 * a resource of another construct), so the picture shows only wiring that exists:
 * - the subnet a node sits in: it references that subnet of the `WebhookNetwork`;
 * - the request flow: the gateway references the proxy and the proxy the runtime; the runtime
 *   reaches the bus by name, so that hop is drawn when the runtime's identity may send to it;
 * - who runs as which identity: a workload references the identity;
 * - what each identity may do: every `azurerm_role_assignment` in the tree, by principal and scope.
 * Pure: the same tree always gives the same model, so its PlantUML text can be compared in a test.
 */
import { TerraformDataSource, TerraformResource, TerraformStack, Token, Tokenization } from 'cdktf';
import type { App } from 'cdktf';
import type { IConstruct } from 'constructs';
import { DeployerPrincipal, ManagedIdentity } from '../../constructs/core/identity';
import { ContainerAppsEnvironment } from '../../constructs/hosting/container-apps-environment';
import { ProxyTier } from '../../constructs/hosting/proxy-tier';
import { WebhookRuntime } from '../../constructs/hosting/webhook-runtime';
import { WebhookIngress } from '../../constructs/ingress/webhook-ingress';
import { MessageBus } from '../../constructs/messaging/message-bus';
import { WebhookNetwork } from '../../constructs/network/webhook-network';
import { DeadLetterRedriveJob } from '../../constructs/operations/redrive-job';
import { Observability } from '../../constructs/observability/observability';
import { ImageRegistry } from '../../constructs/shared/image-registry';
import { PrivateLink } from '../../constructs/shared/private-link';
import { SecretStore } from '../../constructs/shared/secret-store';
import { WebhookPlatform } from '../../constructs/platform/webhook-platform';

export type ArchitectureKind =
  | 'gateway'
  | 'proxy'
  | 'runtime'
  | 'job'
  | 'appsEnvironment'
  | 'bus'
  | 'secrets'
  | 'registry'
  | 'observability'
  | 'privateEndpoint'
  | 'identity'
  | 'deployer';

export interface ArchitectureNode {
  /** Construct path, e.g. `prod-platform/Platform/Ingress`. */
  readonly path: string;
  readonly kind: ArchitectureKind;
  /** The construct's class, e.g. `WebhookIngress`. */
  readonly construct: string;
  /** The stack holding it, e.g. `prod-platform`. */
  readonly stack: string;
  /** Azure resource name of its main resource, when a literal. */
  readonly name?: string;
  /** Construct path of the subnet it sits in (its resources reference that subnet). */
  readonly subnet?: string;
  /** Path of the node it is hosted in (an app in its Container Apps environment). */
  readonly hostedIn?: string;
  /** For a private endpoint: the node it connects to (its owning construct). */
  readonly endpointOf?: string;
  /** Short facts shown under the name, e.g. `queue webhooks`. */
  readonly details: readonly string[];
}

export interface ArchitectureSubnet {
  /** Construct path of the `azurerm_subnet`. */
  readonly path: string;
  /** Construct id in `WebhookNetwork`, e.g. `GatewaySubnet`. */
  readonly id: string;
  readonly name: string;
  readonly addressPrefixes: readonly string[];
}

export interface ArchitectureGrant {
  /** Path of the identity (or deployer) node. */
  readonly principal: string;
  readonly role: string;
  /** Path of the node owning the scope. */
  readonly target: string;
  /** What of the target, when narrower than the resource: `queues/webhooks`, `secrets/gateway-tls`. */
  readonly within?: string;
}

export interface ArchitectureModel {
  readonly environment: string;
  readonly stacks: readonly string[];
  /** Virtual network name and address space, when the foundation created it. */
  readonly network?: { readonly name: string; readonly addressSpace: readonly string[] };
  readonly subnets: readonly ArchitectureSubnet[];
  readonly nodes: readonly ArchitectureNode[];
  /** Request flow, `[from, to]` node paths, in flow order. */
  readonly flow: readonly (readonly [string, string])[];
  /** `[workload, identity]`: the workload runs as the identity. */
  readonly runsAs: readonly (readonly [string, string])[];
  readonly grants: readonly ArchitectureGrant[];
  /** The public endpoint senders post to. */
  readonly webhookUrl?: string;
  /** How many metric alerts the stacks define. */
  readonly metricAlerts: number;
}

interface Classified {
  readonly construct: IConstruct;
  readonly kind: ArchitectureKind;
}

/** Class per kind, written out: a bundler may rename classes (`constructor.name`). */
const CLASS_NAMES: Record<ArchitectureKind, string> = {
  gateway: 'WebhookIngress',
  proxy: 'ProxyTier',
  runtime: 'WebhookRuntime',
  job: 'DeadLetterRedriveJob',
  appsEnvironment: 'ContainerAppsEnvironment',
  bus: 'MessageBus',
  secrets: 'SecretStore',
  registry: 'ImageRegistry',
  observability: 'Observability',
  privateEndpoint: 'PrivateLink',
  identity: 'ManagedIdentity',
  deployer: 'DeployerPrincipal',
};

function classify(c: IConstruct): ArchitectureKind | undefined {
  if (c instanceof WebhookIngress) return 'gateway';
  if (c instanceof ProxyTier) return 'proxy';
  if (c instanceof WebhookRuntime) return 'runtime';
  if (c instanceof DeadLetterRedriveJob) return 'job';
  if (c instanceof ContainerAppsEnvironment) return 'appsEnvironment';
  if (c instanceof MessageBus) return 'bus';
  if (c instanceof SecretStore) return 'secrets';
  if (c instanceof ImageRegistry) return 'registry';
  if (c instanceof Observability) return 'observability';
  if (c instanceof PrivateLink) return 'privateEndpoint';
  if (c instanceof ManagedIdentity) return 'identity';
  if (c instanceof DeployerPrincipal) return 'deployer';
  return undefined;
}

type Block = TerraformResource | TerraformDataSource;

function isBlock(c: IConstruct): c is Block {
  return c instanceof TerraformResource || c instanceof TerraformDataSource;
}

/** Terraform address (`type.name`, `data.type.name`) of a resource or data source (`fqn` is a token). */
function addressOf(block: Block): string {
  const address = `${block.terraformResourceType}.${block.friendlyUniqueId}`;
  return block instanceof TerraformDataSource ? `data.${address}` : address;
}

/** Addresses a `${type.name.attr}` reference token points at. */
function referenceTarget(token: unknown): string | undefined {
  if (token === null || typeof token !== 'object' || !('identifier' in token)) return undefined;
  const identifier = (token as { identifier: unknown }).identifier;
  if (typeof identifier !== 'string') return undefined;
  const parts = identifier.split('.');
  return parts[0] === 'data' ? parts.slice(0, 3).join('.') : parts.slice(0, 2).join('.');
}

const SKIPPED_KEYS = new Set(['//', 'depends_on', 'lifecycle', 'provider', 'provisioner', 'connection']);

function collect(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    for (const token of Tokenization.reverseString(value).tokens) {
      const target = referenceTarget(token);
      if (target !== undefined) into.add(target);
    }
  } else if (typeof value === 'number') {
    const token = Tokenization.reverseNumber(value);
    const target = referenceTarget(token);
    if (target !== undefined) into.add(target);
  } else if (Array.isArray(value)) {
    if (Token.isUnresolved(value)) {
      const target = referenceTarget(Tokenization.reverseList(value as string[]));
      if (target !== undefined) into.add(target);
    }
    for (const item of value) collect(item, into);
  } else if (value !== null && typeof value === 'object') {
    const target = referenceTarget(value);
    if (target !== undefined) into.add(target);
    for (const [key, item] of Object.entries(value)) {
      if (!SKIPPED_KEYS.has(key)) collect(item, into);
    }
  }
}

/** Addresses the resource's own arguments reference (not its `depends_on`). */
function references(resource: Block): Set<string> {
  const out = new Set<string>();
  const json = resource.toTerraform() as { resource?: Record<string, Record<string, unknown>> };
  const blocks = json.resource ?? (json as { data?: Record<string, Record<string, unknown>> }).data ?? {};
  collect(blocks, out);
  out.delete(addressOf(resource));
  return out;
}

function literal(value: unknown): string | undefined {
  return typeof value === 'string' && !Token.isUnresolved(value) ? value : undefined;
}

function literalList(value: unknown): string[] {
  return Array.isArray(value) && !Token.isUnresolved(value)
    ? value.filter((v): v is string => literal(v) !== undefined)
    : [];
}

function inputOf(resource: IConstruct | undefined, field: string): unknown {
  return resource === undefined ? undefined : Reflect.get(resource, field);
}

/** Every construct below `root`, depth first in child order. */
function descendants(root: IConstruct): IConstruct[] {
  return root.node.findAll();
}

/** The nearest classified ancestor (or self) of `c` among `nodes`. */
function ownerOf(c: IConstruct, nodes: ReadonlyMap<string, Classified>): string | undefined {
  for (let scope: IConstruct | undefined = c; scope !== undefined; scope = scope.node.scope) {
    if (nodes.has(scope.node.path)) return scope.node.path;
  }
  return undefined;
}

function mainResource(c: IConstruct): IConstruct | undefined {
  return c.node.tryFindChild('Resource');
}

function nodeDetails(c: IConstruct, kind: ArchitectureKind): string[] {
  if (c instanceof MessageBus) {
    const entity = c.queue ? 'queue' : c.topic ? 'topic' : 'event hub';
    const sku = literal(inputOf(c.serviceBusNamespace ?? c.eventHubNamespace, 'skuInput'));
    return [
      `${c.kind === 'kafka' ? 'Event Hubs (Kafka)' : 'Service Bus'}${sku === undefined ? '' : ` ${sku}`}`,
      `${entity} ${literal(c.entityName) ?? '(token)'}`,
    ];
  }
  if (c instanceof WebhookIngress) {
    const policy = inputOf(c.wafPolicy.node.tryFindChild('Resource'), 'policySettingsInput') as
      { mode?: unknown } | undefined;
    const mode = literal(policy?.mode);
    return ['Application Gateway WAF_v2', ...(mode === undefined ? [] : [`WAF in ${mode} mode`])];
  }
  if (c instanceof ProxyTier)
    return [`NGINX on ${c.hosting === 'containerApps' ? 'Container Apps' : 'Functions'}`];
  if (c instanceof WebhookRuntime) return ['Hono on Node.js'];
  if (c instanceof DeadLetterRedriveJob) return ['Container Apps job, started by hand'];
  if (c instanceof ContainerAppsEnvironment) return [c.internal ? 'internal' : 'external'];
  if (c instanceof SecretStore) return ['Key Vault'];
  if (c instanceof ImageRegistry) return ['Container Registry'];
  if (c instanceof Observability) {
    return [
      'Log Analytics, Application Insights',
      ...(c.actionGroupId === undefined ? [] : ['action group']),
    ];
  }
  if (kind === 'privateEndpoint') return ['private endpoint + DNS zone'];
  if (kind === 'identity') return ['user-assigned identity'];
  if (kind === 'deployer') return ['identity running Terraform'];
  return [];
}

/**
 * The architecture of environment `environment`: the stacks `<environment>-foundation` and
 * `<environment>-platform` of `app` (any stack whose name starts with `<environment>-`).
 */
export function buildArchitecture(app: App, environment: string): ArchitectureModel {
  const stacks = app.node.children.filter(
    (c): c is TerraformStack => c instanceof TerraformStack && c.node.id.startsWith(`${environment}-`),
  );
  if (stacks.length === 0) throw new Error(`no stack named ${environment}-* in the app`);
  const all = stacks.flatMap((s) => descendants(s));

  const nodes = new Map<string, Classified>();
  for (const c of all) {
    const kind = classify(c);
    if (kind !== undefined) nodes.set(c.node.path, { construct: c, kind });
  }

  // Subnets are nodes of the picture too: a node sits in the subnet its resources reference.
  const networks = all.filter((c): c is WebhookNetwork => c instanceof WebhookNetwork);
  const subnetByAddress = new Map<string, ArchitectureSubnet>();
  for (const net of networks) {
    for (const subnet of [net.gatewaySubnet, net.appsSubnet, net.privateEndpointSubnet]) {
      subnetByAddress.set(addressOf(subnet), {
        path: subnet.node.path,
        id: subnet.node.id,
        name: literal(subnet.nameInput) ?? subnet.node.id,
        addressPrefixes: literalList(subnet.addressPrefixesInput),
      });
    }
  }
  const vnet = networks[0]?.virtualNetwork;

  const ownerByAddress = new Map<string, string>();
  for (const c of all) {
    if (!isBlock(c)) continue;
    const owner = ownerOf(c, nodes);
    if (owner !== undefined) ownerByAddress.set(addressOf(c), owner);
  }

  // What each node's own resources reference (resources of nested nodes count for those).
  const refs = new Map<string, Set<string>>();
  const roleAssignments: TerraformResource[] = [];
  for (const c of all) {
    if (!isBlock(c)) continue;
    if (c instanceof TerraformResource && c.terraformResourceType === 'azurerm_role_assignment') {
      roleAssignments.push(c);
      continue;
    }
    const owner = ownerOf(c, nodes);
    if (owner === undefined) continue;
    const set = refs.get(owner) ?? new Set<string>();
    for (const address of references(c)) set.add(address);
    refs.set(owner, set);
  }
  const referencedNodes = (path: string): Set<string> => {
    const out = new Set<string>();
    for (const address of refs.get(path) ?? []) {
      const owner = ownerByAddress.get(address);
      if (owner !== undefined && owner !== path) out.add(owner);
    }
    return out;
  };
  const kindOf = (path: string): ArchitectureKind | undefined => nodes.get(path)?.kind;

  /** Workloads that run in the Container Apps environment (drawn inside it). */
  const hostedKinds = new Set<ArchitectureKind>(['proxy', 'runtime', 'job']);
  const out: ArchitectureNode[] = [];
  for (const [path, { construct, kind }] of nodes) {
    const addresses = refs.get(path) ?? new Set<string>();
    const subnets = [...addresses].flatMap((a) => {
      const s = subnetByAddress.get(a);
      return s === undefined ? [] : [s.path];
    });
    const hosts = [...referencedNodes(path)].filter((p) => kindOf(p) === 'appsEnvironment');
    const parent = construct.node.scope;
    out.push({
      path,
      kind,
      construct: CLASS_NAMES[kind],
      stack: TerraformStack.of(construct).node.id,
      name:
        kind === 'privateEndpoint'
          ? literal(inputOf((construct as PrivateLink).endpoint, 'nameInput'))
          : literal(inputOf(mainResource(construct), 'nameInput')),
      subnet: hostedKinds.has(kind) ? undefined : subnets[0],
      hostedIn: hostedKinds.has(kind) ? hosts[0] : undefined,
      endpointOf: kind === 'privateEndpoint' && parent !== undefined ? ownerOf(parent, nodes) : undefined,
      details: nodeDetails(construct, kind),
    });
  }
  out.sort((a, b) => a.path.localeCompare(b.path));

  const runsAs: [string, string][] = [];
  for (const node of out) {
    if (node.kind !== 'gateway' && !hostedKinds.has(node.kind)) continue;
    for (const target of [...referencedNodes(node.path)].sort()) {
      if (kindOf(target) === 'identity') runsAs.push([node.path, target]);
    }
  }

  const grants: ArchitectureGrant[] = [];
  for (const assignment of roleAssignments) {
    const principalRefs = new Set<string>();
    collect(inputOf(assignment, 'principalIdInput'), principalRefs);
    const scopeRefs = new Set<string>();
    const scope = inputOf(assignment, 'scopeInput');
    collect(scope, scopeRefs);
    const principal = [...principalRefs].map((a) => ownerByAddress.get(a)).find((p) => p !== undefined);
    const target = [...scopeRefs].map((a) => ownerByAddress.get(a)).find((p) => p !== undefined);
    const role = literal(inputOf(assignment, 'roleDefinitionNameInput'));
    if (principal === undefined || target === undefined || role === undefined) {
      throw new Error(
        `role assignment ${assignment.node.path}: principal, scope or role not found in the tree`,
      );
    }
    // The literal tail of the scope after the resource id: `/queues/webhooks`, `/secrets/x`.
    const tail =
      typeof scope === 'string'
        ? Tokenization.reverseString(scope)
            .literals.filter((l) => typeof l === 'string')
            .join('')
            .replace(/^\//, '')
        : '';
    grants.push({ principal, role, target, ...(tail === '' ? {} : { within: tail }) });
  }
  grants.sort(
    (a, b) =>
      a.principal.localeCompare(b.principal) ||
      a.target.localeCompare(b.target) ||
      a.role.localeCompare(b.role),
  );

  // Request flow: gateway → proxy → runtime → bus, each step only where the wiring exists: a
  // reference, or (runtime → bus, which the runtime reaches by name) a send role of its identity.
  const order: ArchitectureKind[] = ['gateway', 'proxy', 'runtime', 'bus'];
  const sends = (path: string, target: string): boolean =>
    runsAs.some(
      ([workload, identity]) =>
        workload === path &&
        grants.some((g) => g.principal === identity && g.target === target && /Data Sender$/.test(g.role)),
    );
  const flow: [string, string][] = [];
  for (const [step, kind] of order.slice(0, -1).entries()) {
    for (const node of out.filter((n) => n.kind === kind)) {
      for (const next of out.filter((n) => n.kind === order[step + 1])) {
        if (referencedNodes(node.path).has(next.path) || sends(node.path, next.path)) {
          flow.push([node.path, next.path]);
        }
      }
    }
  }

  const platform = all.find((c): c is WebhookPlatform => c instanceof WebhookPlatform);
  const network =
    vnet === undefined
      ? undefined
      : { name: literal(vnet.nameInput) ?? vnet.node.id, addressSpace: literalList(vnet.addressSpaceInput) };
  return {
    environment,
    stacks: stacks.map((s) => s.node.id),
    ...(network === undefined ? {} : { network }),
    subnets: [...subnetByAddress.values()],
    nodes: out,
    flow,
    runsAs,
    grants,
    ...(platform === undefined || literal(platform.webhookUrl) === undefined
      ? {}
      : { webhookUrl: platform.webhookUrl }),
    metricAlerts: all.filter(
      (c) => c instanceof TerraformResource && c.terraformResourceType === 'azurerm_monitor_metric_alert',
    ).length,
  };
}
