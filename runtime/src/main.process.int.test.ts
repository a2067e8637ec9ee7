/**
 * The real bundle as a process (esbuild → a temp dir, `node server.js`): configuration errors exit 1
 * naming the variables, and SIGTERM during load loses no accepted request — every 202 is in the
 * broker (the Service Bus AMQP test peer, reached by the real @azure/service-bus SDK over TCP), new
 * requests get 503, and the process exits 0 within SHUTDOWN_TIMEOUT_MS.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServiceBusTestPeer, type ServiceBusTestPeer } from '../../test/servicebus-peer';

const root = join(__dirname, '..', '..');
const API_KEY = 'process-test-api-key-of-32-characters';
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
    // Every problem of one start at once: the bad PORT and what the chosen bus and scheme lack.
    expect([...(p.lines[0]?.['variables'] as string[])].sort()).toEqual([
      'PORT',
      'SERVICEBUS_NAMESPACE',
      'SERVICEBUS_QUEUE',
      'WEBHOOK_SECRET',
    ]);
    const q = run({ BUS: 'servicebus', WEBHOOK_VERIFY: 'github' });
    expect(await q.exit).toBe(1);
    expect(q.lines[0]?.['variables']).toEqual(['SERVICEBUS_QUEUE', 'SERVICEBUS_NAMESPACE', 'WEBHOOK_SECRET']);
  });

  it('exits 1 naming WEBHOOK_SECRET, without echoing it, for an api-key "a" or a zero-length whsec_ key', async () => {
    const base = {
      PORT: '0',
      HOST: '127.0.0.1',
      BUS: 'kafka',
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_SSL: 'false',
    };
    for (const [scheme, secret] of [
      ['api-key', 'a'],
      ['standard-webhooks', 'whsec_A'],
      ['standard-webhooks', '["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw","whsec_"]'],
    ] as const) {
      const p = run({ ...base, WEBHOOK_VERIFY: scheme, WEBHOOK_SECRET: secret });
      // Before the fix these started: bound the wait instead of hanging on a listening server.
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
      const code = await p.exit;
      clearTimeout(timer);
      expect([scheme, code]).toEqual([scheme, 1]);
      expect(p.lines).toHaveLength(1);
      expect(p.lines[0]).toMatchObject({ level: 'fatal', variables: ['WEBHOOK_SECRET'] });
      const text = JSON.stringify(p.lines[0]);
      expect(text).not.toContain('MfKQ9r8G');
      expect(text).not.toContain('"a"');
    }
  }, 40_000);
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

/** A loopback port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe('SIGTERM when nobody reads stdout', () => {
  const SHUTDOWN_TIMEOUT_MS = 2000;

  /**
   * Starts the runtime with LOG_LEVEL=debug and a stdout nobody reads (the pipe's reader paused),
   * then fills that pipe with access lines, so sonic-boom holds unwritten lines at exit.
   */
  async function withStalledStdout(): Promise<{ p: Proc; port: number }> {
    const port = await freePort();
    const p = run({
      PORT: String(port),
      HOST: '127.0.0.1',
      BUS: 'kafka',
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_SSL: 'false',
      WEBHOOK_VERIFY: 'none',
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
    p.child.stdout.removeAllListeners('data');
    p.child.stdout.pause();
    const healthz = async (id: string) => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { 'x-request-id': id } });
      await res.arrayBuffer();
    };
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await healthz('up');
        break;
      } catch {
        if (Date.now() > deadline) throw new Error('the runtime did not start');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    // ~3,000 debug access lines of ~400 bytes: well over the pipe's ~200 KB buffer.
    const id = 'r'.repeat(180);
    let sent = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (sent < 3000) {
          sent += 1;
          await healthz(id);
        }
      }),
    );
    return { p, port };
  }

  async function exitWithin(p: Proc, ms: number): Promise<number | null | 'still running'> {
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      p.exit,
      new Promise<'still running'>((resolve) => {
        timer = setTimeout(() => resolve('still running'), ms);
      }),
    ]);
    clearTimeout(timer);
    return result;
  }

  it.each([
    ['stalls and then exits (EPIPE)', true],
    ['stalls for good', false],
  ])(
    "ends the process within SHUTDOWN_TIMEOUT_MS when stdout's reader %s",
    async (_, readerExits) => {
      const { p } = await withStalledStdout();
      try {
        const signalled = Date.now();
        p.child.kill('SIGTERM');
        if (readerExits) {
          await new Promise((r) => setTimeout(r, 300)); // the drain is over; the exit waits on stdout
          p.child.stdout.destroy(); // the reader is gone: every further write fails with EPIPE
        }
        const code = await exitWithin(p, SHUTDOWN_TIMEOUT_MS + 3000);
        expect(code).toBe(0);
        expect(Date.now() - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 500);
      } finally {
        p.child.kill('SIGKILL');
      }
    },
    60_000,
  );
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
      WEBHOOK_SECRET: API_KEY,
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
              headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
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
      // The message's correlationId property (the body is the sender's bytes).
      const stored = new Set(peer.received.map((m) => m.correlationId));
      const lost = accepted.filter((id) => !stored.has(id));
      expect(lost).toEqual([]);
      expect(p.lines.some((l) => l['msg'] === 'shutting down: draining')).toBe(true);
      expect(p.lines.some((l) => l['msg'] === 'shut down' && l['clean'] === true)).toBe(true);
    } finally {
      p.child.kill('SIGKILL');
    }
  }, 60_000);
});
