// Shared by every bench/ script: the machine and versions a figure was taken on, small statistics,
// and one JSON file per measure under bench/results/ (read by the report in bench/report/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest folder above this file holding bench/lib/results.mjs. When a
 * TypeScript bench entry is bundled to CommonJS by esbuild, `import.meta.url` is empty and the
 * search starts from the working directory instead (npm scripts run at the root).
 */
function findRoot() {
  const url = import.meta.url;
  let dir = typeof url === 'string' && url.startsWith('file:') ? dirname(fileURLToPath(url)) : process.cwd();
  for (;;) {
    if (existsSync(join(dir, 'bench', 'lib', 'results.mjs'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export const ROOT = findRoot();
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** The machine a run was taken on: what a reader needs to judge the absolute figures. */
export function machineInfo() {
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cpus: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${process.platform} ${release()}`,
    node: process.version,
  };
}

/** Installed version of an npm package (from node_modules), or null when it is absent. */
export function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/**
 * First line `cmd args…` prints (stdout, else stderr: `nginx -v` and `java -version` write there),
 * or null when the tool is missing.
 */
export function toolVersion(cmd, args = ['--version']) {
  const run = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  if (run.error !== undefined) return null;
  const first = (text) =>
    String(text ?? '')
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? '';
  const line = first(run.stdout) || first(run.stderr);
  return line === '' ? null : line;
}

export function median(values) {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in 0..100) of a list of numbers; NaN for an empty list. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function round(value, digits = 2) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Writes bench/results/<name>.json: { name, command, startedAt, finishedAt, machine, versions,
 * parameters, runs, summary, targets }. `runs` holds every raw round, `summary` the medians and
 * ratios the report quotes, `targets` [{ label, value, limit, met }].
 */
export function writeResult(name, result) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  const doc = { name, machine: machineInfo(), finishedAt: new Date().toISOString(), ...result };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}
