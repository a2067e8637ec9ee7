/**
 * Reviews a parsed plan: counts changes per resource type, lists replacements and deletions with
 * the attributes that force them, classifies each into a protected category (`stateful`: data is
 * lost; `outage`: the service goes down or changes its public address; see ./categories.ts), and
 * splits the protected ones into `blocked` (not allowed: the review fails) and `allowed` (the
 * address was allowed explicitly). Pure: rendering is ./markdown.ts, I/O and exit codes are ./cli.ts.
 */
import { classifyType, PROTECTED_CATEGORIES, type ProtectedCategory } from './categories';
import { changeKind, formatAttributePath, type ChangeKind, type PlanJson } from './plan';

export interface ReviewOptions {
  /** Addresses (exact, as in the plan) whose deletion or replacement is accepted. @default - none */
  readonly allowDestroy?: Iterable<string>;
  /** Resource types to treat as stateful in addition to the built-in list. @default - none */
  readonly extraStatefulTypes?: Iterable<string>;
  /** Resource types to treat as outage-causing in addition to the built-in list. @default - none */
  readonly extraOutageTypes?: Iterable<string>;
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
  /** The protected category of the type, or undefined when deleting or replacing it is routine. */
  readonly category?: ProtectedCategory;
  /** Why the category protects the type (set together with `category`). */
  readonly categoryReason?: string;
  /** True when the address was allowed by `allowDestroy` (whether or not it is protected). */
  readonly allowed: boolean;
}

export interface PlanReview {
  readonly terraformVersion?: string;
  /** Per resource type, sorted by type. Types with no change are left out. */
  readonly byType: ReadonlyArray<{ readonly type: string; readonly counts: Counts }>;
  readonly totals: Counts;
  /** Replacements first, then deletions, each sorted by address. */
  readonly destructive: readonly DestructiveChange[];
  /**
   * Protected (stateful or outage) resources deleted or replaced and not allowed: any entry fails
   * the review. Stateful ones first, then outage ones, each in the order of `destructive`.
   */
  readonly blocked: readonly DestructiveChange[];
  /** Protected resources deleted or replaced whose address is allowed (listed, not failed); same order. */
  readonly allowed: readonly DestructiveChange[];
  /** Allowed addresses that the plan does not delete or replace (likely a stale allowance). */
  readonly unusedAllowances: readonly string[];
}

const zero = (): Counts => ({ create: 0, update: 0, replace: 0, delete: 0 });

const rank = (d: DestructiveChange): number =>
  d.category === undefined ? PROTECTED_CATEGORIES.length : PROTECTED_CATEGORIES.indexOf(d.category);

export function reviewPlan(plan: PlanJson, options: ReviewOptions = {}): PlanReview {
  const allowed = new Set(options.allowDestroy ?? []);
  const extraTypes = {
    stateful: new Set(options.extraStatefulTypes ?? []),
    outage: new Set(options.extraOutageTypes ?? []),
  };
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
      const classification = classifyType(rc.type, extraTypes);
      destructive.push({
        address: rc.address,
        type: rc.type,
        kind,
        forcedBy: (rc.change.replace_paths ?? []).map(formatAttributePath),
        ...(rc.action_reason !== undefined ? { reason: rc.action_reason } : {}),
        ...(classification !== undefined
          ? { category: classification.category, categoryReason: classification.reason }
          : {}),
        allowed: allowed.has(rc.address),
      });
    }
  }

  const order = { replace: 0, delete: 1 } as const;
  destructive.sort((a, b) => order[a.kind] - order[b.kind] || a.address.localeCompare(b.address));
  const destroyed = new Set(destructive.map((d) => d.address));
  // Protected ones by category (stateful first: lost data is what a reviewer must read first),
  // then in the order above (the sort is stable).
  const protectedOnes = destructive.filter((d) => d.category !== undefined).sort((a, b) => rank(a) - rank(b));

  return {
    ...(plan.terraform_version !== undefined ? { terraformVersion: plan.terraform_version } : {}),
    byType: [...byType.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, counts]) => ({ type, counts })),
    totals,
    destructive,
    blocked: protectedOnes.filter((d) => !d.allowed),
    allowed: protectedOnes.filter((d) => d.allowed),
    unusedAllowances: [...allowed].filter((a) => !destroyed.has(a)).sort(),
  };
}
