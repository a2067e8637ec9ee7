/**
 * Evaluates Azure Pipelines runtime condition expressions (`condition:` on stages), for the subset
 * the pipeline uses and a little more: `and or not eq ne in notIn startsWith endsWith contains`,
 * the status functions `succeeded failed succeededOrFailed always canceled`, string, number and
 * boolean literals, `variables['Name']`, `variables.Name` and `dependencies.<stage>.result`.
 * Comparisons ignore case, as Azure DevOps does. Anything else throws, so a test cannot pass by
 * misreading a condition. Reference: "Expressions" in the Azure Pipelines docs.
 */

export type StageResult = 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Canceled' | 'Skipped';

export interface ConditionContext {
  /** Predefined and pipeline variables (`Build.Reason`, `Build.SourceBranch`, ...). */
  readonly variables: Readonly<Record<string, string>>;
  /** Results of the stages this one depends on, by stage name. */
  readonly dependencies: Readonly<Record<string, StageResult>>;
}

type Value = string | number | boolean | undefined;
type Node =
  | { kind: 'literal'; value: Value }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'path'; root: string; keys: string[] };

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(?:('(?:[^']|'')*')|([A-Za-z_][\w.-]*)|(-?\d+(?:\.\d+)?)|([()[\],]))/y;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw new Error(`condition: cannot read "${text.slice(pos)}" in: ${text}`);
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
    pos = re.lastIndex;
  }
  return tokens;
}

function parse(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const next = (): string => {
    const t = tokens[i++];
    if (t === undefined) throw new Error(`condition: unexpected end of: ${text}`);
    return t;
  };
  const expect = (t: string): void => {
    const got = next();
    if (got !== t) throw new Error(`condition: expected "${t}", got "${got}" in: ${text}`);
  };
  const expr = (): Node => {
    const t = next();
    if (t.startsWith("'")) return { kind: 'literal', value: t.slice(1, -1).replace(/''/g, "'") };
    if (/^-?\d/.test(t)) return { kind: 'literal', value: Number(t) };
    if (/^true$/i.test(t)) return { kind: 'literal', value: true };
    if (/^false$/i.test(t)) return { kind: 'literal', value: false };
    if (tokens[i] === '(') {
      i++;
      const args: Node[] = [];
      if (tokens[i] === ')') i++;
      else {
        for (;;) {
          args.push(expr());
          const sep = next();
          if (sep === ')') break;
          if (sep !== ',') throw new Error(`condition: expected "," or ")", got "${sep}" in: ${text}`);
        }
      }
      return { kind: 'call', name: t.toLowerCase(), args };
    }
    const [root, ...keys] = t.split('.');
    const path: Node = { kind: 'path', root: (root ?? '').toLowerCase(), keys };
    while (tokens[i] === '[') {
      i++;
      const key = expr();
      if (key.kind !== 'literal' || typeof key.value !== 'string')
        throw new Error(`condition: bad index in: ${text}`);
      expect(']');
      path.keys.push(key.value);
    }
    return path;
  };
  const node = expr();
  if (i !== tokens.length) throw new Error(`condition: trailing "${tokens.slice(i).join(' ')}" in: ${text}`);
  return node;
}

const OK: ReadonlySet<StageResult> = new Set(['Succeeded', 'SucceededWithIssues']);

function text(v: Value): string {
  return v === undefined ? '' : String(v);
}

function truthy(v: Value): boolean {
  return !(v === undefined || v === false || v === '' || v === 0);
}

function evaluateNode(node: Node, ctx: ConditionContext): Value {
  if (node.kind === 'literal') return node.value;
  if (node.kind === 'path') {
    if (node.root === 'variables' && node.keys.length > 0) {
      const name = node.keys.join('.').toLowerCase();
      const hit = Object.entries(ctx.variables).find(([k]) => k.toLowerCase() === name);
      return hit?.[1];
    }
    if (node.root === 'dependencies' && node.keys.length === 2 && node.keys[1] === 'result') {
      return ctx.dependencies[node.keys[0] ?? ''];
    }
    throw new Error(`condition: unsupported reference ${node.root}.${node.keys.join('.')}`);
  }
  const args = (): Value[] => node.args.map((a) => evaluateNode(a, ctx));
  const deps = (): StageResult[] => {
    const names = args().map(text);
    if (names.length === 0) return Object.values(ctx.dependencies);
    return names.map((n) => {
      const r = ctx.dependencies[n];
      if (r === undefined) throw new Error(`condition: "${n}" is not a dependency`);
      return r;
    });
  };
  const eq = (a: Value, b: Value) => text(a).toLowerCase() === text(b).toLowerCase();
  switch (node.name) {
    case 'and':
      return node.args.every((a) => truthy(evaluateNode(a, ctx)));
    case 'or':
      return node.args.some((a) => truthy(evaluateNode(a, ctx)));
    case 'not':
      return !truthy(evaluateNode(node.args[0] ?? { kind: 'literal', value: undefined }, ctx));
    case 'eq': {
      const [a, b] = args();
      return eq(a, b);
    }
    case 'ne': {
      const [a, b] = args();
      return !eq(a, b);
    }
    case 'in': {
      const [a, ...rest] = args();
      return rest.some((b) => eq(a, b));
    }
    case 'notin': {
      const [a, ...rest] = args();
      return !rest.some((b) => eq(a, b));
    }
    case 'startswith': {
      const [a, b] = args().map((v) => text(v).toLowerCase());
      return (a ?? '').startsWith(b ?? '');
    }
    case 'endswith': {
      const [a, b] = args().map((v) => text(v).toLowerCase());
      return (a ?? '').endsWith(b ?? '');
    }
    case 'contains': {
      const [a, b] = args().map((v) => text(v).toLowerCase());
      return (a ?? '').includes(b ?? '');
    }
    case 'always':
      return true;
    case 'canceled':
      return deps().some((r) => r === 'Canceled');
    case 'succeeded':
      return deps().every((r) => OK.has(r));
    case 'failed':
      return deps().some((r) => r === 'Failed');
    case 'succeededorfailed':
      return deps().every((r) => OK.has(r) || r === 'Failed');
    default:
      throw new Error(`condition: unsupported function ${node.name}()`);
  }
}

/** Evaluates `condition` (the stage default is `succeeded()`). */
export function evaluateCondition(condition: string, ctx: ConditionContext): boolean {
  return truthy(evaluateNode(parse(condition), ctx));
}
