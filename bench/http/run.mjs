// npm run bench:http — throughput of the webhook runtime vs a raw node:http server, same run.
// Not a test: the figures depend on the machine (and on whatever else it is running).
//   BENCH_ROUNDS (default 3) × BENCH_SECONDS (default 5) per target, alternating; autocannon,
//   50 connections, no pipelining, POST of ~1 KB signed JSON. Also: RSS of the runtime under load
//   (sampled every 100 ms from /proc) and start-to-ready of the real bundle (runtime/dist/server.js).
// Loopback only (127.0.0.1); bounded in time.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { median as medianOf, packageVersion, writeResult } from '../lib/results.mjs';

const startedAt = new Date().toISOString(); // for the result envelope (writeResult, at the end)

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
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

const tmp = mkdtempSync(join(tmpdir(), 'bench-http-'));
await build({
  entryPoints: [join(here, 'runtime-entry.ts')],
  outfile: join(tmp, 'runtime-entry.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifySyntax: true,
  logLevel: 'warning',
  external: ['pino-pretty'],
});

function start(file, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], {
      env: { PATH: process.env.PATH, BENCH_SECRET: SECRET, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d.toString();
      const line = err.split('\n').find((l) => l.includes('"ready"'));
      if (line) resolve({ child, port: JSON.parse(line).port });
    });
    child.on('exit', (code) => reject(new Error(`${file} exited ${code}: ${err}`)));
  });
}

/** utime + stime of a process in ms (/proc/<pid>/stat fields 14 and 15, in clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function load(port, pid) {
  let peak = 0;
  const cpuBefore = cpuMs(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/webhook`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
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

const targets = {
  runtime: await start(join(tmp, 'runtime-entry.js')),
  raw: await start(join(here, 'raw-server.mjs')),
};
const rounds = [];
try {
  // Warm-up (JIT) for both, not counted.
  for (const t of Object.values(targets)) {
    await autocannon({
      url: `http://127.0.0.1:${t.port}/webhook`,
      method: 'POST',
      body,
      duration: 1,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    });
  }
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? ['runtime', 'raw'] : ['raw', 'runtime'];
    for (const name of order) {
      const t = targets[name];
      rounds.push({ round: r + 1, target: name, ...(await load(t.port, t.child.pid)) });
    }
  }
} finally {
  for (const t of Object.values(targets)) t.child.kill('SIGTERM');
}

// Start-to-ready of the real bundle: wall time from spawn to its "ready" log line.
const startTimes = [];
const bundle = join(root, 'runtime', 'dist', 'server.js');
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      BUS: 'kafka',
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_SSL: 'false',
      WEBHOOK_VERIFY: 'github',
      WEBHOOK_SECRET: SECRET,
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const startMs = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"msg":"ready"'));
      if (line) {
        const ready = JSON.parse(line);
        resolve({ wallMs: performance.now() - t0, selfReportedMs: ready.startMs, cpuMs: ready.startCpuMs });
      }
    });
    child.on('exit', (code) => reject(new Error(`bundle exited ${code}; run npm run build:runtime first`)));
  });
  child.kill('SIGKILL');
  startTimes.push(startMs);
}
rmSync(tmp, { recursive: true, force: true });

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rps = (name) => rounds.filter((x) => x.target === name).map((x) => x.rps);
const cpu = (name) => rounds.filter((x) => x.target === name).map((x) => x.cpuUsPerRequest);
const summary = {
  date: new Date().toISOString(),
  node: process.version,
  settings: {
    rounds: ROUNDS,
    secondsPerRound: SECONDS,
    connections: CONNECTIONS,
    pipelining: 1,
    bodyBytes: Buffer.byteLength(body),
  },
  runtimeRps: Math.round(mean(rps('runtime'))),
  rawRps: Math.round(mean(rps('raw'))),
  throughputRatio: Number((mean(rps('runtime')) / mean(rps('raw'))).toFixed(3)),
  // raw CPU per request / runtime CPU per request: the throughput ratio a CPU-bound server would reach.
  cpuEfficiencyRatio: Number((mean(cpu('raw')) / mean(cpu('runtime'))).toFixed(3)),
  cpuUsPerRequest: { runtime: Math.round(mean(cpu('runtime'))), raw: Math.round(mean(cpu('raw'))) },
  runtimePeakRssMiB: Number(
    Math.max(...rounds.filter((x) => x.target === 'runtime').map((x) => x.peakRssMiB)).toFixed(1),
  ),
  startToReadyMs: {
    medianWall: Math.round(median(startTimes.map((s) => s.wallMs))),
    medianSelfReported: median(startTimes.map((s) => s.selfReportedMs)),
    medianCpuMs: median(startTimes.map((s) => s.cpuMs)),
  },
  non2xx: rounds.reduce((a, x) => a + x.non2xx, 0),
  targets: { throughputRatio: '>= 0.85', peakRssMiB: '<= 100', startToReadyMs: '<= 500' },
  rounds,
};
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n\n`);
console.table(
  rounds.map((x) => ({
    ...x,
    rps: Math.round(x.rps),
    peakRssMiB: Number(x.peakRssMiB.toFixed(1)),
    cpuUsPerRequest: Math.round(x.cpuUsPerRequest),
  })),
);
console.table([
  { metric: 'throughput ratio (runtime / raw)', value: summary.throughputRatio, target: '>= 0.85' },
  { metric: 'CPU efficiency (raw µs/req ÷ runtime µs/req)', value: summary.cpuEfficiencyRatio, target: '-' },
  { metric: 'runtime peak RSS under load (MiB)', value: summary.runtimePeakRssMiB, target: '<= 100' },
  {
    metric: 'start-to-ready, wall (ms, median of 5)',
    value: summary.startToReadyMs.medianWall,
    target: '<= 500',
  },
]);

// Result envelope for the report (bench/report): same figures as printed above.
writeResult('http', {
  command: 'npm run bench:http',
  startedAt,
  versions: {
    node: process.version,
    hono: packageVersion('hono'),
    '@hono/node-server': packageVersion('@hono/node-server'),
    autocannon: packageVersion('autocannon'),
  },
  parameters: summary.settings,
  runs: rounds,
  summary: {
    runtimeRps: summary.runtimeRps,
    rawRps: summary.rawRps,
    runtimeRpsMedian: Math.round(medianOf(rps('runtime'))),
    rawRpsMedian: Math.round(medianOf(rps('raw'))),
    runtimeP99MsMedian: medianOf(rounds.filter((x) => x.target === 'runtime').map((x) => x.p99)),
    rawP99MsMedian: medianOf(rounds.filter((x) => x.target === 'raw').map((x) => x.p99)),
    throughputRatio: summary.throughputRatio,
    cpuEfficiencyRatio: summary.cpuEfficiencyRatio,
    cpuUsPerRequest: summary.cpuUsPerRequest,
    runtimePeakRssMiB: summary.runtimePeakRssMiB,
    startToReadyMs: summary.startToReadyMs,
    non2xx: summary.non2xx,
  },
  targets: [
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
    { label: 'non-2xx answers', value: summary.non2xx, limit: '= 0', met: summary.non2xx === 0 },
  ],
});
