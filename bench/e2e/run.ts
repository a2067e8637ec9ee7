/**
 * `npm run bench:e2e`: the whole local path, ours beside the seed's, under the same load.
 *   ours: NGINX → 2 runtimes (runtime/dist/server.js, Kafka, acks=all) → Kafka
 *   seed: NGINX → 2 uvicorn processes (bench/seed/app.py, kafka-python, acks='all', send awaited) → Kafka
 * Same NGINX template, same broker (the shared test broker), a topic each. Rounds alternate which
 * target goes first. Per round: (a) saturation (closed loop) → throughput, p50/p95/p99, answers by
 * status; then (b) open loop at 25/50/75 % of OUR median peak → p50/p95/p99 from scheduled send
 * times, answers by status. Afterwards every accepted correlationId is looked up on its topic.
 * Writes bench/results/e2e.json and prints a short summary. Load goes only to 127.0.0.1.
 *
 * Knobs: BENCH_ROUNDS (3), BENCH_SECONDS (10 per measure), BENCH_CONNECTIONS (128, saturation),
 * BENCH_RATES (0.25,0.5,0.75 of our peak), BENCH_WARMUP_SECONDS (3).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { nginxBinary } from '../../test/support/nginx';
import { startPath, type RunningPath } from '../../test/support/path';
import { median, packageVersion, ROOT, round as roundTo, toolVersion, writeResult } from '../lib/results';
import { cpuMs, withChildren } from './cpu';
import { OPEN_LOOP_MAX_IN_FLIGHT, openLoop, saturation, type LoadRun } from './load';
import { ensureSeedVenv, seedUpstream, seedVersions } from './seed';
import { summarize, type RoundRun, type TargetName } from './summary';
import { verifyOnTopic, type Verification } from './verify';

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer ${min}..${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

const ROUNDS = intEnv('BENCH_ROUNDS', 3, 1, 20);
const SECONDS = intEnv('BENCH_SECONDS', 10, 1, 120);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 128, 1, 500);
const WARMUP_SECONDS = intEnv('BENCH_WARMUP_SECONDS', 3, 0, 60);
const UPSTREAMS = 2;
const FRACTIONS = (process.env.BENCH_RATES ?? '0.25,0.5,0.75').split(',').map((part) => {
  const value = Number(part);
  if (!(value > 0 && value <= 2)) throw new Error(`BENCH_RATES entries must be in (0, 2], got ${part}`);
  return value;
});
const TARGETS: readonly TargetName[] = ['ours', 'seed'];

const log = (line: string): void => {
  process.stdout.write(`[bench:e2e] ${line}\n`);
};

function versions(seed: Record<string, string | null>): Record<string, unknown> {
  const pom = readFileSync(join(ROOT, 'test', 'kafka', 'pom.xml'), 'utf8');
  return {
    node: process.version,
    nginx: toolVersion(nginxBinary(), ['-v']),
    kafka: /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1] ?? null,
    kafkajs: packageVersion('kafkajs'),
    hono: packageVersion('hono'),
    autocannon: packageVersion('autocannon'),
    seed: seed,
  };
}

async function main(): Promise<number> {
  const startedAt = new Date().toISOString();
  // Other load moves every absolute figure: the 1-min load average before our stacks start (others'
  // load) and at the end (this run's included) is recorded so a reader can judge them.
  const loadAtStart = roundTo(loadavg()[0] ?? Number.NaN);
  ensureSeedVenv(log);
  const seedPackages = seedVersions();
  const stacks: Partial<Record<TargetName, RunningPath>> = {};
  const accepted: Record<TargetName, string[]> = { ours: [], seed: [] };
  const runs: RoundRun[] = [];
  const pids: Record<TargetName, number[]> = { ours: [], seed: [] };
  /** Runs one measure on a target, keeps its correlationIds and the CPU its processes used. */
  const measure = async (
    target: TargetName,
    round: number,
    load: () => Promise<LoadRun>,
    fraction?: number,
  ): Promise<RoundRun> => {
    const cpuBefore = cpuMs(pids[target]);
    const run = await load();
    const cpuUsed = cpuMs(pids[target]) - cpuBefore;
    accepted[target].push(...run.correlationIds);
    const { correlationIds: _ids, ...figures } = run;
    const cpuMsPerAccepted = roundTo(run.accepted === 0 ? Number.NaN : cpuUsed / run.accepted, 3);
    return { target, round, ...(fraction === undefined ? {} : { fraction }), ...figures, cpuMsPerAccepted };
  };
  try {
    log('starting ours (NGINX → 2 runtimes → Kafka) and the seed (NGINX → 2 uvicorn → Kafka)');
    stacks.ours = await startPath({ name: 'e2e-ours', upstreams: UPSTREAMS });
    stacks.seed = await startPath({ name: 'e2e-seed', upstreams: UPSTREAMS, upstreamCommand: seedUpstream });
    const port = (target: TargetName): number => (stacks[target] as RunningPath).nginxPort;
    for (const target of TARGETS) {
      const stack = stacks[target] as RunningPath;
      pids[target] = withChildren(
        [stack.nginx.process, ...stack.upstreams.map((u) => u.process)].flatMap((p) => p.pid ?? []),
      );
    }

    if (WARMUP_SECONDS > 0) {
      for (const target of TARGETS) {
        await measure(target, 0, () => saturation(port(target), WARMUP_SECONDS, CONNECTIONS));
      }
      log(`warmed up (${WARMUP_SECONDS} s each, not counted)`);
    }
    const orderOf = (round: number): readonly TargetName[] =>
      round % 2 === 1 ? TARGETS : [...TARGETS].reverse();

    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const target of orderOf(round)) {
        const run = await measure(target, round, () => saturation(port(target), SECONDS, CONNECTIONS));
        runs.push(run);
        log(
          `round ${round} saturation ${target}: ${run.acceptedPerSecond}/s, p99 ${run.latencyMs.p99} ms, CPU ${run.cpuMsPerAccepted} ms/webhook, ${JSON.stringify(run.byStatus)}`,
        );
      }
    }
    const ourPeak = median(
      runs.filter((r) => r.target === 'ours' && r.mode === 'saturation').map((r) => r.acceptedPerSecond),
    );
    const rates = FRACTIONS.map((fraction) => ({
      fraction,
      rate: Math.max(1, Math.round(fraction * ourPeak)),
    }));
    log(`our median peak ${ourPeak}/s → open-loop rates ${rates.map((r) => r.rate).join(', ')}/s`);

    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const { fraction, rate } of rates) {
        for (const target of orderOf(round)) {
          const load = () => openLoop({ port: port(target), ratePerSecond: rate, seconds: SECONDS });
          const run = await measure(target, round, load, fraction);
          runs.push(run);
          log(
            `round ${round} open ${rate}/s ${target}: p50 ${run.latencyMs.p50} p99 ${run.latencyMs.p99} ms, ${JSON.stringify(run.byStatus)}`,
          );
        }
      }
    }

    const verification: Partial<Record<TargetName, Verification>> = {};
    for (const target of TARGETS) {
      const stack = stacks[target] as RunningPath;
      verification[target] = await verifyOnTopic(stack.brokers, stack.topic, accepted[target]);
      log(`${target}: ${JSON.stringify(verification[target])}`);
    }
    const { summary, targets, lines } = summarize(runs, verification as Record<TargetName, Verification>);
    const file = writeResult('e2e', {
      command: `BENCH_ROUNDS=${ROUNDS} BENCH_SECONDS=${SECONDS} BENCH_CONNECTIONS=${CONNECTIONS} npm run bench:e2e`,
      startedAt,
      versions: versions(seedPackages),
      parameters: {
        rounds: ROUNDS,
        secondsPerMeasure: SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        saturationConnections: CONNECTIONS,
        upstreamsPerTarget: UPSTREAMS,
        openLoopFractionsOfOurPeak: FRACTIONS,
        openLoopRates: rates,
        openLoopMaxInFlight: OPEN_LOOP_MAX_IN_FLIGHT,
        requestTimeoutMs: 10_000,
        kafkaAcks: 'all',
        topicPartitions: 3,
        loadAverage1m: { atStart: loadAtStart, atEnd: roundTo(loadavg()[0] ?? Number.NaN) },
        nginx: 'nginx/nginx.conf.template, 1 worker, per-client rate limit lifted (one load client)',
        notes: [
          'saturation = closed loop (autocannon); open loop latency is measured from each request’s scheduled send time',
          'accepted = 2xx with a correlationId (ours answers 202, the seed 200, as in the seed document)',
          'topicRecords − accepted: requests still in flight when a closed-loop run stopped (autocannon drops their answers) are on the topic without a counted answer; at most `connections` per saturation run',
        ],
      },
      runs,
      summary: { ...summary, verification },
      targets,
    });
    for (const line of lines) log(line);
    log(`wrote ${file}`);
    const lost = TARGETS.reduce((sum, t) => sum + (verification[t]?.missing ?? 0), 0);
    return lost === 0 ? 0 : 1;
  } finally {
    for (const target of TARGETS) await stacks[target]?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `[bench:e2e] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
