/**
 * Static checks of the deploy scripts and their test doubles: strict mode, executable, and the
 * doubles say what they are. shellcheck itself runs in ./shellcheck.int.test.ts.
 */
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOY_DIR, DOUBLES_BIN } from './test-support';

const scripts = readdirSync(DEPLOY_DIR)
  .filter((f) => f.endsWith('.sh'))
  .map((f) => join(DEPLOY_DIR, f));
const doubles = readdirSync(DOUBLES_BIN).map((f) => join(DOUBLES_BIN, f));

it('has the four deploy scripts and the three test doubles', () => {
  expect(scripts.map((f) => f.slice(DEPLOY_DIR.length + 1)).sort()).toEqual([
    'data-plane-access.sh',
    'images.sh',
    'secrets.sh',
    'smoke-inputs.sh',
  ]);
  expect(doubles.map((f) => f.slice(DOUBLES_BIN.length + 1)).sort()).toEqual(['az', 'curl', 'docker']);
});

it.each([...scripts, ...doubles])('%s is an executable bash script in strict mode', (file) => {
  const text = readFileSync(file, 'utf8');
  expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
  expect(text).toMatch(/^set -euo pipefail$/m);
  expect(() => accessSync(file, constants.X_OK)).not.toThrow();
});

it.each(doubles)('%s says in its header that it is a test double, and why', (file) => {
  const header = readFileSync(file, 'utf8').split('\n').slice(0, 4).join('\n');
  expect(header).toMatch(/TEST DOUBLE/);
  expect(readFileSync(file, 'utf8')).toMatch(/unreachable/);
});

it('images.sh says in its header why it does not use az acr build', () => {
  const header = readFileSync(join(DEPLOY_DIR, 'images.sh'), 'utf8').split('\n\n')[0] ?? '';
  expect(header).toMatch(/Why not `az acr build`: ACR Tasks build on shared Microsoft agents/);
});
