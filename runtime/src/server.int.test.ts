/**
 * Server lifecycle over real loopback HTTP (startServer on port 0) with an in-process sender:
 * background connect and readiness, graceful drain, and the shutdown deadline.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:net';
import pino from 'pino';
import { loadConfig, type Config } from './config';
import { RecordingSender } from './publish/test-sender';
import { startServer, type RunningServer } from './server';

const SECRET = 'lifecycle-secret-hmac';
const logger = pino({ level: 'silent' });

function config(extra: Record<string, string> = {}) {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    BUS: 'kafka',
    KAFKA_BROKERS: '127.0.0.1:1',
    WEBHOOK_VERIFY: 'github',
    WEBHOOK_SECRET: SECRET,
    ...extra,
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 50 });
afterAll(() => agent.destroy());

interface Reply {
  status: number;
  body: string;
  /** The Connection header of the response. */
  connection: string | undefined;
}

/** `config` with some HTTP server settings replaced (they are fixed, not read from the environment). */
function withHttp(c: Config, http: Partial<Config['http']>): Config {
  return { ...c, http: { ...c.http, ...http } };
}

function post(port: number, clientId: string, via: Agent = agent): Promise<Reply> {
  const body = JSON.stringify({ clientId, opportunity: { n: 1 } });
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/webhook',
        method: 'POST',
        agent: via,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function get(port: number, path: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  await res.arrayBuffer();
  return res.status;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('startServer', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    // The shared agent's idle connections would hold the drain for drainIdleTimeoutMs (5 s).
    for (const sockets of Object.values(agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
    await server?.shutdown('test end');
    server = undefined;
  });

  it('serves while connecting in the background; /readyz turns 200 once the broker is reached', async () => {
    const sender = new RecordingSender();
    sender.connected = false;
    sender.failConnects = 1;
    server = await startServer({ config: config(), sender, logger });
    expect(await get(server.port, '/healthz')).toBe(200);
    expect(await get(server.port, '/readyz')).toBe(503);
    await until(() => sender.connectCalls >= 2 && sender.connected, 5000);
    expect(await get(server.port, '/readyz')).toBe(200);
    const reply = await post(server.port, 'c-ready');
    expect(reply.status).toBe(202);
    expect(sender.batches.flat().map((m) => m.key)).toEqual(['c-ready']);
  });

  it('on shutdown: requests on open connections 503, new connections refused, in-flight publishes finish with 202, sender closed', async () => {
    const sender = new RecordingSender();
    sender.mode = 'hang';
    let held = 0; // publishes the publisher holds: sent to the broker, or gathered behind that send
    server = await startServer({
      config: config({ SHUTDOWN_TIMEOUT_MS: '5000' }),
      sender,
      logger,
      observe: { onInFlight: (n) => (held = n) },
    });
    const port = server.port;
    // A keep-alive connection opened before the drain, idle when it starts.
    const open = new Agent({ keepAlive: true, maxSockets: 1 });
    const warm = await new Promise<number>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/healthz', agent: open }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    });
    expect(warm).toBe(200);
    const inFlight = Array.from({ length: 20 }, (_, i) => post(port, `c-${i}`));
    await until(() => held === 20 && sender.batches.length >= 1);
    const shutdown = server.shutdown('SIGTERM');
    const late = await post(port, 'late', open);
    expect(late.status).toBe(503);
    expect(JSON.parse(late.body)).toMatchObject({ reason: 'draining' });
    const fresh = await post(port, 'fresh', new Agent({ keepAlive: false })).catch(
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect(fresh).toBe('ECONNREFUSED');
    sender.releaseAll();
    const replies = await Promise.all(inFlight);
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(202));
    expect(await shutdown).toEqual({ clean: true });
    expect(sender.closed).toBe(true);
    expect(sender.batches.flat().map((m) => m.key)).not.toContain('late');
    open.destroy();
  });

  it('bounds the drain by SHUTDOWN_TIMEOUT_MS: unacknowledged requests get 503, never 202', async () => {
    const sender = new RecordingSender();
    sender.mode = 'hang';
    server = await startServer({ config: config({ SHUTDOWN_TIMEOUT_MS: '500' }), sender, logger });
    const stuck = post(server.port, 'stuck');
    await until(() => sender.batches.length === 1);
    const started = Date.now();
    await server.shutdown('SIGTERM');
    expect(Date.now() - started).toBeLessThan(1500);
    expect((await stuck).status).toBe(503);
    expect(sender.closed).toBe(true);
  });
  it('shuts down within SHUTDOWN_TIMEOUT_MS even if the producer never closes and the broker was never reached', async () => {
    const sender = new RecordingSender();
    sender.connected = false;
    sender.failConnects = 1000; // the connect loop is sleeping between attempts
    sender.close = () => new Promise<void>(() => undefined); // and close() never returns
    server = await startServer({ config: config({ SHUTDOWN_TIMEOUT_MS: '400' }), sender, logger });
    await until(() => sender.connectCalls >= 1);
    const started = Date.now();
    await server.shutdown('SIGTERM');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('HTTP time-outs are the configured ones', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.shutdown('test end');
    server = undefined;
  });

  it('never lets the header time-out exceed the request time-out (Node would swap them)', () => {
    const { http } = config();
    expect(http.headersTimeoutMs).toBeLessThanOrEqual(http.requestTimeoutMs);
    expect(http.connectionsCheckingIntervalMs).toBeLessThanOrEqual(1000);
  });

  it('refuses to start with a header time-out above the request time-out', async () => {
    const bad = withHttp(config(), { requestTimeoutMs: 1000, headersTimeoutMs: 2000 });
    await expect(startServer({ config: bad, sender: new RecordingSender(), logger })).rejects.toThrow(
      /headersTimeout/,
    );
  });

  it('cuts an incomplete body at the configured request time-out, within one connection check', async () => {
    const REQUEST_TIMEOUT_MS = 1000;
    const CHECK_INTERVAL_MS = 50;
    // Node expires a request at the first check after the time-out: [T, T + interval], plus the
    // event loop's own lateness on a busy test machine.
    const margin = CHECK_INTERVAL_MS + 150;
    server = await startServer({
      config: withHttp(config(), {
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        headersTimeoutMs: REQUEST_TIMEOUT_MS,
        connectionsCheckingIntervalMs: CHECK_INTERVAL_MS,
      }),
      sender: new RecordingSender(),
      logger,
    });
    const port = server.port;
    const { elapsed, received } = await new Promise<{ elapsed: number; received: string }>((resolve) => {
      let received = '';
      let started = 0;
      const socket = connect(port, '127.0.0.1', () => {
        started = Date.now();
        // Headers complete, 10 of the 100 body bytes, then silence.
        socket.write(
          'POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
            'Content-Length: 100\r\n\r\n{"clientId"',
        );
      });
      socket.on('data', (d: Buffer) => (received += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ elapsed: Date.now() - started, received }));
      setTimeout(() => socket.destroy(), 5000).unref();
    });
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 10);
    expect(elapsed).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + margin);
  }, 15_000);
});

describe('drain of keep-alive connections', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.shutdown('test end');
    server = undefined;
  });

  it('runs 16 keep-alive clients through a drain without a single connection reset', async () => {
    const sender = new RecordingSender();
    // The producer takes 300 ms to close: the listener stays open that long, answering 503.
    sender.close = () => new Promise((resolve) => setTimeout(resolve, 300));
    server = await startServer({ config: config({ SHUTDOWN_TIMEOUT_MS: '5000' }), sender, logger });
    const port = server.port;
    const clients = new Agent({ keepAlive: true, maxSockets: 16 });
    const statuses = new Map<number, number>();
    const errors = new Map<string, number>();
    let stop = false;
    let accepted = 0;
    let closing = 0; // responses that closed their connection: the ones sent during the drain
    const worker = async (w: number) => {
      for (let i = 0; !stop; i += 1) {
        try {
          const reply = await post(port, `c-${w}-${i}`, clients);
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          if (reply.status === 202) accepted += 1;
          if (reply.connection === 'close') closing += 1;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? String(err);
          errors.set(code, (errors.get(code) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 2));
        }
      }
    };
    const load = Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
    try {
      await until(() => accepted >= 300);
      const result = await server.shutdown('SIGTERM');
      await new Promise((r) => setTimeout(r, 50));
      stop = true;
      await load;
      // The clients kept going through the whole drain: answers that closed their connection
      // (202 in progress, or 503), then refused connections once the listener was closed.
      expect(closing).toBeGreaterThan(0);
      expect(errors.get('ECONNREFUSED') ?? 0).toBeGreaterThan(0);
      // Refused connections never carried a request: a client retries them. Nothing else failed.
      errors.delete('ECONNREFUSED');
      expect(Object.fromEntries(errors)).toEqual({});
      expect([...statuses.keys()].filter((s) => s !== 202 && s !== 503)).toEqual([]);
      expect(result).toEqual({ clean: true });
    } finally {
      stop = true;
      await load;
      clients.destroy();
    }
  }, 30_000);

  it('closes a keep-alive connection idle since before the drain once idle for drainIdleTimeoutMs', async () => {
    const DRAIN_IDLE_MS = 300;
    server = await startServer({
      config: withHttp(config({ SHUTDOWN_TIMEOUT_MS: '5000' }), { drainIdleTimeoutMs: DRAIN_IDLE_MS }),
      sender: new RecordingSender(),
      logger,
    });
    const idle = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await post(server.port, 'before', idle)).status).toBe(202);
      const socket = Object.values(idle.freeSockets)[0]?.[0];
      expect(socket).toBeDefined();
      const closed = new Promise<number>((resolve) => socket?.once('close', () => resolve(Date.now())));
      const started = Date.now();
      expect(await server.shutdown('SIGTERM')).toEqual({ clean: true });
      const closedAt = await closed;
      expect(closedAt - started).toBeLessThan(DRAIN_IDLE_MS + 500);
    } finally {
      idle.destroy();
    }
  });

  it('answers a request sent during the drain on a connection idle since before it: 503 and Connection: close', async () => {
    server = await startServer({
      config: config({ SHUTDOWN_TIMEOUT_MS: '5000' }),
      sender: new RecordingSender(),
      logger,
    });
    const idle = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await post(server.port, 'before', idle)).status).toBe(202);
      const socket = Object.values(idle.freeSockets)[0]?.[0];
      const socketClosed = new Promise<void>((resolve) => socket?.once('close', () => resolve()));
      const shutdown = server.shutdown('SIGTERM');
      await new Promise((r) => setTimeout(r, 100)); // the drain is under way, the listener closed
      const during = await post(server.port, 'during', idle);
      expect(during.status).toBe(503);
      expect(JSON.parse(during.body)).toMatchObject({ reason: 'draining' });
      await socketClosed; // the same connection carried it, then closed (Connection: close)
      expect(await shutdown).toEqual({ clean: true });
    } finally {
      idle.destroy();
    }
  });
});
