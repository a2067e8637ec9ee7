/**
 * The body cap through a REAL socket: the production listener (./node-listener.ts) on port 0, raw
 * HTTP written with node:net, so chunked framing and lying Content-Length headers reach the app
 * exactly as an attacker sends them (CVE-2025-59139, CVE-2026-44456 were both missed by tests that
 * only used app.request).
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { makeApp, sign } from './test-fixtures';

const LIMIT = 1024;
let server: Server;
let port: number;
let fixture: ReturnType<typeof makeApp>;

beforeAll(async () => {
  fixture = makeApp({ maxBodyBytes: LIMIT });
  await new Promise<void>((resolve) => {
    server = createServer(fixture.listener).listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => fixture.publisher.published.splice(0));

/** Writes `parts` (with a short pause between them) and returns what the server sent back. */
function raw(parts: string[], timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(received);
    }, timeoutMs);
    socket.on('data', (d) => {
      received += d.toString();
    });
    socket.on('error', (err) => {
      if (received !== '') return; // a reset after the response was sent is fine
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('connect', () => {
      void (async () => {
        for (const part of parts) {
          if (socket.destroyed) return;
          socket.write(part);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
    });
  });
}

const status = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);

function head(headers: Record<string, string>): string {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${lines.join('\r\n')}\r\n\r\n`;
}

const chunk = (data: string) => `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`;

describe('body limit over a real socket', () => {
  it('accepts a signed chunked body under the limit (control case)', async () => {
    const body = JSON.stringify({ clientId: 'c', opportunity: { a: 1 } });
    const res = await raw([
      head({ 'Transfer-Encoding': 'chunked', 'X-Hub-Signature-256': sign(body), Connection: 'close' }),
      chunk(body.slice(0, 10)),
      chunk(body.slice(10)),
      '0\r\n\r\n',
    ]);
    expect(status(res)).toBe(202);
    expect(fixture.publisher.published).toHaveLength(1);
  });

  it('answers 413 to a chunked body without Content-Length that grows past the limit', async () => {
    const pad = 'x'.repeat(400);
    const body = `{"clientId":"c","opportunity":{"pad":"${pad}${pad}${pad}"}}`;
    const res = await raw([
      head({ 'Transfer-Encoding': 'chunked', 'X-Hub-Signature-256': sign(body), Connection: 'close' }),
      ...[0, 400, 800, 1200].map((i) => chunk(body.slice(i, i + 400))),
      '0\r\n\r\n',
    ]);
    expect(status(res)).toBe(413);
    expect(res).toContain('application/problem+json');
    expect(fixture.publisher.published).toHaveLength(0);
  });

  it('answers 413 without waiting for the rest when a chunked stream never ends', async () => {
    const parts = [
      head({ 'Transfer-Encoding': 'chunked', 'X-Hub-Signature-256': 'sha256=' + '0'.repeat(64) }),
    ];
    for (let i = 0; i < 20; i++) parts.push(chunk('y'.repeat(200)));
    const res = await raw(parts, 2000); // never sends the terminating 0-chunk
    expect(status(res)).toBe(413);
  });

  it('answers 413 from the declared Content-Length before reading the body', async () => {
    const res = await raw([head({ 'Content-Length': String(LIMIT + 1) })], 2000);
    expect(status(res)).toBe(413);
  });

  it('never publishes a body whose small Content-Length is contradicted by chunked framing', async () => {
    // CVE-2025-59139 shape: Content-Length under the limit plus Transfer-Encoding: chunked.
    const pad = 'z'.repeat(1500);
    const body = `{"clientId":"c","opportunity":{"pad":"${pad}"}}`;
    const res = await raw([
      head({
        'Content-Length': '20',
        'Transfer-Encoding': 'chunked',
        'X-Hub-Signature-256': sign(body),
        Connection: 'close',
      }),
      chunk(body),
      '0\r\n\r\n',
    ]);
    expect([400, 413]).toContain(status(res));
    expect(fixture.publisher.published).toHaveLength(0);
  });

  it('publishes nothing when the client disconnects mid-body, and keeps serving the next request', async () => {
    const body = JSON.stringify({ clientId: 'c', opportunity: { pad: 'q'.repeat(300) } });
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          head({ 'Content-Length': String(Buffer.byteLength(body)), 'X-Hub-Signature-256': sign(body) }) +
            body.slice(0, 100),
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(fixture.publisher.published).toHaveLength(0);
    const length = String(Buffer.byteLength(body));
    const next = await raw([
      head({ 'Content-Length': length, 'X-Hub-Signature-256': sign(body), Connection: 'close' }) + body,
    ]);
    expect(status(next)).toBe(202);
    expect(fixture.publisher.published).toHaveLength(1);
  });

  it('logs a client aborting mid-body at debug without a stack, and its access line as 499, not a 5xx', async () => {
    fixture.lines.splice(0);
    const body = JSON.stringify({ clientId: 'c', opportunity: { pad: 'q'.repeat(300) } });
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          head({
            'Content-Length': String(Buffer.byteLength(body)),
            'X-Hub-Signature-256': sign(body),
            'X-Request-Id': 'gone-1',
          }) + body.slice(0, 100),
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });
    const about = () => fixture.lines.filter((l) => l['requestId'] === 'gone-1');
    const deadline = Date.now() + 2000;
    while (!about().some((l) => typeof l['status'] === 'number') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const lines = about();
    expect(lines.filter((l) => ['warn', 'error', 'fatal'].includes(String(l['level'])))).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain('stack');
    expect(lines.find((l) => l['msg'] === 'client aborted the request')).toMatchObject({
      level: 'debug',
      reason: 'the client closed the connection before the request body ended',
    });
    expect(lines.filter((l) => typeof l['status'] === 'number')).toEqual([
      expect.objectContaining({ msg: 'request', level: 'info', status: 499, aborted: true }),
    ]);
    expect(fixture.publisher.published).toHaveLength(0);
  });

  it('does not let bytes beyond a lying Content-Length become part of the verified body', async () => {
    // Content-Length says 40 but more follows: only 40 bytes are the body (the rest is a
    // separate, malformed request), so the signature over the whole text cannot match.
    const body = JSON.stringify({ clientId: 'c', opportunity: { pad: 'p'.repeat(100) } });
    const res = await raw([head({ 'Content-Length': '40', 'X-Hub-Signature-256': sign(body) }) + body], 2000);
    expect(status(res)).not.toBe(202);
    expect(res).not.toContain(' 202 ');
    expect(fixture.publisher.published).toHaveLength(0);
  });
});

describe("Node's request time-out cutting a body", () => {
  it('is logged as an aborted request: access line 408 at info, no error line, nothing published', async () => {
    const timed = makeApp({ maxBodyBytes: LIMIT });
    const s = createServer(
      { requestTimeout: 300, headersTimeout: 300, connectionsCheckingInterval: 50 },
      timed.listener,
    );
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port: timedPort } = s.address() as AddressInfo;
      const received = await new Promise<string>((resolve) => {
        let text = '';
        const socket = connect(timedPort, '127.0.0.1', () => {
          socket.write(head({ 'Content-Length': '100', 'X-Request-Id': 'slow-1' }) + '{"clientId"');
        });
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(text));
      });
      expect(status(received)).toBe(408);
      const deadline = Date.now() + 2000;
      const access = () => timed.lines.find((l) => l['requestId'] === 'slow-1' && l['status'] !== undefined);
      while (access() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(access()).toMatchObject({ msg: 'request', level: 'info', status: 408, aborted: true });
      expect(timed.lines.filter((l) => ['warn', 'error', 'fatal'].includes(String(l['level'])))).toEqual([]);
      expect(timed.publisher.published).toHaveLength(0);
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });
});
