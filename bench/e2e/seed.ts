/**
 * The seed baseline's Python side: its own venv (.tmp/seed-venv) with bench/seed/requirements.txt
 * from PyPI, and the uvicorn command the stack launcher runs as each upstream (one process each,
 * so the seed gets as many processes as we run runtimes). Benchmark only, never a product feature.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { UpstreamCommand } from '../../test/support/path';
import { ROOT } from '../lib/results';

export const SEED_DIR = join(ROOT, 'bench', 'seed');
export const SEED_VENV = join(ROOT, '.tmp', 'seed-venv');
const PYTHON = join(SEED_VENV, 'bin', 'python');

/** Creates the venv if missing and installs the pinned requirements (pip skips what is there). */
export function ensureSeedVenv(log: (line: string) => void): void {
  if (!existsSync(PYTHON)) {
    log(`creating ${SEED_VENV}`);
    execFileSync('python3', ['-m', 'venv', SEED_VENV], { stdio: 'inherit' });
  }
  log('installing bench/seed/requirements.txt into the seed venv (PyPI)');
  execFileSync(
    PYTHON,
    ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', join(SEED_DIR, 'requirements.txt')],
    { stdio: 'inherit' },
  );
}

/** uvicorn serving bench/seed/app.py on the port the stack gives it, on the stack's broker and topic. */
export const seedUpstream: UpstreamCommand = {
  command: (ctx) => ({
    file: PYTHON,
    args: [
      '-m',
      'uvicorn',
      'app:app',
      '--host',
      '127.0.0.1',
      '--port',
      String(ctx.port),
      '--workers',
      '1',
      '--no-access-log',
      '--log-level',
      'warning',
    ],
    env: { KAFKA_BROKERS: ctx.brokers.join(','), KAFKA_TOPIC: ctx.topic },
    cwd: SEED_DIR,
  }),
};

/** Python and the seed's package versions as installed in the venv. */
export function seedVersions(): Record<string, string | null> {
  const script =
    'import json, sys, importlib.metadata as m\n' +
    'print(json.dumps({"python": sys.version.split()[0], ' +
    '**{n: m.version(n) for n in ["fastapi", "uvicorn", "kafka-python", "uvloop", "httptools"]}}))';
  try {
    return JSON.parse(execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' })) as Record<string, string>;
  } catch {
    return { python: null };
  }
}
