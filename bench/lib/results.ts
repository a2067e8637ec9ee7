/**
 * Shared by every bench/ script: the machine and versions a figure was taken on, small statistics,
 * and one JSON file per measure under bench/results/ (read by the report in bench/report/).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** The machine a run was taken on: what a reader needs to judge the absolute figures. */
export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  node: string;
}

/** One target a measure is held to; `met` is computed by the bench, never typed in. */
export interface ResultTarget {
  label: string;
  /** null when the figure could not be measured (then `met` is false). */
  value: number | null;
  /** The bound: a number, or its human form such as `>= 5` or `<= 25`. */
  limit: number | string;
  met: boolean;
}

export interface BenchResult {
  command: string;
  startedAt: string;
  versions: Record<string, unknown>;
  parameters: Record<string, unknown>;
  /** Every raw round (usually an array; a measure may group them in an object). */
  runs: unknown;
  summary: Record<string, unknown>;
  targets: ResultTarget[];
}

export function machineInfo(): MachineInfo {
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
export function packageVersion(name: string): string | null {
  try {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return manifest.version ?? null;
  } catch {
    return null;
  }
}

/**
 * First line `cmd args…` prints (stdout, else stderr: `nginx -v` and `java -version` write there),
 * or null when the tool is missing.
 */
export function toolVersion(cmd: string, args: readonly string[] = ['--version']): string | null {
  const run = spawnSync(cmd, [...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  if (run.error !== undefined) return null;
  const first = (text: string | null): string =>
    (text ?? '')
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? '';
  const line = first(run.stdout) || first(run.stderr);
  return line === '' ? null : line;
}

/** Nearest-rank percentile (p in 0..100) of a list of numbers; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Writes bench/results/<name>.json: { name, command, startedAt, finishedAt, machine, versions,
 * parameters, runs, summary, targets }. `runs` holds every raw round, `summary` the medians and
 * ratios the report quotes, `targets` [{ label, value, limit, met }].
 */
export function writeResult(name: string, result: BenchResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  const doc = { name, machine: machineInfo(), finishedAt: new Date().toISOString(), ...result };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}
