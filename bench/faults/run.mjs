// npm run faults — fault injection (issue 6): a broker outage, a runtime SIGKILLed, a rolling
// restart (SIGTERM), each under steady open-loop load through the real NGINX to real runtimes on a
// real Kafka, every 202 read back from the topic; and hostile input (a corpus through NGINX and
// schemathesis against runtime/openapi.json). Loopback only, bounded in time and count.
//
// Environment (all optional):
//   FAULTS_SCENARIOS  comma list of a,b,c,d                       (default a,b,c,d)
//   FAULTS_SHORT=1    a quick pass: 1 round, 100 req/s, 8 s load, 4 s outage, 20 examples
//   FAULTS_ROUNDS     rounds of a–c, alternating                  (default 3)
//   FAULTS_RATE       requests/s                                  (default 200)
//   FAULTS_DURATION_MS  load per scenario, at least               (default 30000)
//   FAULTS_OUTAGE_MS  how long the broker stays dead in a         (default 10000)
//   FAULTS_SCHEMATHESIS_EXAMPLES  per operation; 0 skips it       (default 50)
// Needs runtime/dist/server.js (the npm script builds it), nginx, java (Kafka), and schemathesis
// (.venv from requirements-dev.txt, or SCHEMATHESIS_BIN). Writes bench/results/faults.json; exits
// 1 when a target is missed (an accepted webhook missing, a hostile request published, a 5xx…).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { packageVersion, writeResult } from '../lib/results.mjs';

const here = dirname(fileURLToPath(import.meta.url));
/** First non-empty line a tool prints about its version (nginx and java print it on stderr). */
const versionOf = (cmd, args) => {
  const run = spawnSync(cmd, args, { encoding: 'utf8' });
  if (run.error) return null;
  return (
    `${run.stdout ?? ''}\n${run.stderr ?? ''}`
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? null
  );
};
const root = join(here, '..', '..');
const startedAt = new Date().toISOString();

const short = process.env.FAULTS_SHORT === '1';
const num = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`${name} must be a non-negative number (got '${raw}')`);
    process.exit(2);
  }
  return value;
};
const scenarios = (process.env.FAULTS_SCENARIOS ?? 'a,b,c,d')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = scenarios.filter((s) => !['a', 'b', 'c', 'd'].includes(s));
if (unknown.length > 0) {
  console.error(`FAULTS_SCENARIOS: unknown scenario(s) ${unknown.join(', ')}; allowed a, b, c, d`);
  process.exit(2);
}
const parameters = {
  scenarios,
  rounds: num('FAULTS_ROUNDS', short ? 1 : 3),
  ratePerSecond: num('FAULTS_RATE', short ? 100 : 200),
  durationMs: num('FAULTS_DURATION_MS', short ? 8000 : 30_000),
  outageMs: num('FAULTS_OUTAGE_MS', short ? 4000 : 10_000),
  schemathesisExamples: num('FAULTS_SCHEMATHESIS_EXAMPLES', short ? 20 : 50),
};

// Bundle the TypeScript suite. Each module keeps its own __dirname (the support code finds
// nginx/, runtime/dist and test/kafka/kafka.sh relative to its own file, not to the bundle).
const keepDirname = {
  name: 'keep-dirname',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: `const __dirname = ${JSON.stringify(dirname(args.path))};\n${await readFile(args.path, 'utf8')}`,
      loader: 'ts',
    }));
  },
};
const outfile = join(root, '.tmp', 'faults', 'suite.cjs');
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(here, 'suite.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  logLevel: 'warning',
  plugins: [keepDirname],
});
const { runFaultSuite } = createRequire(import.meta.url)(outfile);

const result = await runFaultSuite({ ...parameters, log: (line) => console.log(line) });

const file = writeResult('faults', {
  command: `${short ? 'FAULTS_SHORT=1 ' : ''}npm run faults`,
  startedAt,
  versions: {
    nginx: versionOf('nginx', ['-v']),
    java: versionOf('java', ['-version']),
    schemathesis: result.hostile?.schemathesis?.version ?? null,
    kafkajs: packageVersion('kafkajs'),
    hono: packageVersion('hono'),
    '@hono/node-server': packageVersion('@hono/node-server'),
  },
  parameters,
  runs: { load: result.runs, hostile: result.hostile ?? null },
  summary: result.summary,
  targets: result.targets,
});

// --- human summary ---
console.log('\nFault injection — accepted vs found on the topic');
console.log(
  'scen  rounds     sent  accepted    found  MISSING  dup  pub-no-202  non-2xx (status/answerer)               recovery  resume  fail-window',
);
for (const s of result.summary.load) {
  const ms = (v) => (v === null ? '-' : `${v} ms`);
  console.log(
    `${s.scenario.padEnd(4)}  ${String(s.rounds).padStart(6)}  ${String(s.sent).padStart(7)}  ${String(s.accepted).padStart(8)}  ${String(s.found).padStart(7)}  ${String(s.missing).padStart(7)}  ${String(s.duplicateCorrelationIds + s.duplicateWebhooks).padStart(3)}  ${String(s.publishedWithout202).padStart(10)}  ${JSON.stringify(s.nonAcceptedBySource).padEnd(40)}  ${ms(s.medianRecoveryMs).padStart(8)}  ${ms(s.medianResumeAfterFaultEndMs).padStart(6)}  ${ms(s.medianFailureWindowMs).padStart(8)}`,
  );
}
if (result.hostile) {
  const h = result.hostile.summary;
  console.log(
    `\nHostile input: ${h.cases} corpus cases through NGINX, ${h.asExpected} with the contract status; 5xx ${h.serverErrors}; statuses ${JSON.stringify(h.byStatus)}; published ${h.published} (control ${h.controlCases}, hostile ${h.hostilePublished})`,
  );
  for (const c of result.hostile.cases.filter((x) => !x.ok)) {
    console.log(`  ✗ ${c.name}: ${c.mismatches.join('; ')}`);
  }
  const st = result.hostile.schemathesis;
  if (st) {
    console.log(
      `schemathesis ${st.version}: ${st.testCases} test cases over ${st.operationsTested} operations, failures ${st.failures.reduce((n, f) => n + f.count, 0)}, 5xx ${st.serverErrors}, errors ${st.errors} (excluded: ${Object.keys(st.excludedChecks).join(', ')})`,
    );
    for (const f of st.failures)
      console.log(`  ✗ ${f.code} ${f.title} ×${f.count}: ${f.operations.join(', ')}`);
  }
}
console.log('\nTargets:');
for (const t of result.targets)
  console.log(`  ${t.met ? '✓' : '✗'} ${t.label}: ${t.value} (limit ${t.limit})`);
console.log(`\nresults: ${file}`);
process.exitCode = result.targets.every((t) => t.met) ? 0 : 1;
