/**
 * `npm run bench:servicebus`: batching efficiency, latency and throughput of the runtime's Service
 * Bus publish path against the AMQP TEST PEER (not Azure: its latency is loopback latency), at
 * several numbers of in-flight publishes, batched (the runtime's defaults) beside unbatched (one
 * message per send), alternating, >= 3 rounds, medians. Loopback only; bounded in count.
 *   BENCH_ROUNDS (default 3), BENCH_SB_MESSAGES per run (default 2000),
 *   BENCH_SB_CONCURRENCY (default 1,10,50,200).
 * The peer runs in a process of its own (test/support/servicebus.ts). Writes
 * bench/results/servicebus.json (bench/lib/results.ts) and prints a table.
 */
import { startServiceBusPeerProcess } from '../../test/support/servicebus';
import { median, packageVersion, round, writeResult } from '../lib/results';
import { benchMessage, measureRun, type RunResult, type Variant } from './measure';

const ENTITY = 'webhooks';
const VARIANTS: readonly Variant[] = ['batched', 'unbatched'];

function intList(value: string | undefined, fallback: number[]): number[] {
  if (value === undefined || value === '') return fallback;
  const list = value.split(',').map((v) => Number(v.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 1 || n > 1000)) {
    throw new RangeError(`BENCH_SB_CONCURRENCY must list integers from 1 to 1000, received "${value}"`);
  }
  return list;
}

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, received "${raw}"`);
  }
  return value;
}

async function main(): Promise<void> {
  const rounds = intEnv('BENCH_ROUNDS', 3, 1, 50);
  const messages = intEnv('BENCH_SB_MESSAGES', 2000, 50, 100_000);
  const concurrencies = intList(process.env.BENCH_SB_CONCURRENCY, [1, 10, 50, 200]);
  const startedAt = new Date().toISOString();
  const runs: Array<RunResult & { round: number }> = [];
  for (let round = 1; round <= rounds; round += 1) {
    // A fresh peer per round: its records stay bounded.
    const peer = await startServiceBusPeerProcess([ENTITY]);
    try {
      for (const concurrency of concurrencies) {
        const order = (round + concurrency) % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
        for (const variant of order) {
          const run = await measureRun({
            variant,
            concurrency,
            messages,
            connectionString: peer.connectionString,
            entity: ENTITY,
            peerStats: peer.stats,
          });
          runs.push({ round, ...run });
          process.stdout.write(
            `round ${round} ${variant.padEnd(9)} in-flight ${String(concurrency).padStart(3)}: ` +
              `${run.messagesPerRoundTrip.toFixed(1)} msg/round trip, ${Math.round(run.throughputPerSecond)} msg/s, ` +
              `p50 ${run.latencyP50Ms.toFixed(2)} ms, p99 ${run.latencyP99Ms.toFixed(2)} ms, failures ${run.failures}\n`,
          );
        }
      }
    } finally {
      await peer.close();
    }
  }

  const pick = (variant: Variant, concurrency: number) =>
    runs.filter((r) => r.variant === variant && r.concurrency === concurrency);
  const byConcurrency = concurrencies.map((concurrency) => {
    const med = (variant: Variant, key: keyof RunResult) =>
      median(pick(variant, concurrency).map((r) => Number(r[key])));
    const row = (variant: Variant) => ({
      messagesPerRoundTrip: round(med(variant, 'messagesPerRoundTrip'), 1),
      throughputPerSecond: Math.round(med(variant, 'throughputPerSecond')),
      latencyP50Ms: round(med(variant, 'latencyP50Ms'), 2),
      latencyP99Ms: round(med(variant, 'latencyP99Ms'), 2),
    });
    const batched = row('batched');
    const unbatched = row('unbatched');
    return {
      concurrency,
      batched,
      unbatched,
      throughputRatio: round(batched.throughputPerSecond / unbatched.throughputPerSecond, 2),
      roundTripRatio: round(batched.messagesPerRoundTrip / unbatched.messagesPerRoundTrip, 1),
    };
  });
  const failures = runs.reduce((sum, r) => sum + r.failures, 0);
  const lost = runs.reduce((sum, r) => sum + Math.max(0, r.messages - r.failures - r.peerMessages), 0);
  const top = byConcurrency.find((c) => c.concurrency === Math.max(...concurrencies));
  const targets = [
    { label: 'failed publishes (all runs)', value: failures, limit: '= 0', met: failures === 0 },
    { label: 'acknowledged but not held by the peer', value: lost, limit: '= 0', met: lost === 0 },
    {
      label: `messages per round trip at ${top?.concurrency ?? '?'} in flight, batched (our own bar)`,
      value: top?.batched.messagesPerRoundTrip ?? null,
      limit: '>= 20',
      met: (top?.batched.messagesPerRoundTrip ?? 0) >= 20,
    },
  ];
  const file = writeResult('servicebus', {
    command: 'npm run bench:servicebus',
    startedAt,
    versions: {
      node: process.version,
      '@azure/service-bus': packageVersion('@azure/service-bus'),
      rhea: packageVersion('rhea'),
      peer: 'test/servicebus-peer (AMQP 1.0 test peer on loopback, not Azure Service Bus)',
    },
    parameters: {
      rounds,
      messagesPerRun: messages,
      concurrencies,
      entity: ENTITY,
      bodyBytes: benchMessage(0).body.length,
    },
    runs,
    summary: { byConcurrency, failures, lost },
    targets,
  });
  process.stdout.write('\nmedians (test peer on loopback, NOT Azure Service Bus latency):\n');
  for (const c of byConcurrency) {
    process.stdout.write(
      `in-flight ${String(c.concurrency).padStart(3)}: batched ${c.batched.messagesPerRoundTrip} msg/round trip, ` +
        `${c.batched.throughputPerSecond} msg/s, p99 ${c.batched.latencyP99Ms} ms | unbatched ` +
        `${c.unbatched.throughputPerSecond} msg/s, p99 ${c.unbatched.latencyP99Ms} ms | throughput x${c.throughputRatio}\n`,
    );
  }
  for (const t of targets)
    process.stdout.write(`${t.met ? 'MET    ' : 'NOT MET'} ${t.label}: ${t.value} (${t.limit})\n`);
  process.stdout.write(`wrote ${file}\n`);
  process.exitCode = targets.every((t) => t.met) ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:servicebus failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
