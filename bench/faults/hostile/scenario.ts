/**
 * Scenario d, hostile input: one real runtime (BUS=kafka, its own topic) behind the real NGINX.
 * The corpus goes through NGINX, one case at a time; then the topic's record count must equal the
 * number of control cases (nothing hostile published); then schemathesis fuzzes the runtime
 * directly from runtime/openapi.json. Every process is stopped, also on failure.
 */
import { startNginx, type RunningNginx } from '../../../nginx/test/support/nginx-process';
import { startRuntime, type RunningRuntime } from '../../../nginx/test/support/runtime-process';
import { uniqueTopic } from '../../../test/kafka/ensure-kafka';
import { createTopic } from '../../../test/kafka/topic';
import { topicRecordCount } from '../topic-count';
import { hostileCorpus, type CorpusOptions } from './corpus';
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

export async function runHostileScenario(options: HostileOptions): Promise<HostileReport> {
  const topic = uniqueTopic('faults-hostile');
  await createTopic(options.brokers, topic, 1);
  let runtime: RunningRuntime | undefined;
  let nginx: RunningNginx | undefined;
  try {
    runtime = await startRuntime({
      name: 'faults-hostile',
      brokers: options.brokers,
      topic,
      env: { LOG_LEVEL: 'info' },
    });
    nginx = await startNginx({ upstreams: [runtime.address] });
    const corpus = hostileCorpus(options.corpus);
    const cases = await runCorpus(nginx.port, corpus);
    const published = await topicRecordCount(options.brokers, topic);
    const controlCases = corpus.filter((c) => c.publishes === true).length;

    const byStatus: Record<string, number> = {};
    for (const result of cases) byStatus[String(result.status)] = (byStatus[String(result.status)] ?? 0) + 1;
    const failed = cases.filter((c) => !c.ok);
    const summary = {
      cases: cases.length,
      asExpected: cases.length - failed.length,
      unexpected: failed.length,
      serverErrors: cases.filter((c) => c.status >= 500).length,
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
