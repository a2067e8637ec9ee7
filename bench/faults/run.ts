/**
 * `npm run faults` — fault injection (issue 6): a broker outage, a runtime SIGKILLed, a rolling
 * restart (SIGTERM), each under steady open-loop load through the real NGINX to real runtimes on a
 * real Kafka, every 202 read back from the topic; and hostile input (a corpus through NGINX and
 * schemathesis against runtime/openapi.json). Loopback only, bounded in time and count.
 *
 * Environment (all optional):
 *   FAULTS_SCENARIOS  comma list of a,b,c,d                       (default a,b,c,d)
 *   FAULTS_SHORT=1    a quick pass: 1 round, 100 req/s, 8 s load, 4 s outage, 20 examples
 *   FAULTS_ROUNDS     rounds of a–c, alternating                  (default 3)
 *   FAULTS_RATE       requests/s                                  (default 200)
 *   FAULTS_DURATION_MS  load per scenario, at least               (default 30000)
 *   FAULTS_OUTAGE_MS  how long the broker stays dead in a         (default 10000)
 *   FAULTS_SCHEMATHESIS_EXAMPLES  per operation; 0 skips it       (default 50)
 * Needs runtime/dist/server.js (the npm script builds it), nginx, java (Kafka), and schemathesis
 * (.venv from requirements-dev.txt, or SCHEMATHESIS_BIN). Writes bench/results/faults.json; exits
 * 1 when a target is missed (an accepted webhook missing, a hostile request published, a 5xx…).
 */
import { packageVersion, toolVersion, writeResult } from '../lib/results';
import { runFaultSuite, SCENARIOS, type ScenarioId } from './suite';

const USAGE = `usage: [FAULTS_SCENARIOS=a,b,c,d] [FAULTS_SHORT=1] [FAULTS_ROUNDS=n] [FAULTS_RATE=n]
  [FAULTS_DURATION_MS=n] [FAULTS_OUTAGE_MS=n] [FAULTS_SCHEMATHESIS_EXAMPLES=n] npm run faults
(see bench/faults/README.md)`;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Thrown for a bad knob: printed with the usage, exit 2. */
class UsageError extends Error {}

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new UsageError(`${name} must be a non-negative number (got '${raw}')`);
  return value;
}

function scenarioList(): ScenarioId[] {
  const listed = (process.env.FAULTS_SCENARIOS ?? SCENARIOS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = listed.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new UsageError(
      `FAULTS_SCENARIOS: unknown scenario(s) ${unknown.join(', ')}; allowed ${SCENARIOS.join(', ')}`,
    );
  }
  return listed as ScenarioId[];
}

const ms = (v: number | null): string => (v === null ? '-' : `${v} ms`);

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    say(USAGE);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const short = process.env.FAULTS_SHORT === '1';
  const parameters = {
    scenarios: scenarioList(),
    rounds: num('FAULTS_ROUNDS', short ? 1 : 3),
    ratePerSecond: num('FAULTS_RATE', short ? 100 : 200),
    durationMs: num('FAULTS_DURATION_MS', short ? 8000 : 30_000),
    outageMs: num('FAULTS_OUTAGE_MS', short ? 4000 : 10_000),
    schemathesisExamples: num('FAULTS_SCHEMATHESIS_EXAMPLES', short ? 20 : 50),
  };
  const result = await runFaultSuite({ ...parameters, log: say });

  const file = writeResult('faults', {
    command: `${short ? 'FAULTS_SHORT=1 ' : ''}npm run faults`,
    startedAt,
    versions: {
      nginx: toolVersion('nginx', ['-v']),
      java: toolVersion('java', ['-version']),
      schemathesis: result.hostile?.schemathesis?.version ?? null,
      kafkajs: packageVersion('kafkajs'),
      hono: packageVersion('hono'),
      '@hono/node-server': packageVersion('@hono/node-server'),
    },
    parameters,
    runs: { load: result.runs, hostile: result.hostile ?? null },
    summary: { ...result.summary },
    targets: result.targets,
  });

  // --- human summary ---
  say('\nFault injection — accepted vs found on the topic');
  say(
    'scen  rounds     sent  accepted    found  MISSING  dup  pub-no-202  non-2xx (status/answerer)               recovery  resume  fail-window',
  );
  for (const s of result.summary.load) {
    say(
      `${s.scenario.padEnd(4)}  ${String(s.rounds).padStart(6)}  ${String(s.sent).padStart(7)}  ${String(s.accepted).padStart(8)}  ${String(s.found).padStart(7)}  ${String(s.missing).padStart(7)}  ${String(s.duplicateCorrelationIds + s.duplicateWebhooks).padStart(3)}  ${String(s.publishedWithout202).padStart(10)}  ${JSON.stringify(s.nonAcceptedBySource).padEnd(40)}  ${ms(s.medianRecoveryMs).padStart(8)}  ${ms(s.medianResumeAfterFaultEndMs).padStart(6)}  ${ms(s.medianFailureWindowMs).padStart(8)}`,
    );
  }
  if (result.hostile) {
    const h = result.hostile.summary;
    say(
      `\nHostile input: ${h.cases} corpus cases through NGINX, ${h.asExpected} with the contract status; 5xx ${h.serverErrors}; statuses ${JSON.stringify(h.byStatus)}; published ${h.published} (control ${h.controlCases}, hostile ${h.hostilePublished})`,
    );
    for (const c of result.hostile.cases.filter((x) => !x.ok))
      say(`  ✗ ${c.name}: ${c.mismatches.join('; ')}`);
    const st = result.hostile.schemathesis;
    if (st) {
      say(
        `schemathesis ${st.version}: ${st.testCases} test cases over ${st.operationsTested} operations, failures ${st.failures.reduce((n, f) => n + f.count, 0)}, 5xx ${st.serverErrors}, errors ${st.errors} (excluded: ${Object.keys(st.excludedChecks).join(', ')})`,
      );
      for (const f of st.failures) say(`  ✗ ${f.code} ${f.title} ×${f.count}: ${f.operations.join(', ')}`);
    }
  }
  say('\nTargets:');
  for (const t of result.targets) say(`  ${t.met ? '✓' : '✗'} ${t.label}: ${t.value} (limit ${t.limit})`);
  say(`\nresults: ${file}`);
  return result.targets.every((t) => t.met) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(
      `faults: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
