/**
 * Renders a {@link PlanReview} as Markdown for the Azure DevOps run summary
 * (`##vso[task.uploadsummary]`) and for a terminal. Destructive changes come first: they are what a
 * reviewer must read; the per-type counts follow.
 */
import type { ChangeKind } from './plan';
import type { DestructiveChange, PlanReview } from './review';

const KINDS: readonly ChangeKind[] = ['create', 'update', 'replace', 'delete'];

/** Escapes the characters that would break a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}

function verdict(review: PlanReview): string {
  if (review.blocked.length > 0) {
    const n = review.blocked.length;
    return (
      `**BLOCKED: ${n} stateful resource${n === 1 ? '' : 's'} would be deleted or replaced.** ` +
      'Data in them would be lost. If this is intended, allow each address with ' +
      '`--allow-destroy <address>` or the `PLAN_REVIEW_ALLOW_DESTROY` variable.'
    );
  }
  const t = review.totals;
  if (KINDS.every((k) => t[k] === 0)) return 'No changes.';
  return 'No stateful resource is deleted or replaced.';
}

function destructiveRow(d: DestructiveChange): string {
  const forced = d.forcedBy.length > 0 ? d.forcedBy.map(code).join(', ') : '–';
  const stateful = d.stateful ? (d.allowed ? 'yes (allowed)' : '**yes**') : 'no';
  return `| ${d.kind} | ${code(d.address)} | ${forced} | ${d.reason ? code(d.reason) : '–'} | ${stateful} |`;
}

export function renderMarkdown(review: PlanReview, title = 'Terraform plan review'): string {
  const lines: string[] = [`# ${cell(title)}`, ''];
  const t = review.totals;
  lines.push(
    `**${t.create} to create, ${t.update} to update, ${t.replace} to replace, ${t.delete} to delete.**` +
      (review.terraformVersion ? ` (planned by version ${review.terraformVersion})` : ''),
    '',
    verdict(review),
    '',
  );

  if (review.destructive.length > 0) {
    lines.push(
      '## Replaced and deleted',
      '',
      '| action | address | forces replacement | reason | stateful |',
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
