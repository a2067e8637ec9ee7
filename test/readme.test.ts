/**
 * The README's "First deploy" must work exactly as written, in the order written: every command it
 * names must exist (npm scripts, deploy scripts, stacks for `cdktf deploy|destroy`, Terraform
 * outputs it reads), the stacks it deploys must come in the order their dependencies need, and the
 * roles it asks for must be at the scope the stacks need (they create resource groups, so a
 * resource-group scope is not enough).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { synthAll, type Synthesized } from './stacks/synth';

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const scripts = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** The text of one `## ` section, up to the next `## ` heading. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}`);
  if (start < 0) throw new Error(`README has no section "## ${title}"`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

let synth: Synthesized;
beforeAll(() => {
  synth = synthAll();
});
afterAll(() => synth.cleanup());

describe('README "First deploy"', () => {
  const firstDeploy = section('First deploy: from an empty subscription to a `202`');

  it('comes before the construct reference (a new user reads it first)', () => {
    expect(readme.indexOf('## First deploy')).toBeLessThan(readme.indexOf('## Constructs and stacks'));
  });

  it('names only npm scripts that exist', () => {
    const used = [...readme.matchAll(/npm run (?:-s )?([a-z][\w:-]*)/g)].map((m) => m[1] ?? '');
    expect(used.length).toBeGreaterThan(5);
    expect([...new Set(used)].filter((name) => scripts[name] === undefined)).toEqual([]);
  });

  it('names only deploy scripts that exist and are executable', () => {
    const paths = [...new Set([...readme.matchAll(/pipelines\/deploy\/[\w-]+\.sh/g)].map((m) => m[0]))];
    expect(paths.length).toBeGreaterThanOrEqual(3);
    for (const path of paths) {
      expect([path, existsSync(join(root, path))]).toEqual([path, true]);
      expect(readFileSync(join(root, path), 'utf8').startsWith('#!/usr/bin/env bash')).toBe(true);
      expect([path, (statSync(join(root, path)).mode & 0o111) !== 0]).toEqual([path, true]);
    }
  });

  it('deploys stacks that the app synthesizes, foundation before platform, and destroys platform first', () => {
    const deployed = [...firstDeploy.matchAll(/cdktf deploy ([\w-]+)/g)].map((m) => m[1] ?? '');
    const destroyed = [...firstDeploy.matchAll(/cdktf destroy ([\w -]+)/g)].flatMap((m) =>
      (m[1] ?? '').trim().split(' '),
    );
    for (const name of [...deployed, ...destroyed])
      expect([name, synth.stacks.has(name)]).toEqual([name, true]);
    expect(deployed.indexOf('bootstrap')).toBe(0);
    expect(deployed.indexOf('dev-foundation')).toBeLessThan(deployed.indexOf('dev-platform'));
    expect(destroyed).toEqual(['dev-platform', 'dev-foundation']);
  });

  it('passes cdktf the flag or the stacks it needs: a dependency missing from the command is an error', () => {
    const manifest = JSON.parse(readFileSync(join(synth.outdir, 'manifest.json'), 'utf8')) as {
      stacks: Record<string, { dependencies: string[] }>;
    };
    const dependants = (name: string): string[] =>
      Object.entries(manifest.stacks)
        .filter(([, stack]) => stack.dependencies.includes(name))
        .map(([dependant]) => dependant);
    const commands = [...readme.matchAll(/npx cdktf (deploy|destroy) ([^\n#`]*)/g)];
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const [line, verb, rest] of commands) {
      const words = (rest ?? '').trim().split(/\s+/);
      if (words.includes('--ignore-missing-stack-dependencies')) continue;
      const stacks = words.filter((w) => !w.startsWith('-'));
      // cdktf's own rule: deploy needs every dependency, destroy every dependant, in the command.
      const needed = stacks.flatMap((s) =>
        verb === 'deploy' ? (manifest.stacks[s]?.dependencies ?? []) : dependants(s),
      );
      expect([line.trim(), needed.filter((n) => !stacks.includes(n))]).toEqual([line.trim(), []]);
    }
  });

  it('runs secrets and images after the foundation and before the platform', () => {
    const at = (needle: string): number => {
      const i = firstDeploy.indexOf(needle);
      expect([needle, i >= 0]).toEqual([needle, true]);
      return i;
    };
    const foundation = at('cdktf deploy dev-foundation');
    const open = at('data-plane-access.sh open');
    const secrets = at('secrets.sh foundation-dev.json');
    const images = at('images.sh foundation-dev.json');
    const close = at('data-plane-access.sh close');
    const platform = at('cdktf deploy dev-platform');
    expect([foundation, open, secrets, images, close, platform]).toEqual(
      [foundation, open, secrets, images, close, platform].sort((a, b) => a - b),
    );
  });

  it('reads only Terraform outputs the stacks have', () => {
    const outputs = (stack: string): string[] => Object.keys(synth.stacks.get(stack)?.output ?? {});
    const read = [
      ...firstDeploy.matchAll(/terraform -chdir=cdktf\.out\/stacks\/([\w-]+) output -raw (\w+)/g),
    ];
    expect(read.length).toBeGreaterThan(0);
    for (const [, stack, output] of read) expect(outputs(stack ?? '')).toContain(output);
  });

  it('asks for the roles at subscription scope, since the stacks create their resource groups (trap 4)', () => {
    expect(firstDeploy).toMatch(/\*\*at subscription scope\*\*/);
    expect(firstDeploy).toMatch(/User Access Administrator/);
    expect(readme).not.toMatch(/on the subscription or resource group/);
    for (const env of ['dev', 'staging', 'prod']) {
      expect(
        Object.keys(synth.stacks.get(`${env}-foundation`)?.resource?.azurerm_resource_group ?? {}),
      ).toHaveLength(1);
    }
  });
});
