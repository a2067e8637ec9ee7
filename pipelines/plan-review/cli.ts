/**
 * `npm run plan:review -- <plan.json> [options]`: prints the Markdown review of a
 * `terraform show -json <planfile>` file on stdout.
 *
 * Exit codes: 0 the plan may proceed; 2 a protected resource would be deleted or replaced and is
 * not allowed; 1 bad usage or unreadable input. Protected means stateful (data is lost, ./stateful.ts)
 * or outage-causing (the service goes down or changes its public address, ./outage.ts).
 *
 *   --allow-destroy <address>   accept deleting/replacing this exact address (repeatable)
 *   --stateful-type <type>      treat this resource type as stateful too (repeatable)
 *   --outage-type <type>        treat this resource type as outage-causing too (repeatable)
 *   --title <text>              heading of the summary
 *   --out <file>                also write the Markdown to this file (for ##vso[task.uploadsummary])
 *
 * The variable PLAN_REVIEW_ALLOW_DESTROY adds allowed addresses (separated by spaces, commas or
 * newlines), so an operator can allow a replacement by queueing a run with that variable set,
 * without a commit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderMarkdown } from './markdown';
import { parsePlanJson, PlanFormatError } from './plan';
import { reviewPlan } from './review';

export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_BLOCKED = 2;

export const ALLOW_ENV = 'PLAN_REVIEW_ALLOW_DESTROY';

const USAGE =
  'usage: plan-review <plan.json> [--allow-destroy <address>]... [--stateful-type <type>]... ' +
  '[--outage-type <type>]... [--title <text>] [--out <file>]';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Splits the env var's value; Azure DevOps turns an unset `$(VAR)` macro into the literal `$(VAR)`. */
export function parseAllowList(value: string | undefined): string[] {
  if (value === undefined || /^\$\(.*\)$/.test(value.trim())) return [];
  return value.split(/[\s,]+/).filter((a) => a.length > 0);
}

export function runCli(argv: readonly string[], io: CliIo): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        'allow-destroy': { type: 'string', multiple: true },
        'stateful-type': { type: 'string', multiple: true },
        'outage-type': { type: 'string', multiple: true },
        title: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.stderr(`plan-review: ${(e as Error).message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  const [file, ...rest] = positionals;
  if (file === undefined || rest.length > 0) {
    io.stderr(`plan-review: expected exactly one plan JSON file, received ${positionals.length}\n${USAGE}\n`);
    return EXIT_USAGE;
  }

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    io.stderr(`plan-review: cannot read ${file}: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  let plan;
  try {
    plan = parsePlanJson(text);
  } catch (e) {
    if (e instanceof PlanFormatError) {
      io.stderr(`plan-review: ${file}: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }

  const review = reviewPlan(plan, {
    allowDestroy: [...(values['allow-destroy'] ?? []), ...parseAllowList(io.env[ALLOW_ENV])],
    extraStatefulTypes: values['stateful-type'] ?? [],
    extraOutageTypes: values['outage-type'] ?? [],
  });
  const markdown = renderMarkdown(review, values.title);
  io.stdout(`${markdown}\n`);
  if (values.out !== undefined) writeFileSync(values.out, `${markdown}\n`);

  if (review.blocked.length > 0) {
    const n = review.blocked.length;
    io.stderr(
      `plan-review: refusing: ${n} protected resource${n === 1 ? '' : 's'} would be deleted or replaced: ` +
        `${review.blocked.map((b) => `${b.address} (${b.category ?? '?'}, ${b.kind})`).join(', ')} ` +
        `(allow with --allow-destroy <address> or ${ALLOW_ENV})\n`,
    );
    return EXIT_BLOCKED;
  }
  return EXIT_OK;
}

if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
  });
}
