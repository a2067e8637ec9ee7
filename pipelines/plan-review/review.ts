/**
 * Reviews a parsed plan: counts changes per resource type, lists replacements and deletions with
 * the attributes that force them, and finds the stateful resources that would be destroyed and are
 * not explicitly allowed. Pure: rendering is ./markdown.ts, I/O and exit codes are ./cli.ts.
 */
import { changeKind, formatAttributePath, type ChangeKind, type PlanJson } from './plan';
import { isStatefulType } from './stateful';

export interface ReviewOptions {
  /** Addresses (exact, as in the plan) whose deletion or replacement is accepted. @default - none */
  readonly allowDestroy?: Iterable<string>;
  /** Resource types to treat as stateful in addition to the built-in list. @default - none */
  readonly extraStatefulTypes?: Iterable<string>;
}

export type Counts = Record<ChangeKind, number>;

export interface DestructiveChange {
  readonly address: string;
  readonly type: string;
  readonly kind: 'replace' | 'delete';
  /** Formatted `replace_paths`, e.g. `sku`, `network_rule_set[0].default_action`. */
  readonly forcedBy: readonly string[];
  /** Terraform's `action_reason`, when it gives one. */
  readonly reason?: string;
  readonly stateful: boolean;
  /** True when the address was allowed by `allowDestroy`. */
  readonly allowed: boolean;
}

export interface PlanReview {
  readonly terraformVersion?: string;
  /** Per resource type, sorted by type. Types with no change are left out. */
  readonly byType: ReadonlyArray<{ readonly type: string; readonly counts: Counts }>;
  readonly totals: Counts;
  /** Replacements first, then deletions, each sorted by address. */
  readonly destructive: readonly DestructiveChange[];
  /** Stateful resources deleted or replaced and not allowed: any entry fails the review. */
  readonly blocked: readonly DestructiveChange[];
  /** Allowed addresses that the plan does not delete or replace (likely a stale allowance). */
  readonly unusedAllowances: readonly string[];
}

const zero = (): Counts => ({ create: 0, update: 0, replace: 0, delete: 0 });

export function reviewPlan(plan: PlanJson, options: ReviewOptions = {}): PlanReview {
  const allowed = new Set(options.allowDestroy ?? []);
  const extraTypes = new Set(options.extraStatefulTypes ?? []);
  const byType = new Map<string, Counts>();
  const totals = zero();
  const destructive: DestructiveChange[] = [];

  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== 'managed') continue;
    const kind = changeKind(rc.change.actions);
    if (kind === undefined) continue;
    const counts = byType.get(rc.type) ?? zero();
    counts[kind] += 1;
    totals[kind] += 1;
    byType.set(rc.type, counts);
    if (kind === 'replace' || kind === 'delete') {
      destructive.push({
        address: rc.address,
        type: rc.type,
        kind,
        forcedBy: (rc.change.replace_paths ?? []).map(formatAttributePath),
        ...(rc.action_reason !== undefined ? { reason: rc.action_reason } : {}),
        stateful: isStatefulType(rc.type, extraTypes),
        allowed: allowed.has(rc.address),
      });
    }
  }

  const order = { replace: 0, delete: 1 } as const;
  destructive.sort((a, b) => order[a.kind] - order[b.kind] || a.address.localeCompare(b.address));
  const destroyed = new Set(destructive.map((d) => d.address));

  return {
    ...(plan.terraform_version !== undefined ? { terraformVersion: plan.terraform_version } : {}),
    byType: [...byType.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, counts]) => ({ type, counts })),
    totals,
    destructive,
    blocked: destructive.filter((d) => d.stateful && !d.allowed),
    unusedAllowances: [...allowed].filter((a) => !destroyed.has(a)).sort(),
  };
}
