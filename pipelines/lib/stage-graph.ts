/**
 * The stage graph of an expanded pipeline (./expand.ts) and a dry run of it: which stages Azure
 * DevOps would run for a given trigger, with every job succeeding unless a test says it fails.
 * Implements the documented defaults: a stage without `dependsOn` depends on the stage before it,
 * `dependsOn: []` on nothing; a stage without `condition` runs when its dependencies succeeded.
 */
import { evaluateCondition, type StageResult } from './conditions';
import { isMap, type Yaml, type YamlMap } from './expand';

export interface Stage {
  readonly name: string;
  readonly dependsOn: readonly string[];
  readonly condition: string;
  readonly variables: readonly Yaml[];
  readonly jobs: readonly YamlMap[];
}

export function stagesOf(pipeline: YamlMap): Stage[] {
  const raw = pipeline.stages;
  if (!Array.isArray(raw)) throw new Error('pipeline has no stages list');
  const stages: Stage[] = [];
  let previous: string | undefined;
  for (const s of raw) {
    if (!isMap(s) || typeof s.stage !== 'string') throw new Error(`not a stage: ${JSON.stringify(s)}`);
    const d = s.dependsOn;
    const dependsOn =
      d === undefined
        ? previous
          ? [previous]
          : []
        : typeof d === 'string'
          ? [d]
          : Array.isArray(d)
            ? d.map(String)
            : [];
    stages.push({
      name: s.stage,
      dependsOn,
      condition: typeof s.condition === 'string' ? s.condition : 'succeeded()',
      variables: Array.isArray(s.variables) ? s.variables : [],
      jobs: Array.isArray(s.jobs) ? s.jobs.filter(isMap) : [],
    });
    previous = s.stage;
  }
  const names = new Set(stages.map((s) => s.name));
  for (const s of stages) {
    for (const dep of s.dependsOn) {
      if (!names.has(dep)) throw new Error(`stage ${s.name} depends on unknown stage ${dep}`);
    }
  }
  return stages;
}

/** Stages in an order where every stage comes after its dependencies; throws on a cycle. */
export function topologicalOrder(stages: readonly Stage[]): Stage[] {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: Stage[] = [];
  const visit = (s: Stage): void => {
    if (done.has(s.name)) return;
    if (visiting.has(s.name)) throw new Error(`dependency cycle through ${s.name}`);
    visiting.add(s.name);
    for (const d of s.dependsOn) {
      const dep = byName.get(d);
      if (dep) visit(dep);
    }
    visiting.delete(s.name);
    done.add(s.name);
    order.push(s);
  };
  stages.forEach(visit);
  return order;
}

/** True when `ancestor` is reachable from `stage` through dependsOn. */
export function dependsTransitively(stages: readonly Stage[], stage: string, ancestor: string): boolean {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const seen = new Set<string>();
  const stack = [...(byName.get(stage)?.dependsOn ?? [])];
  while (stack.length > 0) {
    const n = stack.pop() as string;
    if (n === ancestor) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(byName.get(n)?.dependsOn ?? []));
  }
  return false;
}

export interface DryRunOptions {
  /** Predefined variables of the run, e.g. `{ 'Build.Reason': 'PullRequest' }`. */
  readonly variables: Readonly<Record<string, string>>;
  /** Stages whose jobs fail when they run. @default - none */
  readonly failing?: readonly string[];
}

/** The result of every stage when the pipeline runs with `options`. */
export function dryRun(stages: readonly Stage[], options: DryRunOptions): Record<string, StageResult> {
  const results: Record<string, StageResult> = {};
  const failing = new Set(options.failing ?? []);
  for (const s of topologicalOrder(stages)) {
    const dependencies: Record<string, StageResult> = {};
    for (const d of s.dependsOn) dependencies[d] = results[d] ?? 'Skipped';
    const runs = evaluateCondition(s.condition, { variables: options.variables, dependencies });
    results[s.name] = !runs ? 'Skipped' : failing.has(s.name) ? 'Failed' : 'Succeeded';
  }
  return results;
}
