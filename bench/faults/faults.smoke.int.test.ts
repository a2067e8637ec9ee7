/**
 * CI's short version of `npm run faults` (the full run is the npm script): real NGINX, real
 * runtimes (runtime/dist/server.js), real Kafka. b and c under a few hundred requests each with
 * the full accepted-vs-found check against the topic; d's corpus through NGINX with the exact
 * statuses; schemathesis with a bounded example count. A 202 missing from the topic fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureKafka } from '../../test/support/kafka';
import { hostileCorpus } from './hostile/corpus';
import { runHostileScenario, type HostileReport } from './hostile/scenario';
import type { ScenarioReport } from './scenarios/harness';
import { rollingRestartScenario } from './scenarios/rolling-restart';
import { runtimeKillScenario } from './scenarios/runtime-kill';

jest.setTimeout(240_000);

const SMOKE_LOAD = { ratePerSecond: 100, durationMs: 3000 };

let brokers: string[];
beforeAll(async () => {
  ({ brokers } = await ensureKafka());
});

function expectEveryAcceptedOnTheTopic(report: ScenarioReport): void {
  const t = report.tally;
  // The load ran at least its planned length, every request sent (none held back by the client).
  expect(t.sent).toBeGreaterThanOrEqual((SMOKE_LOAD.ratePerSecond * SMOKE_LOAD.durationMs) / 1000);
  expect(t.accepted).toBeGreaterThan(0);
  expect(t.missingExamples).toEqual([]);
  expect(t.missing).toBe(0);
  expect(t.found).toBe(t.accepted);
  // Whatever was not accepted was refused with a retryable 503 (or lost in transit), never a 2xx
  // other than 202 and never a 4xx: the senders must retry it.
  for (const status of Object.keys(t.nonAcceptedByStatus)) expect(['0', '503']).toContain(status);
}

/** The real operations of runtime/openapi.json: those with an operationId (schemathesis.ts's scope). */
function openApiOperations(): number {
  const doc = JSON.parse(readFileSync(join(__dirname, '..', '..', 'runtime', 'openapi.json'), 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  return Object.values(doc.paths).reduce(
    (n, ops) => n + Object.values(ops).filter((op) => op.operationId !== undefined).length,
    0,
  );
}

describe('fault injection, short version (bench/faults)', () => {
  it('b: one of two runtimes SIGKILLed under load — every 202 is on the topic, no webhook twice', async () => {
    const report = await runtimeKillScenario(SMOKE_LOAD);
    expectEveryAcceptedOnTheTopic(report);
    expect(report.tally.duplicateWebhooks).toBe(0);
    expect(report.tally.duplicateCorrelationIds).toBe(0);
    // The survivor keeps accepting after the kill.
    expect(report.tally.resumeAfterFaultEndMs).not.toBeNull();
  });

  it('c: rolling restart (SIGTERM, restart on the same address) under load — every 202 is on the topic', async () => {
    const report = await rollingRestartScenario(SMOKE_LOAD);
    expectEveryAcceptedOnTheTopic(report);
    expect(report.tally.duplicateWebhooks).toBe(0);
    // Both runtimes drained and exited cleanly (exit code 0) before their restart.
    const exits = report.events.filter((e) => / exited /.test(e.what)).map((e) => e.what);
    expect(exits).toEqual([expect.stringContaining('(code 0)'), expect.stringContaining('(code 0)')]);
  });

  describe('d: hostile input through NGINX', () => {
    let report: HostileReport;
    const corpus = hostileCorpus();

    beforeAll(async () => {
      report = await runHostileScenario({ brokers, schemathesisExamples: 20 });
    });

    const result = (name: string) => {
      const found = report.cases.find((c) => c.name === name);
      if (found === undefined) throw new Error(`no result for case "${name}"`);
      return found;
    };

    const expected = (c: (typeof corpus)[number]) =>
      c.expectStatus === 0 ? 'connection closed without an answer' : `${c.expectStatus} from ${c.answeredBy}`;
    it.each(corpus.map((c) => [c.name, expected(c)] as const))('%s → %s', (name) => {
      expect(result(name).mismatches).toEqual([]);
    });

    // 501 for a transfer coding NGINX does not implement is the answer HTTP asks for (RFC 9112
    // §6.1), not a failure: only a 5xx the corpus does not expect counts.
    it('answers no corpus case with an unexpected 5xx', () => {
      expect(
        report.cases.filter((c) => c.status >= 500 && c.status !== c.expectStatus).map((c) => c.name),
      ).toEqual([]);
      expect(corpus.filter((c) => c.expectStatus >= 500).map((c) => c.expectStatus)).toEqual([501]);
    });

    it('publishes the control case and no hostile request at all', () => {
      expect(report.summary.controlCases).toBe(1);
      expect(report.summary.published).toBe(1);
      expect(report.summary.hostilePublished).toBe(0);
    });

    it('schemathesis against runtime/openapi.json finds no 5xx and no non-conforming response', () => {
      const st = report.schemathesis;
      expect(st).toBeDefined();
      // Every real operation of the document is exercised (POST /webhook, POST /webhooks/{source}, the probes…).
      expect(st?.operationsTested).toBe(openApiOperations());
      expect(st?.testCases).toBeGreaterThan(40);
      expect(st?.failures).toEqual([]);
      expect(st?.errors).toBe(0);
    });
  });
});
