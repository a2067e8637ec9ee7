// Types of results.mjs, for bench entry points written in TypeScript. They load it with
// `await import('../lib/results.mjs')` (CommonJS TypeScript cannot import an ES module statically);
// bench/lib/run-ts.mjs keeps that import external so import.meta.url still names the real file
// (results.mjs also finds the repository root when bundled into CommonJS, from the working directory).
export declare const ROOT: string;
export declare const RESULTS_DIR: string;
export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  node: string;
}
export declare function machineInfo(): MachineInfo;
export declare function packageVersion(name: string): string | null;
export declare function toolVersion(cmd: string, args?: string[]): string | null;
export declare function median(values: readonly number[]): number;
export declare function percentile(values: readonly number[], p: number): number;
export declare function round(value: number, digits?: number): number;
/** One target a measure is held to; `met` is computed by the bench, never typed in. */
export interface Target {
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
  targets: Target[];
}
export type ResultTarget = Target;
export declare function writeResult(name: string, result: BenchResult): string;
