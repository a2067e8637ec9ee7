/**
 * The real bundle as a process (esbuild → a temp dir, `node server.js`): configuration errors exit 1
 * naming the variables, and SIGTERM during load loses no accepted request — every 202 is in the
 * broker (the Service Bus AMQP test peer, reached by the real @azure/service-bus SDK over TCP), new
 * requests get 503, and the process exits 0 within SHUTDOWN_TIMEOUT_MS.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServiceBusTestPeer, type ServiceBusTestPeer } from '../../test/servicebus-peer';
import {
  buildRuntimeBundle,
  spawnRuntime,
  startRuntime,
  type RunningRuntime,
  type StartRuntimeOptions,
} from '../../test/support/runtime';
import { freePort, until } from '../../test/support/wait';

const API_KEY = 'process-test-api-key-of-32-characters';
let bundle: string;
let cleanup: () => void;

beforeAll(() => {
  let dir: string;
  ({ bundle, dir, cleanup } = buildRuntimeBundle());
  // Without APPLICATIONINSIGHTS_CONNECTION_STRING the telemetry file must never be needed: every
  // run below starts without it.
  rmSync(join(dir, 'telemetry.js'));
}, 60_000);

afterAll(() => cleanup());

type RunOptions = Omit<StartRuntimeOptions, 'name' | 'bundle'>;

/** The bundle as a process that may exit on its own (configuration errors). */
const spawn = (env: Record<string, string>): RunningRuntime => spawnRuntime({ name: 'process', bundle, env });
/** The bundle as a process, once it is ready (see StartRuntimeOptions.ready). */
const start = (options: RunOptions): Promise<RunningRuntime> =>
  startRuntime({ name: 'process', bundle, ...options });

describe('configuration errors', () => {
  it('exits 1 with one JSON line naming every invalid variable', async () => {
    const p = spawn({ BUS: 'servicebus', WEBHOOK_VERIFY: 'github', PORT: 'eighty' });
    expect((await p.exited).code).toBe(1);
    expect(p.logs).toHaveLength(1);
    expect(p.logs[0]).toMatchObject({ level: 'fatal' });
    // Every problem of one start at once: the bad PORT and what the chosen bus and scheme lack.
    expect([...(p.logs[0]?.['variables'] as string[])].sort()).toEqual([
      'PORT',
      'SERVICEBUS_NAMESPACE',
      'SERVICEBUS_QUEUE',
      'WEBHOOK_SECRET',
    ]);
    const q = spawn({ BUS: 'servicebus', WEBHOOK_VERIFY: 'github' });
    expect((await q.exited).code).toBe(1);
    expect(q.logs[0]?.['variables']).toEqual(['SERVICEBUS_QUEUE', 'SERVICEBUS_NAMESPACE', 'WEBHOOK_SECRET']);
  });

  it('exits 1 naming WEBHOOK_SECRET, without echoing it, for an api-key "a" or a zero-length whsec_ key', async () => {
    const base = { BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:1', KAFKA_SSL: 'false' };
    for (const [scheme, secret] of [
      ['api-key', 'a'],
      ['standard-webhooks', 'whsec_A'],
      ['standard-webhooks', '["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw","whsec_"]'],
    ] as const) {
      const p = spawn({ ...base, WEBHOOK_VERIFY: scheme, WEBHOOK_SECRET: secret });
      // Before the fix these started: bound the wait instead of hanging on a listening server.
      const timer = setTimeout(() => void p.kill('SIGKILL'), 10_000);
      const { code } = await p.exited;
      clearTimeout(timer);
      expect([scheme, code]).toEqual([scheme, 1]);
      expect(p.logs).toHaveLength(1);
      expect(p.logs[0]).toMatchObject({ level: 'fatal', variables: ['WEBHOOK_SECRET'] });
      const text = JSON.stringify(p.logs[0]);
      expect(text).not.toContain('MfKQ9r8G');
      expect(text).not.toContain('"a"');
    }
  }, 40_000);
});

describe('telemetry is loaded only when Application Insights is configured', () => {
  it('needs telemetry.js (absent here) only when APPLICATIONINSIGHTS_CONNECTION_STRING is set', async () => {
    const env = { BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:1', KAFKA_SSL: 'false' };
    const off = await start({ env, ready: 'listening', readyTimeoutMs: 15_000 });
    expect(await off.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    const on = spawn({
      ...env,
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
    });
    expect((await on.exited).code).toBe(1);
    expect(
      on.logs.some((l) => l['msg'] === 'start failed' && JSON.stringify(l).includes('telemetry.js')),
    ).toBe(true);
  }, 30_000);
});

describe('SIGTERM when nobody reads stdout', () => {
  const SHUTDOWN_TIMEOUT_MS = 2000;

  /**
   * Starts the runtime with LOG_LEVEL=debug (the harness's default) and a stdout nobody reads (the
   * pipe's reader paused), then fills that pipe with access lines, so sonic-boom holds unwritten
   * lines at exit.
   */
  async function withStalledStdout(): Promise<RunningRuntime> {
    const p = await start({
      port: await freePort(),
      stdout: 'unread',
      ready: 'listening',
      readyTimeoutMs: 15_000,
      env: {
        BUS: 'kafka',
        KAFKA_BROKERS: '127.0.0.1:1',
        KAFKA_SSL: 'false',
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      },
    });
    const healthz = async (id: string) => {
      const res = await fetch(`${p.url}/healthz`, { headers: { 'x-request-id': id } });
      await res.arrayBuffer();
    };
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
    return p;
  }

  async function exitWithin(p: RunningRuntime, ms: number): Promise<number | null | 'still running'> {
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      p.exited.then((exit) => exit.code),
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
      const p = await withStalledStdout();
      try {
        const signalled = Date.now();
        p.process.kill('SIGTERM');
        if (readerExits) {
          await new Promise((r) => setTimeout(r, 300)); // the drain is over; the exit waits on stdout
          p.process.stdout?.destroy(); // the reader is gone: every further write fails with EPIPE
        }
        const code = await exitWithin(p, SHUTDOWN_TIMEOUT_MS + 3000);
        expect(code).toBe(0);
        expect(Date.now() - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 500);
      } finally {
        await p.kill('SIGKILL');
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
    // Ready = /readyz 200: listening and connected to the broker.
    const p = await start({
      readyTimeoutMs: 15_000,
      env: {
        BUS: 'servicebus',
        SERVICEBUS_CONNECTION_STRING: peer.connectionString,
        SERVICEBUS_QUEUE: 'webhooks',
        WEBHOOK_VERIFY: 'api-key',
        WEBHOOK_SECRET: API_KEY,
        SHUTDOWN_TIMEOUT_MS: '5000',
      },
    });
    try {
      const accepted: string[] = [];
      const statuses = new Map<number, number>();
      let stop = false;
      let sent = 0;
      const worker = async (w: number) => {
        while (!stop && sent < 2000) {
          sent += 1;
          try {
            const res = await fetch(`${p.url}/webhook`, {
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
      await until(() => (accepted.length >= 50 ? true : undefined), 15_000, '50 accepted webhooks');
      const signalled = Date.now();
      p.process.kill('SIGTERM');
      const { code } = await p.exited;
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
      expect(p.logs.some((l) => l['msg'] === 'shutting down: draining')).toBe(true);
      expect(p.logs.some((l) => l['msg'] === 'shut down' && l['clean'] === true)).toBe(true);
    } finally {
      await p.kill('SIGKILL');
    }
  }, 60_000);
});
