/**
 * Reads one synthesized stack (`cdk.tf.json`) into a graph: the construct tree recovered from
 * each block's `//.metadata.path`, with resources (and data sources) as leaves, and an edge from
 * a resource to every resource it references through a `${type.name.attr}` token (except the
 * resource group, which every resource references).
 */

export interface DiagramResource {
  /** Terraform address, e.g. `azurerm_key_vault.Platform_Secrets_Resource_1A2B3C`. */
  readonly address: string;
  /** Resource type, e.g. `azurerm_key_vault` (data sources are prefixed `data.`). */
  readonly type: string;
  /** Construct path segments below the stack, e.g. `['Platform', 'Secrets', 'Resource']`. */
  readonly path: readonly string[];
}

export interface DiagramModel {
  readonly stack: string;
  readonly resources: readonly DiagramResource[];
  /** `[from, to]` addresses, sorted, without duplicates or self-references. */
  readonly edges: readonly (readonly [string, string])[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Metadata {
  readonly path?: string;
}

const REFERENCE = /\$\{\s*(data\.[a-z0-9_]+\.[A-Za-z0-9_-]+|[a-z0-9_]+\.[A-Za-z0-9_-]+)/g;

function metadataPath(block: Json): string | undefined {
  if (block === null || typeof block !== 'object' || Array.isArray(block)) return undefined;
  const meta = block['//'];
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return undefined;
  const inner = meta.metadata as Metadata | undefined;
  return typeof inner?.path === 'string' ? inner.path : undefined;
}

function collectReferences(value: Json, into: Set<string>): void {
  if (typeof value === 'string') {
    for (const match of value.matchAll(REFERENCE)) {
      if (match[1] !== undefined) into.add(match[1]);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key !== '//') collectReferences(item, into);
    }
  }
}

function entries(section: Json | undefined): [string, string, Json][] {
  if (section === null || section === undefined || typeof section !== 'object' || Array.isArray(section)) {
    return [];
  }
  const out: [string, string, Json][] = [];
  for (const [type, byName] of Object.entries(section)) {
    if (byName === null || typeof byName !== 'object' || Array.isArray(byName)) continue;
    for (const [name, block] of Object.entries(byName)) out.push([type, name, block]);
  }
  return out;
}

/** Builds the graph of one stack from its synthesized JSON. */
export function buildModel(stack: string, tfJson: Record<string, Json>): DiagramModel {
  const blocks: { address: string; type: string; block: Json }[] = [];
  for (const [type, name, block] of entries(tfJson.resource)) {
    blocks.push({ address: `${type}.${name}`, type, block });
  }
  for (const [type, name, block] of entries(tfJson.data)) {
    blocks.push({ address: `data.${type}.${name}`, type: `data.${type}`, block });
  }
  const known = new Set(blocks.map((b) => b.address));
  const resources: DiagramResource[] = [];
  const edges = new Map<string, readonly [string, string]>();
  for (const { address, type, block } of blocks) {
    const fullPath = metadataPath(block) ?? `${stack}/${address}`;
    // Drop the stack's own segment: the diagram is already per stack.
    const path = fullPath.split('/').slice(1);
    resources.push({ address, type, path });
    const refs = new Set<string>();
    collectReferences(block, refs);
    for (const ref of refs) {
      // Every resource sits in the resource group: those edges would only hide the others.
      if (ref !== address && known.has(ref) && !ref.startsWith('azurerm_resource_group.')) {
        edges.set(`${address} ${ref}`, [address, ref] as const);
      }
    }
  }
  resources.sort(
    (a, b) => a.path.join('/').localeCompare(b.path.join('/')) || a.address.localeCompare(b.address),
  );
  const sortedEdges = [...edges.keys()].sort().map((key) => edges.get(key) as readonly [string, string]);
  return { stack, resources, edges: sortedEdges };
}
