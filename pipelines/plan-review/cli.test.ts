import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_USAGE, parseAllowList, runCli } from './cli';

function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, stderr };
}

describe('plan-review CLI usage', () => {
  it('fails with exit 1 and the usage when no file is given', () => {
    const { code, stderr } = run([]);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toContain('expected exactly one plan JSON file, received 0');
  });

  it('fails with exit 1 on an unknown option', () => {
    expect(run(['plan.json', '--allow', 'x']).code).toBe(EXIT_USAGE);
  });

  it('fails with exit 1 naming the file when it is missing or not a plan', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-review-'));
    try {
      const notPlan = join(dir, 'state.json');
      writeFileSync(notPlan, '{"version":4}');
      expect(run([join(dir, 'missing.json')]).stderr).toContain('cannot read');
      const bad = run([notPlan]);
      expect(bad.code).toBe(EXIT_USAGE);
      expect(bad.stderr).toContain(`${notPlan}: not the output of`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseAllowList', () => {
  it('splits on spaces, commas and newlines', () => {
    expect(parseAllowList('a.b, c.d\ne.f  g.h')).toEqual(['a.b', 'c.d', 'e.f', 'g.h']);
  });

  it('ignores an unset Azure DevOps macro left as literal text', () => {
    expect(parseAllowList('$(PLAN_REVIEW_ALLOW_DESTROY)')).toEqual([]);
    expect(parseAllowList(undefined)).toEqual([]);
  });
});
