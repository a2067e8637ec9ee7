/**
 * `npm run bench:http` — throughput of the webhook runtime vs a raw node:http server, same run; and
 * CPU per request of a named source's route (`POST /webhooks/github`, the same runtime process)
 * vs `POST /webhook`, both GitHub-verified with the same body and delivery id.
 * Not a test: the figures depend on the machine (and on whatever else it is running).
 *   BENCH_ROUNDS (default 3) × BENCH_SECONDS (default 5) per target, alternating; autocannon,
 *   50 connections, no pipelining, POST of ~1 KB signed JSON. Also: RSS of the runtime under load
 *   (sampled every 100 ms from /proc) and start-to-ready of the real bundle (runtime/dist/server.js,
 *   started through the harness, test/support/runtime.ts).
 * Loopback only (127.0.0.1); bounded in time.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { onLines } from '../../test/support/lines';
import { startRuntime } from '../../test/support/runtime';
import { median, packageVersion, writeResult } from '../lib/results';

/** `source`: the runtime process again, on POST /webhooks/github. */
type TargetName = 'runtime' | 'source' | 'raw';

interface Round {
  readonly round: number;
  readonly target: TargetName;
  readonly rps: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly peakRssMiB: number;
  readonly cpuUsPerRequest: number;
}

interface StartTime {
  readonly wallMs: number;
  readonly selfReportedMs: number;
  readonly cpuMs: number;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
const SECRET = 'bench-secret-hmac-key';

const body = JSON.stringify({
  clientId: 'client-0042',
  opportunity: {
    id: 'opp-123456',
    stage: 'qualified',
    amount: 125000,
    currency: 'EUR',
    notes: 'x'.repeat(700),
  },
  source: 'crm',
});
const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
const headers = {
  'content-type': 'application/json',
  'x-hub-signature-256': signature,
  'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
};
const PATHS: Record<TargetName, string> = {
  runtime: '/webhook',
  source: '/webhooks/github',
  raw: '/webhook',
};

/** Starts a bundled target; resolves once it printed `{ ready, port }` on stderr. */
function start(file: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], {
      env: { PATH: process.env.PATH, BENCH_SECRET: SECRET },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    onLines(child.stderr, (line) => {
      err += `${line}\n`;
      if (line.includes('"ready"')) resolve({ child, port: (JSON.parse(line) as { port: number }).port });
    });
    child.on('exit', (code) => reject(new Error(`${file} exited ${code}: ${err}`)));
  });
}

/** utime + stime of a process in ms (/proc/<pid>/stat fields 14 and 15, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function load(port: number, pid: number, path: string): Promise<Omit<Round, 'round' | 'target'>> {
  let peak = 0;
  const cpuBefore = cpuMs(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method: 'POST',
    headers,
    body,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: SECONDS,
  });
  clearInterval(sampler);
  const non2xx = result.non2xx + result.errors + result.timeouts;
  // Server CPU per request: far less sensitive than req/s to other load on a shared machine.
  const cpuUsPerRequest = ((cpuMs(pid) - cpuBefore) * 1000) / Math.max(1, result.requests.total);
  return { rps: result.requests.average, p99: result.latency.p99, non2xx, peakRssMiB: peak, cpuUsPerRequest };
}

/** Start-to-ready of the real bundle: wall time from spawn to its "ready" log line (broker unreachable). */
async function startToReady(): Promise<StartTime> {
  let readyAt = 0;
  const t0 = performance.now();
  const runtime = await startRuntime({
    name: 'start-to-ready',
    ready: 'listening',
    env: {
      BUS: 'kafka',
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_SSL: 'false',
      WEBHOOK_VERIFY: 'github',
      WEBHOOK_SECRET: SECRET,
      LOG_LEVEL: 'info',
    },
    onOutput: (line) => {
      if (readyAt === 0 && line.includes('"msg":"ready"')) readyAt = performance.now();
    },
  });
  await runtime.kill('SIGKILL');
  const ready = runtime.logs.find((l) => l.msg === 'ready') ?? {};
  return { wallMs: readyAt - t0, selfReportedMs: Number(ready.startMs), cpuMs: Number(ready.startCpuMs) };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const middle = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const tmp = mkdtempSync(join(tmpdir(), 'bench-http-'));
  const rounds: Round[] = [];
  const startTimes: StartTime[] = [];
  try {
    // Both targets bundled the same way (CommonJS, node20, syntax minified), so neither pays a loader.
    await build({
      entryPoints: [join(__dirname, 'runtime-entry.ts'), join(__dirname, 'raw-server.ts')],
      outdir: tmp,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minifySyntax: true,
      logLevel: 'warning',
      external: ['pino-pretty'],
    });
    const runtime = await start(join(tmp, 'runtime-entry.js'));
    const targets: Record<TargetName, { child: ChildProcess; port: number }> = {
      runtime,
      source: runtime,
      raw: await start(join(tmp, 'raw-server.js')),
    };
    try {
      // Warm-up (JIT) for every target, not counted.
      for (const [name, t] of Object.entries(targets) as Array<[TargetName, (typeof targets)[TargetName]]>) {
        await autocannon({
          url: `http://127.0.0.1:${t.port}${PATHS[name]}`,
          method: 'POST',
          body,
          duration: 1,
          headers,
        });
      }
      for (let r = 0; r < ROUNDS; r++) {
        const order: TargetName[] = r % 2 === 0 ? ['runtime', 'source', 'raw'] : ['raw', 'source', 'runtime'];
        for (const name of order) {
          const t = targets[name];
          rounds.push({ round: r + 1, target: name, ...(await load(t.port, t.child.pid ?? 0, PATHS[name])) });
        }
      }
    } finally {
      for (const t of new Set(Object.values(targets))) t.child.kill('SIGTERM');
    }
    for (let i = 0; i < 5; i++) startTimes.push(await startToReady());
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const of = (name: TargetName): Round[] => rounds.filter((x) => x.target === name);
  const rps = (name: TargetName): number[] => of(name).map((x) => x.rps);
  const cpu = (name: TargetName): number[] => of(name).map((x) => x.cpuUsPerRequest);
  const settings = {
    rounds: ROUNDS,
    secondsPerRound: SECONDS,
    connections: CONNECTIONS,
    pipelining: 1,
    bodyBytes: Buffer.byteLength(body),
  };
  const throughputRatio = Number((mean(rps('runtime')) / mean(rps('raw'))).toFixed(3));
  const summary = {
    runtimeRps: Math.round(mean(rps('runtime'))),
    rawRps: Math.round(mean(rps('raw'))),
    runtimeRpsMedian: Math.round(median(rps('runtime'))),
    rawRpsMedian: Math.round(median(rps('raw'))),
    runtimeP99MsMedian: median(of('runtime').map((x) => x.p99)),
    rawP99MsMedian: median(of('raw').map((x) => x.p99)),
    throughputRatio,
    // raw CPU per request / runtime CPU per request: the throughput ratio a CPU-bound server would reach.
    cpuEfficiencyRatio: Number((mean(cpu('raw')) / mean(cpu('runtime'))).toFixed(3)),
    cpuUsPerRequest: {
      runtime: Math.round(mean(cpu('runtime'))),
      source: Math.round(mean(cpu('source'))),
      raw: Math.round(mean(cpu('raw'))),
    },
    // POST /webhooks/github CPU per request / POST /webhook's, same process, alternating rounds.
    sourceCpuRatio: Number((mean(cpu('source')) / mean(cpu('runtime'))).toFixed(3)),
    sourceRps: Math.round(mean(rps('source'))),
    runtimePeakRssMiB: Number(Math.max(...of('runtime').map((x) => x.peakRssMiB)).toFixed(1)),
    startToReadyMs: {
      medianWall: Math.round(middle(startTimes.map((s) => s.wallMs))),
      medianSelfReported: middle(startTimes.map((s) => s.selfReportedMs)),
      medianCpuMs: middle(startTimes.map((s) => s.cpuMs)),
    },
    non2xx: rounds.reduce((a, x) => a + x.non2xx, 0),
  };
  process.stdout.write(
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, settings, ...summary }, null, 2)}\n\n`,
  );
  const table = (rows: ReadonlyArray<Record<string, unknown>>): void => {
    for (const row of rows) process.stdout.write(`${Object.values(row).join('\t')}\n`);
  };
  table(
    rounds.map((x) => ({
      ...x,
      rps: Math.round(x.rps),
      peakRssMiB: Number(x.peakRssMiB.toFixed(1)),
      cpuUsPerRequest: Math.round(x.cpuUsPerRequest),
    })),
  );

  const targets = [
    {
      label: 'throughput, runtime / raw node:http',
      value: summary.throughputRatio,
      limit: '>= 0.85',
      met: summary.throughputRatio >= 0.85,
    },
    {
      label: 'runtime peak RSS under load (MiB)',
      value: summary.runtimePeakRssMiB,
      limit: '<= 100',
      met: summary.runtimePeakRssMiB <= 100,
    },
    {
      label: 'start-to-ready, wall (ms, median of 5)',
      value: summary.startToReadyMs.medianWall,
      limit: '<= 500',
      met: summary.startToReadyMs.medianWall <= 500,
    },
    {
      label: 'CPU per request, POST /webhooks/<source> / POST /webhook',
      value: summary.sourceCpuRatio,
      limit: '<= 1.05',
      met: summary.sourceCpuRatio <= 1.05,
    },
    { label: 'non-2xx answers', value: summary.non2xx, limit: '= 0', met: summary.non2xx === 0 },
  ];
  for (const t of targets)
    process.stdout.write(`${t.met ? 'MET    ' : 'NOT MET'} ${t.label}: ${t.value} (${t.limit})\n`);

  // Result envelope for the report (bench/report): same figures as printed above.
  const file = writeResult('http', {
    command: 'npm run bench:http',
    startedAt,
    versions: {
      node: process.version,
      hono: packageVersion('hono'),
      '@hono/node-server': packageVersion('@hono/node-server'),
      autocannon: packageVersion('autocannon'),
    },
    parameters: settings,
    runs: rounds,
    summary,
    targets,
  });
  process.stdout.write(`wrote ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:http failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
