/**
 * The platform plan step of pipelines/templates/stages/terraform-plan.yml, run as Azure DevOps runs
 * it (bash, the step's env) against a test double of `terraform` (the real one needs Azure and the
 * provider, neither reachable here). A pull request that reaches a platform whose foundation lacks
 * the outputs it reads (before the first deploy, or a change adding a cross-stack output) must
 * warn and go on, so the change can merge and deploy; on main the same failure must fail.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandPipeline, isMap, type Yaml } from './lib/expand';

const ROOT = join(__dirname, '..');

/** The expanded plan step of `<env>-<layer>`. */
function planStep(environment: string, layer: string): { script: string; env: Record<string, string> } {
  const found: { script: string; env: Record<string, string> }[] = [];
  const walk = (n: Yaml, stage: string): void => {
    if (Array.isArray(n)) n.forEach((c) => walk(c, stage));
    else if (isMap(n)) {
      const here = typeof n.stage === 'string' ? n.stage : stage;
      if (here === `${layer}_plan_${environment}` && n.displayName === 'terraform plan -out, show -json') {
        found.push({ script: String(n.bash), env: (n.env ?? {}) as Record<string, string> });
      }
      Object.values(n).forEach((c) => walk(c, here));
    }
  };
  walk(expandPipeline(join(ROOT, 'azure-pipelines.yml')), '');
  expect(found).toHaveLength(1);
  return found[0] as { script: string; env: Record<string, string> };
}

const MISSING_OUTPUT = `Error: Unsupported attribute
  on cdk.tf.json line 1, in resource "azurerm_container_app" "x":
  This object does not have an attribute named "cross-stack-output-azurerm_key_vaultFoundation_Secrets_FD8BE6A6id".`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'platform-plan-step-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the step with a `terraform` test double whose `plan` prints `planOutput` and exits `planExit`. */
function run(
  layer: string,
  build: { reason: string; branch: string },
  planOutput: string,
  planExit: number,
): { status: number | null; stdout: string } {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'terraform'),
    `#!/usr/bin/env bash\n# test double of terraform: plan answers as the test says, show prints {}\nif [ "$1" = plan ]; then printf '%s\\n' "$PLAN_OUTPUT"; exit "$PLAN_EXIT"; fi\necho '{}'\n`,
  );
  chmodSync(join(bin, 'terraform'), 0o755);
  const step = planStep('dev', layer);
  const r = spawnSync('bash', ['-c', step.script], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      STACK_LAYER: step.env.STACK_LAYER ?? '',
      BUILD_REASON: build.reason,
      BUILD_SOURCEBRANCH: build.branch,
      PLAN_OUTPUT: planOutput,
      PLAN_EXIT: String(planExit),
    },
  });
  return { status: r.status, stdout: r.stdout };
}

const PR = { reason: 'PullRequest', branch: 'refs/pull/7/merge' };
const MAIN = { reason: 'IndividualCI', branch: 'refs/heads/main' };

describe('platform plan step', () => {
  it('on a pull request, warns and skips the plan when the foundation lacks a cross-stack output', () => {
    const r = run('platform', PR, MISSING_OUTPUT, 1);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('##vso[task.logissue type=warning]');
    expect(r.stdout).toContain('##vso[task.setvariable variable=PLAN_SKIPPED]true');
    expect(r.stdout).toContain('##vso[task.complete result=SucceededWithIssues;]');
  });

  it('on main, fails on the same error (the plan runs after the foundation apply there)', () => {
    expect(run('platform', MAIN, MISSING_OUTPUT, 1).status).toBe(1);
  });

  it('on a pull request, fails on any other plan error, and for the foundation stack', () => {
    expect(run('platform', PR, 'Error: building account: could not acquire access token', 1).status).toBe(1);
    expect(run('foundation', PR, MISSING_OUTPUT, 1).status).toBe(1);
  });

  it('writes plan.json and plan.txt when the plan succeeds', () => {
    const r = run('platform', PR, 'Plan: 3 to add, 0 to change, 0 to destroy.', 0);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('PLAN_SKIPPED');
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['plan.json', 'plan.txt', 'plan.log']));
  });
});
