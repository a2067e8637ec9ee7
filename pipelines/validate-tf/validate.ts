/**
 * Checks a synthesized stack (`cdk.tf.json`) against the azurerm schema of ./provider-schema.ts:
 * unknown resource / data source types, unknown arguments and blocks, missing required ones, a
 * single block given more than once, and value types. Values holding a Terraform expression
 * (`${…}`) are not type-checked: only the provider can, at plan time.
 *
 * This is the schema-level fallback for `tofu validate` with the real provider, which cannot be
 * built here (see the README section "CI and plan review").
 */
import type { AttrType, BlockSchema, ProviderSchema } from './provider-schema';

export interface Issue {
  /** `azurerm_servicebus_namespace.bus`, `data.azurerm_client_config.current` or `provider.azurerm`. */
  readonly address: string;
  /** Attribute path inside it, e.g. `network_rule_set[0].default_action`; empty for the whole block. */
  readonly path: string;
  readonly message: string;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const isObject = (v: Json | undefined): v is { [key: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Terraform meta-arguments and cdktf's metadata key, valid on every resource and data source. */
const META = new Set([
  '//',
  'count',
  'for_each',
  'depends_on',
  'provider',
  'lifecycle',
  'connection',
  'provisioner',
]);

const hasExpression = (v: Json): boolean => typeof v === 'string' && v.includes('${');

function checkValue(
  type: AttrType,
  value: Json,
  path: string,
  issue: (path: string, msg: string) => void,
): void {
  if (value === null || hasExpression(value)) return;
  switch (type.kind) {
    case 'any':
      return;
    case 'string':
      if (typeof value === 'object')
        issue(path, `expects a string, received ${JSON.stringify(value).slice(0, 80)}`);
      return;
    case 'number':
      if (!(typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)))) {
        issue(path, `expects a number, received ${JSON.stringify(value).slice(0, 80)}`);
      }
      return;
    case 'boolean':
      if (!(typeof value === 'boolean' || value === 'true' || value === 'false')) {
        issue(path, `expects a boolean, received ${JSON.stringify(value).slice(0, 80)}`);
      }
      return;
    case 'list':
      if (!Array.isArray(value))
        issue(path, `expects a list, received ${JSON.stringify(value).slice(0, 80)}`);
      else value.forEach((v, i) => checkValue(type.element, v, `${path}[${i}]`, issue));
      return;
    case 'map':
      if (!isObject(value)) issue(path, `expects a map, received ${JSON.stringify(value).slice(0, 80)}`);
      else for (const [k, v] of Object.entries(value)) checkValue(type.element, v, `${path}.${k}`, issue);
      return;
    case 'block': {
      const items = Array.isArray(value) ? value : [value];
      if (!type.repeated && items.length > 1) {
        issue(path, `is a single block (at most one), received ${items.length}`);
      }
      items.forEach((item, i) => {
        const at = Array.isArray(value) ? `${path}[${i}]` : path;
        if (!isObject(item))
          issue(at, `expects a block (object), received ${JSON.stringify(item).slice(0, 80)}`);
        else checkBlock(type.block, item, at, issue, new Set());
      });
      return;
    }
  }
}

function checkBlock(
  schema: BlockSchema,
  body: { [key: string]: Json },
  path: string,
  issue: (path: string, msg: string) => void,
  allowed: ReadonlySet<string>,
): void {
  const join = (key: string) => (path === '' ? key : `${path}.${key}`);
  for (const [key, value] of Object.entries(body)) {
    if (allowed.has(key)) continue;
    if (key === 'dynamic') continue; // dynamic blocks: content is an expression
    const attr = schema.attributes.get(key);
    if (!attr) {
      issue(join(key), 'is not an argument or block of this type in azurerm 4.55.0');
      continue;
    }
    checkValue(attr.type, value, join(key), issue);
  }
  for (const attr of schema.attributes.values()) {
    if (!attr.required) continue;
    const value = body[attr.name];
    const dynamic = isObject(body.dynamic) && attr.name in body.dynamic;
    if ((value === undefined || (Array.isArray(value) && value.length === 0)) && !dynamic) {
      issue(join(attr.name), `is required`);
    }
  }
}

/** All issues of one synthesized stack; an empty list means it passed. */
export function validateStack(stack: Json, schema: ProviderSchema): Issue[] {
  const issues: Issue[] = [];
  if (!isObject(stack)) return [{ address: '(root)', path: '', message: 'not a JSON object' }];
  const walk = (section: 'resource' | 'data', types: ReadonlyMap<string, BlockSchema>) => {
    const byType = stack[section];
    if (!isObject(byType)) return;
    for (const [type, instances] of Object.entries(byType)) {
      if (!type.startsWith('azurerm_') || !isObject(instances)) continue;
      const prefix = section === 'data' ? 'data.' : '';
      const blockSchema = types.get(type);
      for (const [name, body] of Object.entries(instances)) {
        const address = `${prefix}${type}.${name}`;
        const issue = (path: string, message: string) => issues.push({ address, path, message });
        if (!blockSchema)
          issue('', `unknown ${section === 'data' ? 'data source' : 'resource'} type ${type}`);
        else if (!isObject(body)) issue('', 'body is not an object');
        else checkBlock(blockSchema, body, '', issue, META);
      }
    }
  };
  walk('resource', schema.resources);
  walk('data', schema.dataSources);
  const providers = isObject(stack.provider) ? stack.provider.azurerm : undefined;
  if (schema.provider && providers !== undefined) {
    const list = Array.isArray(providers) ? providers : [providers];
    list.forEach((p, i) => {
      const issue = (path: string, message: string) =>
        issues.push({ address: `provider.azurerm[${i}]`, path, message });
      if (isObject(p) && schema.provider) checkBlock(schema.provider, p, '', issue, new Set(['//', 'alias']));
    });
  }
  return issues;
}

export function countChecked(stack: Json): { resources: number; dataSources: number } {
  const count = (section: Json | undefined) =>
    isObject(section)
      ? Object.entries(section)
          .filter(([t]) => t.startsWith('azurerm_'))
          .reduce((n, [, v]) => n + (isObject(v) ? Object.keys(v).length : 0), 0)
      : 0;
  return isObject(stack)
    ? { resources: count(stack.resource), dataSources: count(stack.data) }
    : { resources: 0, dataSources: 0 };
}
