/**
 * Runs schemathesis (PyPI, pinned in requirements-dev.txt; CI installs it into .venv) against
 * runtime/openapi.json and a live runtime, with every check but one, a fixed seed and a bounded
 * number of examples per operation, and returns its JSON report's counts.
 *
 * Scope: the real operations (those with an operationId). The document also lists GET/PUT/
 * PATCH/DELETE /webhook and POST /healthz|/readyz as operations that answer only 405; schemathesis
 * reads those as supported methods, so `positive_data_acceptance` (ST202) and
 * `allow_header_conformance` (ST205, "Allow: POST is missing GET, PUT…") flag the document, not the
 * runtime. The first is avoided by the operation filter; the second is excluded by name and
 * reported (see EXCLUDED_CHECKS).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const OPENAPI = join(ROOT, 'runtime', 'openapi.json');

export const EXCLUDED_CHECKS: Record<string, string> = {
  allow_header_conformance:
    'runtime/openapi.json documents the 405 answers as operations, so the Allow header (the methods really served) never matches the documented method list',
};

export interface SchemathesisOptions {
  readonly baseUrl: string;
  /** Examples per operation and phase. @default 50 */
  readonly maxExamples?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Kill it after this long. @default 120000 */
  readonly timeoutMs?: number;
}

export interface SchemathesisResult {
  readonly version: string;
  readonly command: string;
  readonly exitCode: number;
  readonly operationsTested: number;
  readonly testCases: number;
  readonly failures: Array<{ code: string; title: string; count: number; operations: string[] }>;
  readonly errors: number;
  /** Failures of the `not_a_server_error` check (any 5xx). */
  readonly serverErrors: number;
  readonly excludedChecks: Record<string, string>;
  readonly durationMs: number;
}

/** SCHEMATHESIS_BIN, else the repository's .venv (what CI installs), else `schemathesis` on PATH. */
export function schemathesisBinary(): string {
  if (process.env.SCHEMATHESIS_BIN) return process.env.SCHEMATHESIS_BIN;
  const venv = join(ROOT, '.venv', 'bin', 'schemathesis');
  return existsSync(venv) ? venv : 'schemathesis';
}

interface JsonReport {
  schemathesis_version: string;
  command: string;
  exit_code: number;
  operations: { tested: number };
  test_cases: { generated: number };
  failures: Array<{ type: string; code: string; title: string; count: number; operations: string[] }>;
  errors: unknown[];
}

export async function runSchemathesis(options: SchemathesisOptions): Promise<SchemathesisResult> {
  const dir = mkdtempSync(join(tmpdir(), 'faults-schemathesis-'));
  const reportPath = join(dir, 'report.json');
  const args = [
    'run',
    OPENAPI,
    '--url',
    options.baseUrl,
    '--checks',
    'all',
    '--exclude-checks',
    Object.keys(EXCLUDED_CHECKS).join(','),
    '--include-operation-id-regex',
    '.',
    '--max-examples',
    String(options.maxExamples ?? 50),
    '--seed',
    String(options.seed ?? 1),
    '--workers',
    '1',
    '--request-timeout',
    '10',
    '--report',
    'json',
    '--report-json-path',
    reportPath,
  ];
  const started = performance.now();
  try {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolveRun, reject) => {
      const child = spawn(schemathesisBinary(), args, {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(
          new Error(
            `could not run ${schemathesisBinary()}: ${error.message} (pip install -r requirements-dev.txt)`,
          ),
        );
      });
      child.once('exit', (exitCode, signal) => {
        clearTimeout(timer);
        resolveRun({ code: exitCode ?? (signal === null ? 1 : 128), output });
      });
    });
    if (!existsSync(reportPath)) {
      throw new Error(`schemathesis wrote no report (exit ${code}):\n${output.slice(-4000)}`);
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as JsonReport;
    const failures = report.failures.map((f) => ({
      code: f.code,
      title: f.title,
      count: f.count,
      operations: f.operations,
    }));
    return {
      version: report.schemathesis_version,
      command: `schemathesis ${args.join(' ').replace(reportPath, '<report.json>')}`,
      exitCode: report.exit_code,
      operationsTested: report.operations.tested,
      testCases: report.test_cases.generated,
      failures,
      errors: report.errors.length,
      serverErrors: report.failures
        .filter((f) => f.type === 'ServerError' || /server error/i.test(f.title))
        .reduce((sum, f) => sum + f.count, 0),
      excludedChecks: EXCLUDED_CHECKS,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
