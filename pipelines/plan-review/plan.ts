/**
 * The subset of `terraform show -json <planfile>` (format 1.x, identical in OpenTofu) that the plan
 * review reads, parsed with zod so a wrong file fails with a message instead of a TypeError.
 * Reference: "JSON Output Format" in the Terraform / OpenTofu docs (`resource_changes[].change`).
 */
import { z } from 'zod';

/** A path inside a resource's attributes: keys are strings, list indexes are numbers. */
const attributePath = z.array(z.union([z.string(), z.number()]));

const resourceChange = z.object({
  address: z.string(),
  mode: z.enum(['managed', 'data']),
  type: z.string(),
  name: z.string(),
  change: z.object({
    actions: z.array(z.string()).min(1),
    /** Attribute paths whose change forces the resource to be replaced (only on replacements). */
    replace_paths: z.array(attributePath).optional(),
  }),
  /** Why a resource is replaced or deleted, e.g. `replace_because_cannot_update`, `delete_because_no_resource_config`. */
  action_reason: z.string().optional(),
});

const planJson = z.object({
  format_version: z.string(),
  terraform_version: z.string().optional(),
  resource_changes: z.array(resourceChange).optional(),
});

export type ResourceChange = z.infer<typeof resourceChange>;
export type PlanJson = z.infer<typeof planJson>;

/** The kinds of change the review counts. `read` (data sources) and `no-op` are not changes. */
export type ChangeKind = 'create' | 'update' | 'replace' | 'delete';

/** Thrown for a file that is not `terraform show -json` output of a saved plan. */
export class PlanFormatError extends Error {
  override readonly name = 'PlanFormatError';
}

/** Parses the text of `terraform show -json <planfile>`. */
export function parsePlanJson(text: string): PlanJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PlanFormatError(`not JSON: ${(e as Error).message}`);
  }
  const parsed = planJson.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? first.path.join('.') || '(root)' : '(root)';
    throw new PlanFormatError(
      `not the output of \`terraform show -json <planfile>\`: ${where}: ${first?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/**
 * Maps a change's `actions` to the kind of change. Terraform writes a replacement as
 * `["delete","create"]` (or `["create","delete"]` with create_before_destroy).
 * Returns undefined for actions that change nothing (`no-op`, `read`, `forget`).
 */
export function changeKind(actions: readonly string[]): ChangeKind | undefined {
  const set = new Set(actions);
  if (set.has('delete') && set.has('create')) return 'replace';
  if (actions.length !== 1) return undefined;
  switch (actions[0]) {
    case 'create':
    case 'update':
    case 'delete':
      return actions[0];
    default:
      return undefined;
  }
}

/** `["sku"]` → `sku`; `["network_rule_set", 0, "default_action"]` → `network_rule_set[0].default_action`. */
export function formatAttributePath(path: ReadonlyArray<string | number>): string {
  return path
    .map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`))
    .join('');
}
