/**
 * Scenario d, hostile input: one real runtime (BUS=kafka, its own topic) behind the real NGINX.
 * The corpus goes through NGINX, one case at a time; then the topic's record count must equal the
 * number of control cases (nothing hostile published), and a control case's record must carry the
 * request's bytes exactly (a case whose record differs gets a mismatch); then schemathesis fuzzes the runtime
 * directly from runtime/openapi.json. Every process is stopped, also on failure.
 */
import { createTopic, readTopic, topicRecordCount, uniqueTopic } from '../../../test/support/kafka';
import { startNginx, type RunningNginx } from '../../../test/support/nginx';
import { startRuntime, type RunningRuntime } from '../../../test/support/runtime';
import { hostileCorpus, type CorpusOptions, type HostileCase } from './corpus';
import { runCorpus, type CaseResult } from './run-corpus';
import { runSchemathesis, type SchemathesisResult } from './schemathesis';

export interface HostileOptions {
  readonly brokers: string[];
  readonly corpus?: CorpusOptions;
  /** Examples per operation for schemathesis; 0 skips it. @default 50 */
  readonly schemathesisExamples?: number;
}

export interface HostileReport {
  readonly cases: CaseResult[];
  readonly summary: {
    readonly cases: number;
    readonly asExpected: number;
    /** Cases whose answer differs from the contract. */
    readonly unexpected: number;
    readonly serverErrors: number;
    readonly byStatus: Record<string, number>;
    /** Records on the topic after the corpus, and how many control cases were sent. */
    readonly published: number;
    readonly controlCases: number;
    /** Published records beyond the control cases: hostile input that reached the broker. */
    readonly hostilePublished: number;
  };
  readonly schemathesis?: SchemathesisResult;
}

/** A case that must be published byte for byte gets a mismatch unless a record carries its bytes. */
async function checkPublishedBytes(
  brokers: string[],
  topic: string,
  published: number,
  corpus: readonly HostileCase[],
  results: CaseResult[],
): Promise<CaseResult[]> {
  const wanted = corpus.filter((c) => c.publishedBody !== undefined);
  if (wanted.length === 0) return results;
  const records = published === 0 ? [] : await readTopic(brokers, topic, published, 30_000);
  return results.map((result) => {
    const body = wanted.find((c) => c.name === result.name)?.publishedBody;
    if (body === undefined || records.some((r) => r.value === body.toString('utf8'))) return result;
    // The records' starts only: a hostile record can be a megabyte.
    const found = records.map((r) => JSON.stringify((r.value ?? '').slice(0, 300))).join(', ') || 'none';
    const mismatches = [
      ...result.mismatches,
      `no record on the topic carries the request's bytes (found: ${found})`,
    ];
    return { ...result, ok: false, mismatches };
  });
}

export async function runHostileScenario(options: HostileOptions): Promise<HostileReport> {
  const topic = uniqueTopic('faults-hostile');
  await createTopic(options.brokers, topic, 1);
  let runtime: RunningRuntime | undefined;
  let nginx: RunningNginx | undefined;
  try {
    runtime = await startRuntime({
      name: 'faults-hostile',
      kafka: { brokers: options.brokers, topic },
      env: { LOG_LEVEL: 'info' },
    });
    nginx = await startNginx({ upstreams: [runtime.address] });
    const corpus = hostileCorpus(options.corpus);
    const answered = await runCorpus(nginx.port, corpus);
    const published = await topicRecordCount(options.brokers, topic);
    const cases = await checkPublishedBytes(options.brokers, topic, published, corpus, answered);
    const controlCases = corpus.filter((c) => c.publishes === true).length;

    const byStatus: Record<string, number> = {};
    for (const result of cases) byStatus[String(result.status)] = (byStatus[String(result.status)] ?? 0) + 1;
    const failed = cases.filter((c) => !c.ok);
    const summary = {
      cases: cases.length,
      asExpected: cases.length - failed.length,
      unexpected: failed.length,
      // A 5xx the corpus expects (501 for an unimplemented transfer coding) is the contract, not an error.
      serverErrors: cases.filter((c) => c.status >= 500 && c.status !== c.expectStatus).length,
      byStatus,
      published,
      controlCases,
      hostilePublished: published - controlCases,
    };

    const examples = options.schemathesisExamples ?? 50;
    if (examples <= 0) return { cases, summary };
    const schemathesis = await runSchemathesis({
      baseUrl: `http://${runtime.address}`,
      maxExamples: examples,
    });
    return { cases, summary, schemathesis };
  } finally {
    await nginx?.stop();
    await runtime?.kill('SIGTERM');
  }
}
