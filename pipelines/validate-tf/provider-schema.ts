/**
 * The azurerm 4.55.0 resource schema, read from the jsii assembly of @cdktf/provider-azurerm 14.23.1
 * (`node_modules/@cdktf/provider-azurerm/.jsii`), which cdktf generated from that provider version's
 * own `terraform providers schema -json`. For every resource and data source it keeps what the
 * assembly still carries: each argument and block by its Terraform name, whether it is required,
 * its type, and whether a block is single (max one) or repeatable. Value validations, conflicts and
 * "exactly one of" rules of the provider are not in it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The assembly beside the installed bindings (`lib/index.js` → `../.jsii`). */
export function defaultJsiiPath(): string {
  return join(dirname(require.resolve('@cdktf/provider-azurerm')), '..', '.jsii');
}

export type AttrType =
  | { kind: 'string' | 'number' | 'boolean' | 'any' }
  | { kind: 'list' | 'map'; element: AttrType }
  | { kind: 'block'; block: BlockSchema; repeated: boolean };

export interface AttributeSchema {
  readonly name: string;
  readonly required: boolean;
  readonly type: AttrType;
}

export interface BlockSchema {
  readonly attributes: ReadonlyMap<string, AttributeSchema>;
}

export interface ProviderSchema {
  readonly version: string;
  readonly resources: ReadonlyMap<string, BlockSchema>;
  readonly dataSources: ReadonlyMap<string, BlockSchema>;
  readonly provider?: BlockSchema;
}

interface JsiiTypeRef {
  primitive?: string;
  fqn?: string;
  collection?: { kind: 'array' | 'map'; elementtype: JsiiTypeRef };
  union?: { types: JsiiTypeRef[] };
}
interface JsiiProperty {
  name: string;
  optional?: boolean;
  type: JsiiTypeRef;
  docs?: { summary?: string; remarks?: string };
}
interface JsiiType {
  kind: string;
  fqn: string;
  docs?: { summary?: string };
  properties?: JsiiProperty[];
  interfaces?: string[];
  initializer?: { parameters?: Array<{ type: JsiiTypeRef }> };
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The Terraform name from the property's registry link (`…#ip_rules ServicebusNamespace#ip_rules}`). */
function terraformName(p: JsiiProperty): string {
  const text = `${p.docs?.summary ?? ''} ${p.docs?.remarks ?? ''}`;
  const m = /#([a-z0-9_]+) [A-Za-z0-9]+#\1\}/.exec(text);
  return m?.[1] ?? snake(p.name);
}

export function loadProviderSchema(jsiiPath = defaultJsiiPath()): ProviderSchema {
  const assembly = JSON.parse(readFileSync(jsiiPath, 'utf8')) as { types: Record<string, JsiiType> };
  const types = assembly.types;
  const blocks = new Map<string, BlockSchema>();

  const typeOf = (ref: JsiiTypeRef): AttrType => {
    if (ref.union) {
      const concrete = ref.union.types.filter((t) => t.fqn !== 'cdktf.IResolvable');
      return concrete.length === 1 && concrete[0] ? typeOf(concrete[0]) : { kind: 'any' };
    }
    if (ref.primitive === 'string') return { kind: 'string' };
    if (ref.primitive === 'number') return { kind: 'number' };
    if (ref.primitive === 'boolean') return { kind: 'boolean' };
    if (ref.collection) {
      const element = typeOf(ref.collection.elementtype);
      if (element.kind === 'block' && ref.collection.kind === 'array') return { ...element, repeated: true };
      return { kind: ref.collection.kind === 'array' ? 'list' : 'map', element };
    }
    if (ref.fqn && types[ref.fqn]?.kind === 'interface' && ref.fqn.startsWith('@cdktf/provider-azurerm.')) {
      return { kind: 'block', block: blockOf(ref.fqn), repeated: false };
    }
    return { kind: 'any' };
  };

  const blockOf = (fqn: string): BlockSchema => {
    const cached = blocks.get(fqn);
    if (cached) return cached;
    const attributes = new Map<string, AttributeSchema>();
    const block: BlockSchema = { attributes };
    blocks.set(fqn, block); // before recursing: some blocks nest themselves
    for (const p of types[fqn]?.properties ?? []) {
      const name = terraformName(p);
      attributes.set(name, { name, required: p.optional !== true, type: typeOf(p.type) });
    }
    return block;
  };

  const resources = new Map<string, BlockSchema>();
  const dataSources = new Map<string, BlockSchema>();
  let provider: BlockSchema | undefined;
  for (const t of Object.values(types)) {
    if (t.kind !== 'class') continue;
    const m =
      /Represents a \{@link https:\/\/\S+\/docs\/(resources|data-sources)\/\S+ (azurerm_[a-z0-9_]+)\}/.exec(
        t.docs?.summary ?? '',
      );
    const configFqn = t.initializer?.parameters?.[2]?.type.fqn;
    if (m?.[2] && configFqn) (m[1] === 'resources' ? resources : dataSources).set(m[2], blockOf(configFqn));
    else if (/\/docs ?azurerm\}/.test(t.docs?.summary ?? '') && configFqn) provider = blockOf(configFqn);
  }
  const versionMatch = /hashicorp\/azurerm\/(\d+\.\d+\.\d+)\//.exec(
    JSON.stringify(types[Object.keys(types)[0] ?? '']?.docs ?? {}),
  );
  return {
    version: versionMatch?.[1] ?? 'unknown',
    resources,
    dataSources,
    ...(provider ? { provider } : {}),
  };
}
