/**
 * Renders a {@link PlanReview} as Markdown for the Azure DevOps run summary
 * (`##vso[task.uploadsummary]`) and for a terminal. The verdict comes first: its headline, then the
 * protected (stateful or outage-causing) resources that are deleted or replaced, listed as blocked
 * or as allowed, each with its category, action and why the category protects it; the allowed list
 * reads "none" only when there is none. Destructive changes follow, as a table with the attributes
 * that force each replacement: they are what a reviewer must read; the per-type counts come last.
 */
import { PROTECTED_CATEGORIES, type ProtectedCategory } from './categories';
import type { ChangeKind } from './plan';
import type { DestructiveChange, PlanReview } from './review';

const KINDS: readonly ChangeKind[] = ['create', 'update', 'replace', 'delete'];

/** How each category is named in a sentence ("2 outage-causing resources"). */
const CATEGORY_ADJECTIVE: Readonly<Record<ProtectedCategory, string>> = {
  stateful: 'stateful',
  outage: 'outage-causing',
};

const CATEGORY_CONSEQUENCE: Readonly<Record<ProtectedCategory, string>> = {
  stateful: 'Deleting or replacing a stateful resource loses its data.',
  outage:
    'Deleting or replacing an outage-causing resource takes the service down or changes its public address.',
};

/** Label of the allowed list; the addresses come from the flag and the variable together. */
export const ALLOWED_LABEL = 'Allowed by `--allow-destroy` / `PLAN_REVIEW_ALLOW_DESTROY`';

/** Escapes the characters that would break a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}

/** "1 stateful resource", "2 outage-causing resources", "1 stateful and 6 outage-causing resources". */
function countPhrase(changes: readonly DestructiveChange[]): string {
  const parts: string[] = [];
  for (const category of PROTECTED_CATEGORIES) {
    const n = changes.filter((d) => d.category === category).length;
    if (n > 0) parts.push(`${n} ${CATEGORY_ADJECTIVE[category]}`);
  }
  return `${parts.join(' and ')} resource${changes.length === 1 ? '' : 's'}`;
}

/** A list item: the address, then `(outage, replace): ` and why the category protects it. */
function protectedItem(d: DestructiveChange): string {
  return `- ${code(d.address)} (${d.category ?? 'not protected'}, ${d.kind}): ${d.categoryReason ?? '–'}`;
}

function allowedList(review: PlanReview): string[] {
  if (review.allowed.length === 0) return [`${ALLOWED_LABEL}: none.`];
  return [`${ALLOWED_LABEL}:`, '', ...review.allowed.map(protectedItem)];
}

function verdict(review: PlanReview): string[] {
  const t = review.totals;
  if (KINDS.every((k) => t[k] === 0)) return ['No changes.'];
  if (review.blocked.length > 0) {
    const categories = new Set(review.blocked.map((d) => d.category));
    const consequences = PROTECTED_CATEGORIES.filter((c) => categories.has(c)).map(
      (c) => CATEGORY_CONSEQUENCE[c],
    );
    return [
      `**BLOCKED: ${countPhrase(review.blocked)} would be deleted or replaced.** ` +
        `${consequences.join(' ')} If this is intended, allow each address with ` +
        '`--allow-destroy <address>` or the `PLAN_REVIEW_ALLOW_DESTROY` variable.',
      '',
      'Blocked (not allowed):',
      '',
      ...review.blocked.map(protectedItem),
      '',
      ...allowedList(review),
    ];
  }
  if (review.allowed.length > 0) {
    const n = review.allowed.length;
    return [
      `**Passes: ${countPhrase(review.allowed)} would be deleted or replaced, and ` +
        `${n === 1 ? 'its address is' : 'every address is'} allowed.**`,
      '',
      ...allowedList(review),
    ];
  }
  return ['No stateful or outage-causing resource is deleted or replaced.', '', ...allowedList(review)];
}

function protectedCell(d: DestructiveChange): string {
  if (d.category === undefined) return 'no';
  return d.allowed ? `${d.category} (allowed)` : `**${d.category}**`;
}

function destructiveRow(d: DestructiveChange): string {
  const forced = d.forcedBy.length > 0 ? d.forcedBy.map(code).join(', ') : '–';
  return `| ${d.kind} | ${code(d.address)} | ${forced} | ${d.reason ? code(d.reason) : '–'} | ${protectedCell(d)} |`;
}

export function renderMarkdown(review: PlanReview, title = 'Terraform plan review'): string {
  const lines: string[] = [`# ${cell(title)}`, ''];
  const t = review.totals;
  lines.push(
    `**${t.create} to create, ${t.update} to update, ${t.replace} to replace, ${t.delete} to delete.**` +
      (review.terraformVersion ? ` (planned by version ${review.terraformVersion})` : ''),
    '',
    ...verdict(review),
    '',
  );

  if (review.destructive.length > 0) {
    lines.push(
      '## Replaced and deleted',
      '',
      '| action | address | forces replacement | reason | protected |',
      '| --- | --- | --- | --- | --- |',
      ...review.destructive.map(destructiveRow),
      '',
    );
  }

  if (review.byType.length > 0) {
    lines.push(
      '## Changes by resource type',
      '',
      '| resource type | create | update | replace | delete |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...review.byType.map(
        ({ type, counts }) => `| ${code(type)} | ${KINDS.map((k) => counts[k]).join(' | ')} |`,
      ),
      '',
    );
  }

  if (review.unusedAllowances.length > 0) {
    lines.push(
      '## Allowances not used',
      '',
      'These addresses were allowed to be destroyed but the plan neither deletes nor replaces them:',
      '',
      ...review.unusedAllowances.map((a) => `- ${code(a)}`),
      '',
    );
  }
  return lines.join('\n');
}
