/**
 * A small, strict template expander for the pipeline's own YAML, so tests can check the stage graph
 * the way Azure DevOps compiles it: `- template: path` entries in `stages`, `jobs` and `steps`
 * lists are replaced by the template's items, resolved relative to the including file, with
 * `${{ parameters.x }}` substituted (declared parameters, defaults, `values` and required ones
 * checked). A template path may itself hold `${{ parameters.x }}` (the pipeline picks a step template
 * by a parameter), so paths are resolved after substitution. Any other template expression
 * (`${{ if }}`, `${{ each }}`, ...) throws: the pipeline does not use them, and a test should not
 * silently misread one.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };
export type YamlMap = { [key: string]: Yaml };

const EXPR = /\$\{\{\s*(.*?)\s*\}\}/g;
const LIST_KEYS = ['stages', 'jobs', 'steps'] as const;

export function isMap(v: Yaml | undefined): v is YamlMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses with YAML's failsafe schema: every scalar is a string, as in Azure Pipelines' own parser
 * (and the schema, which types `batch: true` and `fetchDepth: 1` as strings).
 */
export function parseYaml(text: string): Yaml {
  return parse(text, { schema: 'failsafe' }) as Yaml;
}

export function loadYaml(file: string): YamlMap {
  const doc = parseYaml(readFileSync(file, 'utf8'));
  if (!isMap(doc)) throw new Error(`${file}: top level is not a mapping`);
  return doc;
}

interface ParamDecl {
  name: string;
  default?: Yaml;
  values?: Yaml[];
}

function bindParameters(file: string, declared: Yaml | undefined, given: YamlMap): Record<string, Yaml> {
  const decls: ParamDecl[] = Array.isArray(declared)
    ? (declared.filter(isMap) as unknown as ParamDecl[])
    : [];
  const names = new Set(decls.map((d) => d.name));
  for (const key of Object.keys(given)) {
    if (!names.has(key)) throw new Error(`${file}: unknown template parameter "${key}"`);
  }
  const bound: Record<string, Yaml> = {};
  for (const d of decls) {
    const value = given[d.name] ?? d.default;
    if (value === undefined) throw new Error(`${file}: required template parameter "${d.name}" not given`);
    if (d.values && !d.values.includes(value)) {
      throw new Error(
        `${file}: parameter "${d.name}" must be one of ${JSON.stringify(d.values)}, got "${String(value)}"`,
      );
    }
    bound[d.name] = value;
  }
  return bound;
}

function substitute(value: Yaml, params: Record<string, Yaml>, file: string): Yaml {
  const lookup = (expr: string): Yaml => {
    const m = /^parameters\.([A-Za-z_][\w]*)$/.exec(expr);
    if (!m?.[1]) throw new Error(`${file}: unsupported template expression \${{ ${expr} }}`);
    const v = params[m[1]];
    if (v === undefined) throw new Error(`${file}: undeclared parameter in \${{ ${expr} }}`);
    return v;
  };
  if (typeof value === 'string') {
    const whole = /^\$\{\{\s*((?:(?!\}\}).)*?)\s*\}\}$/.exec(value);
    if (whole?.[1] !== undefined) return lookup(whole[1]);
    return value.replace(EXPR, (_, expr: string) => String(lookup(expr)));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, params, file));
  if (isMap(value)) {
    const out: YamlMap = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('${{')) throw new Error(`${file}: unsupported template expression in key "${k}"`);
      out[k] = substitute(v, params, file);
    }
    return out;
  }
  return value;
}

/** Called with each template file as it is expanded (absolute path). */
type Visit = (templateFile: string) => void;

/** Replaces template references inside `node` (recursively), resolved relative to `file`. */
function expandNode(node: Yaml, file: string, visit: Visit): Yaml {
  if (Array.isArray(node)) return node.map((n) => expandNode(n, file, visit));
  if (!isMap(node)) return node;
  const out: YamlMap = {};
  for (const [key, value] of Object.entries(node)) {
    if ((LIST_KEYS as readonly string[]).includes(key) && Array.isArray(value)) {
      out[key] = value.flatMap((item) => expandItem(item, key as (typeof LIST_KEYS)[number], file, visit));
    } else {
      out[key] = expandNode(value, file, visit);
    }
  }
  return out;
}

function expandItem(item: Yaml, listKey: (typeof LIST_KEYS)[number], file: string, visit: Visit): Yaml[] {
  if (!isMap(item) || typeof item.template !== 'string') return [expandNode(item, file, visit)];
  if (item.template.includes('${{')) {
    throw new Error(`${file}: template path "${item.template}" has an expression no parameter replaced`);
  }
  const templateFile = resolve(dirname(file), item.template);
  const given = isMap(item.parameters) ? item.parameters : {};
  const extra = Object.keys(item).filter((k) => k !== 'template' && k !== 'parameters');
  if (extra.length > 0) throw new Error(`${file}: unexpected keys beside template: ${extra.join(', ')}`);
  visit(templateFile);
  const template = loadYaml(templateFile);
  const params = bindParameters(templateFile, template.parameters, given);
  const items = template[listKey];
  if (!Array.isArray(items)) {
    throw new Error(`${templateFile}: referenced from a ${listKey} list but has no top-level ${listKey}`);
  }
  const substituted = substitute(items, params, templateFile) as Yaml[];
  return substituted.flatMap((i) => expandItem(i, listKey, templateFile, visit));
}

/** Loads a pipeline file and expands every template it references, recursively. */
export function expandPipeline(file: string): YamlMap {
  return expandNode(loadYaml(file), file, () => undefined) as YamlMap;
}

/**
 * Every template file the pipeline in `file` uses once expanded (absolute paths, each once, in
 * order of first use), including those whose path is chosen by a parameter.
 */
export function referencedTemplates(file: string): string[] {
  const seen = new Set<string>();
  expandNode(loadYaml(file), file, (t) => seen.add(t));
  return [...seen];
}
