/**
 * The integration suite's prerequisite check: the message it fails with names every missing tool
 * with the command that installs it, and the PATH lookup finds executables as a shell would.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { executable, PREREQUISITES, prerequisiteMessage, type Prerequisite } from './prerequisites';

const nginx: Prerequisite = {
  tool: 'nginx',
  neededBy: 'the proxy tier tests',
  install: 'apt-get install nginx-light',
};
const checkov: Prerequisite = {
  tool: 'checkov',
  neededBy: 'the IaC scan',
  install: 'python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt',
};

describe('prerequisiteMessage', () => {
  it('says nothing when nothing is missing', () => {
    expect(prerequisiteMessage([])).toBeUndefined();
  });

  it('names each missing tool on its own line with what needs it and the command that installs it', () => {
    const lines = (prerequisiteMessage([nginx, checkov]) ?? '').split('\n');
    expect(lines[0]).toBe('The integration suite needs 2 tools this machine lacks:');
    expect(lines[1]).toBe('  - nginx (the proxy tier tests): apt-get install nginx-light');
    expect(lines[2]).toBe(
      '  - checkov (the IaC scan): python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt',
    );
  });

  it('ends with the one command that installs everything, and how to run a focused set anyway', () => {
    const message = prerequisiteMessage([nginx]) ?? '';
    expect(message.split('\n')[0]).toBe('The integration suite needs a tool this machine lacks:');
    expect(message).toContain('`bash .ci/run` installs all of them');
    expect(message).toContain('SKIP_PREREQUISITE_CHECK=1 npx jest --selectProjects integration <files>');
  });
});

describe('the prerequisite list', () => {
  it('covers every tool the integration tests run, each with an install command', () => {
    const tools = PREREQUISITES.map((p) => p.tool.split(' ')[0]);
    for (const tool of [
      'nginx',
      'envsubst',
      'busybox',
      'jq',
      'openssl',
      'plantuml',
      'java',
      'Kafka',
      'OpenTofu',
    ]) {
      expect(tools).toContain(tool);
    }
    for (const tool of ['checkov', 'hadolint', 'schemathesis', 'shellcheck']) expect(tools).toContain(tool);
    for (const p of PREREQUISITES) expect(p.install).not.toBe('');
  });
});

describe('executable', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'prerequisites-'));
    writeFileSync(join(dir, 'runnable'), '#!/bin/sh\n');
    chmodSync(join(dir, 'runnable'), 0o755);
    writeFileSync(join(dir, 'plain'), 'not executable\n');
    chmodSync(join(dir, 'plain'), 0o644);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds an executable file by name on PATH, and by absolute path', () => {
    expect(executable('runnable', ['/nonexistent', dir].join(delimiter))).toBe(true);
    expect(executable(join(dir, 'runnable'), '')).toBe(true);
  });

  it('does not take a file without the execute bit, a name off PATH or an empty PATH entry', () => {
    expect(executable('plain', dir)).toBe(false);
    expect(executable('runnable', `${delimiter}/nonexistent`)).toBe(false);
    expect(executable('runnable', '')).toBe(false);
  });
});
