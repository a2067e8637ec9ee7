/**
 * End to end on REAL plan JSON: OpenTofu (built from the Go module proxy, see ./tofu.ts) applies
 * ./fixtures/before in a temp dir with a local backend, plans ./fixtures/after against that state,
 * and `tofu show -json` writes the file the CLI reads, exactly as the pipeline's plan stage does.
 * Both protected categories are exercised on those plans by naming `terraform_data` with the
 * CLI's `--stateful-type` / `--outage-type`.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOW_ENV, EXIT_BLOCKED, EXIT_OK, runCli } from './cli';
import { ALLOWED_LABEL } from './markdown';
import { findTofu, runTofu } from './tofu';

const FIXTURES = join(__dirname, 'fixtures');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function review(args: string[], env: Record<string, string> = {}): Run {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
  return { code, stdout, stderr };
}

let dir: string;
let changesPlan: string;
let noChangesPlan: string;
let requestedReplacePlan: string;

beforeAll(() => {
  const tofu = findTofu();
  dir = mkdtempSync(join(tmpdir(), 'plan-review-e2e-'));
  const main = join(dir, 'main.tf');
  const planTo = (name: string, extra: string[] = []): string => {
    runTofu(tofu, dir, ['plan', '-input=false', '-no-color', '-lock=false', `-out=${name}.tfplan`, ...extra]);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, runTofu(tofu, dir, ['show', '-json', '-no-color', `${name}.tfplan`]));
    return file;
  };

  copyFileSync(join(FIXTURES, 'before', 'main.tf'), main);
  runTofu(tofu, dir, ['init', '-input=false', '-no-color']);
  runTofu(tofu, dir, ['apply', '-input=false', '-no-color', '-auto-approve', '-lock=false']);
  noChangesPlan = planTo('no-changes');
  requestedReplacePlan = planTo('requested', ['-replace=terraform_data.unchanged']);
  copyFileSync(join(FIXTURES, 'after', 'main.tf'), main);
  changesPlan = planTo('changes');
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('plan review on real OpenTofu plans', () => {
  it('counts one create, update, replace and delete of terraform_data', () => {
    const { code, stdout } = review([changesPlan]);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toContain('**1 to create, 1 to update, 1 to replace, 1 to delete.**');
    expect(stdout).toContain('| `terraform_data` | 1 | 1 | 1 | 1 |');
  });

  it('lists the replacement first with the attribute that forces it, then the deletion', () => {
    const { stdout } = review([changesPlan]);
    const replaceRow = stdout.indexOf('| replace | `terraform_data.replaced` | `triggers_replace` |');
    const deleteRow = stdout.indexOf('| delete | `terraform_data.deleted` |');
    const countsTable = stdout.indexOf('## Changes by resource type');
    expect(replaceRow).toBeGreaterThan(0);
    expect(deleteRow).toBeGreaterThan(replaceRow);
    expect(countsTable).toBeGreaterThan(deleteRow);
    expect(stdout).toContain('`delete_because_no_resource_config`');
  });

  it('does not list unchanged or updated resources as destructive', () => {
    const { stdout } = review([changesPlan]);
    expect(stdout).not.toContain('terraform_data.unchanged');
    expect(stdout).not.toContain('terraform_data.updated');
  });

  it('passes a destructive plan of unprotected types, saying no protected resource is touched and none allowed', () => {
    const { code, stdout } = review([changesPlan]);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toContain(
      `No stateful or outage-causing resource is deleted or replaced.\n\n${ALLOWED_LABEL}: none.\n`,
    );
    expect(stdout).toContain(
      '| replace | `terraform_data.replaced` | `triggers_replace` | `replace_because_cannot_update` | no |',
    );
  });

  it('fails with exit 2 naming every stateful resource that would be destroyed', () => {
    const { code, stdout, stderr } = review([changesPlan, '--stateful-type', 'terraform_data']);
    expect(code).toBe(EXIT_BLOCKED);
    expect(stdout).toContain('**BLOCKED: 2 stateful resources would be deleted or replaced.**');
    expect(stdout).toContain(
      '- `terraform_data.replaced` (stateful, replace): listed as stateful with `--stateful-type`',
    );
    expect(stdout).toContain('- `terraform_data.deleted` (stateful, delete): ');
    expect(stderr).toContain(
      'terraform_data.replaced (stateful, replace), terraform_data.deleted (stateful, delete)',
    );
  });

  it('passes when every destroyed stateful address is allowed by flag and variable together, listing both', () => {
    const { code, stdout } = review(
      [changesPlan, '--stateful-type', 'terraform_data', '--allow-destroy', 'terraform_data.replaced'],
      { [ALLOW_ENV]: 'terraform_data.deleted' },
    );
    expect(code).toBe(EXIT_OK);
    expect(stdout).toContain(
      '**Passes: 2 stateful resources would be deleted or replaced, and every address is allowed.**',
    );
    expect(stdout).toContain(
      `${ALLOWED_LABEL}:\n\n` +
        '- `terraform_data.replaced` (stateful, replace): listed as stateful with `--stateful-type`\n' +
        '- `terraform_data.deleted` (stateful, delete): listed as stateful with `--stateful-type`\n',
    );
    expect(stdout).not.toContain('none');
    expect(stdout).toContain('stateful (allowed)');
  });

  it('fails with exit 2 on outage-causing resources named with --outage-type, saying which category', () => {
    const { code, stdout, stderr } = review([changesPlan, '--outage-type', 'terraform_data']);
    expect(code).toBe(EXIT_BLOCKED);
    expect(stdout).toContain('**BLOCKED: 2 outage-causing resources would be deleted or replaced.**');
    expect(stdout).toContain(
      '- `terraform_data.replaced` (outage, replace): listed as outage-causing with `--outage-type`',
    );
    expect(stdout).toContain(
      '| replace | `terraform_data.replaced` | `triggers_replace` | `replace_because_cannot_update` | **outage** |',
    );
    expect(stdout).toContain(`${ALLOWED_LABEL}: none.`);
    expect(stderr).toContain(
      'terraform_data.replaced (outage, replace), terraform_data.deleted (outage, delete)',
    );
  });

  it('lists an allowed outage-causing deletion as allowed while the replacement stays blocked', () => {
    const { code, stdout, stderr } = review([changesPlan, '--outage-type', 'terraform_data'], {
      [ALLOW_ENV]: 'terraform_data.deleted',
    });
    expect(code).toBe(EXIT_BLOCKED);
    expect(stdout).toContain('**BLOCKED: 1 outage-causing resource would be deleted or replaced.**');
    expect(stdout).toContain(`${ALLOWED_LABEL}:\n\n- \`terraform_data.deleted\` (outage, delete): `);
    expect(stdout).toContain(
      '| delete | `terraform_data.deleted` | – | `delete_because_no_resource_config` | outage (allowed) |',
    );
    expect(stderr).not.toContain('terraform_data.deleted');
  });

  it('treats a type named with both --stateful-type and --outage-type as stateful', () => {
    const { stdout } = review([
      changesPlan,
      '--outage-type',
      'terraform_data',
      '--stateful-type',
      'terraform_data',
    ]);
    expect(stdout).toContain('**BLOCKED: 2 stateful resources would be deleted or replaced.**');
  });

  it('still fails when only some destroyed stateful addresses are allowed', () => {
    const { code, stderr } = review([
      changesPlan,
      '--stateful-type',
      'terraform_data',
      '--allow-destroy',
      'terraform_data.replaced',
    ]);
    expect(code).toBe(EXIT_BLOCKED);
    expect(stderr).toContain('terraform_data.deleted');
    expect(stderr).not.toContain('terraform_data.replaced');
  });

  it('reports "No changes." for a plan that changes nothing', () => {
    const { code, stdout } = review([noChangesPlan, '--stateful-type', 'terraform_data']);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toContain('**0 to create, 0 to update, 0 to replace, 0 to delete.**');
    expect(stdout).toContain('No changes.');
  });

  it('shows a replacement requested with -replace and its reason', () => {
    const { code, stdout } = review([requestedReplacePlan, '--stateful-type', 'terraform_data']);
    expect(code).toBe(EXIT_BLOCKED);
    expect(stdout).toContain(
      '| replace | `terraform_data.unchanged` | – | `replace_by_request` | **stateful** |',
    );
  });

  it('writes the same Markdown to --out for the run summary', () => {
    const out = join(dir, 'summary.md');
    const { stdout } = review([changesPlan, '--out', out, '--title', 'Plan: dev']);
    expect(readFileSync(out, 'utf8')).toBe(stdout);
    expect(stdout.startsWith('# Plan: dev\n')).toBe(true);
  });
});
