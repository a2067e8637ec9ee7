/**
 * Server lifecycle over real loopback HTTP (startServer on port 0) with an in-process sender:
 * background connect and readiness, graceful drain, and the shutdown deadline.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import pino from 'pino';
import { loadConfig } from './config';
import { RecordingSender } from './publish/test-sender';
import { startServer, type RunningServer } from './server';

const SECRET = 'lifecycle-secret';
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
}

function post(port: number, clientId: string): Promise<Reply> {
  const body = JSON.stringify({ clientId, opportunity: { n: 1 } });
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/webhook',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
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

  it('on shutdown: readiness false, new requests 503, in-flight publishes finish with 202, sender closed', async () => {
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
    const inFlight = Array.from({ length: 20 }, (_, i) => post(port, `c-${i}`));
    await until(() => held === 20 && sender.batches.length >= 1);
    const shutdown = server.shutdown('SIGTERM');
    const late = await post(port, 'late');
    expect(late.status).toBe(503);
    expect(JSON.parse(late.body)).toMatchObject({ reason: 'draining' });
    sender.releaseAll();
    const replies = await Promise.all(inFlight);
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(202));
    expect(await shutdown).toEqual({ clean: true });
    expect(sender.closed).toBe(true);
    expect(sender.batches.flat().map((m) => m.key)).not.toContain('late');
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
