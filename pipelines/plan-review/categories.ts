/**
 * The protected categories of resource types whose delete or replace the review refuses unless the
 * address is allowed: `stateful` (data is lost, ./stateful.ts) and `outage` (the service goes down
 * or changes its public address, ./outage.ts). A type in both is `stateful`: losing data is the
 * graver consequence, and the one a reviewer must read first.
 */
import { outageReason } from './outage';
import { statefulReason } from './stateful';

export type ProtectedCategory = 'stateful' | 'outage';

/** Every category, in the order the review reports them. */
export const PROTECTED_CATEGORIES: readonly ProtectedCategory[] = ['stateful', 'outage'];

export interface Classification {
  readonly category: ProtectedCategory;
  /** Why a delete or replace of this type is protected, e.g. what data is lost. */
  readonly reason: string;
}

/** Types a caller adds to the built-in lists (the CLI's `--stateful-type` / `--outage-type`). */
export interface ExtraTypes {
  readonly stateful?: ReadonlySet<string>;
  readonly outage?: ReadonlySet<string>;
}

/** The protected category of `type` and why, or undefined when deleting or replacing it is routine. */
export function classifyType(type: string, extra: ExtraTypes = {}): Classification | undefined {
  const stateful = statefulReason(type, extra.stateful);
  if (stateful !== undefined) return { category: 'stateful', reason: stateful };
  const outage = outageReason(type, extra.outage);
  if (outage !== undefined) return { category: 'outage', reason: outage };
  return undefined;
}
