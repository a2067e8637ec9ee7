/**
 * Sends every corpus case to a port (NGINX in front of a runtime) one after the other and judges
 * each answer: the exact status, who answered (a runtime answer carries X-Correlation-Id, an NGINX
 * one never does), and an RFC 9457 body where the case wants one.
 */
import type { HostileCase } from './corpus';
import { rawExchange } from './raw-http';

export interface CaseResult {
  readonly name: string;
  readonly category: HostileCase['category'];
  /** 0: the connection must close without an HTTP answer. */
  readonly expectStatus: number;
  /** 0 when no HTTP answer came back. */
  readonly status: number;
  readonly answeredBy: 'nginx' | 'runtime' | 'none';
  readonly problemJson: boolean;
  /** Status, answerer and body shape all as expected. */
  readonly ok: boolean;
  /** Why `ok` is false (empty when ok). */
  readonly mismatches: string[];
  readonly durationMs: number;
}

function isProblem(status: number, contentType: string | undefined, body: string): boolean {
  if (!/^application\/problem\+json/i.test(contentType ?? '')) return false;
  try {
    const doc = JSON.parse(body) as { status?: unknown; title?: unknown; type?: unknown };
    return doc.status === status && typeof doc.title === 'string' && typeof doc.type === 'string';
  } catch {
    return false;
  }
}

export async function runCase(port: number, testCase: HostileCase): Promise<CaseResult> {
  const started = performance.now();
  let status = 0;
  let answeredBy: CaseResult['answeredBy'] = 'none';
  let problemJson = false;
  const mismatches: string[] = [];
  try {
    const response = await rawExchange(port, testCase.request);
    status = response.status;
    answeredBy = response.headers['x-correlation-id'] === undefined ? 'nginx' : 'runtime';
    problemJson = isProblem(status, response.headers['content-type'], response.body);
  } catch (error) {
    if (testCase.expectStatus !== 0) mismatches.push(`no answer: ${(error as Error).message}`);
  }
  if (status !== testCase.expectStatus)
    mismatches.push(`status ${status}, expected ${testCase.expectStatus}`);
  if (status !== 0 && answeredBy !== testCase.answeredBy) {
    mismatches.push(`answered by ${answeredBy}, expected ${testCase.answeredBy}`);
  }
  if (status !== 0 && testCase.problemJson && !problemJson)
    mismatches.push('not an RFC 9457 problem document');
  return {
    name: testCase.name,
    category: testCase.category,
    expectStatus: testCase.expectStatus,
    status,
    answeredBy,
    problemJson,
    ok: mismatches.length === 0,
    mismatches,
    durationMs: Math.round(performance.now() - started),
  };
}

/** Runs the cases in order (never concurrently: the answers must not depend on each other). */
export async function runCorpus(port: number, cases: readonly HostileCase[]): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const testCase of cases) results.push(await runCase(port, testCase));
  return results;
}
