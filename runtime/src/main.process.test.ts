/**
 * The real bundle as a process (esbuild → a temp dir, `node server.js`): configuration errors exit 1
 * naming the variables, and SIGTERM during load loses no accepted request — every 202 is in the
 * broker (the Service Bus AMQP test peer, reached by the real @azure/service-bus SDK over TCP), new
 * requests get 503, and the process exits 0 within SHUTDOWN_TIMEOUT_MS.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServiceBusTestPeer, type ServiceBusTestPeer } from '../../test/servicebus-peer';

const root = join(__dirname, '..', '..');
let outdir: string;
let bundle: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'runtime-bundle-'));
  execFileSync(process.execPath, [join(root, 'runtime', 'build.mjs'), '--outdir', outdir], { stdio: 'pipe' });
  bundle = join(outdir, 'server.js');
  // Without APPLICATIONINSIGHTS_CONNECTION_STRING the telemetry file must never be needed: every
  // run below starts without it.
  rmSync(join(outdir, 'telemetry.js'));
}, 60_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

interface Proc {
  child: ChildProcessWithoutNullStreams;
  lines: Array<Record<string, unknown>>;
  exit: Promise<number | null>;
}

function run(env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [bundle], { env: { PATH: process.env['PATH'] ?? '', ...env } });
  const lines: Array<Record<string, unknown>> = [];
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) if (p.trim() !== '') lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exit };
}

async function until<T>(check: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('configuration errors', () => {
  it('exits 1 with one JSON line naming every invalid variable', async () => {
    const p = run({ BUS: 'servicebus', WEBHOOK_VERIFY: 'github', PORT: 'eighty' });
    expect(await p.exit).toBe(1);
    expect(p.lines).toHaveLength(1);
    expect(p.lines[0]).toMatchObject({ level: 'fatal' });
    expect(p.lines[0]?.['variables']).toEqual(['PORT']);
    const q = run({ BUS: 'servicebus', WEBHOOK_VERIFY: 'github' });
    expect(await q.exit).toBe(1);
    expect(q.lines[0]?.['variables']).toEqual(['SERVICEBUS_QUEUE', 'SERVICEBUS_NAMESPACE', 'WEBHOOK_SECRET']);
  });
});

describe('telemetry is loaded only when Application Insights is configured', () => {
  it('needs telemetry.js (absent here) only when APPLICATIONINSIGHTS_CONNECTION_STRING is set', async () => {
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      BUS: 'kafka',
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_SSL: 'false',
      WEBHOOK_VERIFY: 'none',
    };
    const off = run(env);
    await until(() => (off.lines.some((l) => l['msg'] === 'ready') ? true : undefined), 15_000);
    off.child.kill('SIGTERM');
    expect(await off.exit).toBe(0);
    const on = run({
      ...env,
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
    });
    expect(await on.exit).toBe(1);
    expect(
      on.lines.some((l) => l['msg'] === 'start failed' && JSON.stringify(l).includes('telemetry.js')),
    ).toBe(true);
  }, 30_000);
});

describe('graceful shutdown of the real process', () => {
  let peer: ServiceBusTestPeer;
  beforeAll(async () => {
    peer = await startServiceBusTestPeer();
  });
  afterAll(async () => {
    await peer.close();
  });

  it('SIGTERM during load: every 202 is in the broker, no other status than 202 or 503, exit 0 in time', async () => {
    const p = run({
      PORT: '0',
      HOST: '127.0.0.1',
      BUS: 'servicebus',
      SERVICEBUS_CONNECTION_STRING: peer.connectionString,
      SERVICEBUS_QUEUE: 'webhooks',
      WEBHOOK_VERIFY: 'api-key',
      WEBHOOK_SECRET: 'k1',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    try {
      const port = await until(
        () => p.lines.find((l) => l['msg'] === 'ready')?.['port'] as number | undefined,
        15_000,
      );
      const base = `http://127.0.0.1:${port}`;
      await until(() => (p.lines.some((l) => l['msg'] === 'broker connected') ? true : undefined), 15_000);

      const accepted: string[] = [];
      const statuses = new Map<number, number>();
      let stop = false;
      let sent = 0;
      const worker = async (w: number) => {
        while (!stop && sent < 2000) {
          sent += 1;
          try {
            const res = await fetch(`${base}/webhook`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-api-key': 'k1' },
              body: JSON.stringify({ clientId: `c-${w}`, opportunity: { n: sent } }),
            });
            const body = (await res.json()) as { correlationId?: string };
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status === 202 && body.correlationId !== undefined) accepted.push(body.correlationId);
          } catch {
            statuses.set(0, (statuses.get(0) ?? 0) + 1); // connection refused after close: fine
            await new Promise((r) => setTimeout(r, 5));
          }
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
      await until(() => (accepted.length >= 50 ? true : undefined), 15_000);
      const signalled = Date.now();
      p.child.kill('SIGTERM');
      const code = await p.exit;
      const exitedAfter = Date.now() - signalled;
      stop = true;
      await load;

      expect(code).toBe(0);
      expect(exitedAfter).toBeLessThan(5000);
      expect([...statuses.keys()].filter((s) => s !== 202 && s !== 503 && s !== 0)).toEqual([]);
      const stored = new Set(
        peer.received.map((m) => (JSON.parse(m.body.toString()) as { correlationId: string }).correlationId),
      );
      const lost = accepted.filter((id) => !stored.has(id));
      expect(lost).toEqual([]);
      expect(p.lines.some((l) => l['msg'] === 'shutting down: draining')).toBe(true);
      expect(p.lines.some((l) => l['msg'] === 'shut down' && l['clean'] === true)).toBe(true);
    } finally {
      p.child.kill('SIGKILL');
    }
  }, 60_000);
});
