/**
 * The smoke client against a real HTTP server on 127.0.0.1 that checks signatures with the
 * runtime's own Standard Webhooks verifier (runtime/src/verify), so a drift between what the
 * pipeline signs and what the runtime accepts fails here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { standardWebhooksVerifier } from '../../runtime/src/verify/standard-webhooks';
import { signStandardWebhook } from './sign';
import { runSmokeTest } from './smoke';

const SECRET = `whsec_${Buffer.from('pipeline smoke test secret 32 bytes!').toString('base64')}`;

/** Answers with `statuses` in turn (the last one repeats), but 401 for a bad signature. */
function startReceiver(statuses: number[]): Promise<{ server: Server; url: string; bodies: string[] }> {
  const verifier = standardWebhooksVerifier([SECRET]);
  const bodies: string[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const header = (name: string) => {
        const v = req.headers[name.toLowerCase()];
        return Array.isArray(v) ? v[0] : v;
      };
      const verdict = verifier.verify({ header, rawBody, now: Date.now() });
      bodies.push(rawBody.toString('utf8'));
      const status = verdict.ok ? (statuses[Math.min(n++, statuses.length - 1)] ?? 500) : 401;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(verdict));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/webhooks`, bodies });
    }),
  );
}

const stop = (server: Server) => new Promise<void>((r) => server.close(() => r()));

describe('signStandardWebhook', () => {
  it('produces the signature of the Standard Webhooks specification example', () => {
    const headers = signStandardWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe('runSmokeTest', () => {
  it('passes on 202 with a signature the runtime verifier accepts and a {clientId, opportunity} body', async () => {
    const { server, url, bodies } = await startReceiver([202]);
    try {
      const result = await runSmokeTest({
        url,
        secret: SECRET,
        clientId: 'pipeline-smoke-dev',
        deadlineMs: 5_000,
      });
      expect(result).toMatchObject({ ok: true, attempts: 1, status: 202 });
      const body = JSON.parse(bodies[0] ?? '{}') as {
        clientId?: string;
        opportunity?: { smokeTest?: boolean };
      };
      expect(body.clientId).toBe('pipeline-smoke-dev');
      expect(body.opportunity?.smokeTest).toBe(true);
    } finally {
      await stop(server);
    }
  });

  it('retries 503 until the deployment answers 202', async () => {
    const { server, url } = await startReceiver([503, 503, 202]);
    try {
      const result = await runSmokeTest({
        url,
        secret: SECRET,
        clientId: 'c',
        deadlineMs: 5_000,
        initialBackoffMs: 10,
      });
      expect(result).toMatchObject({ ok: true, attempts: 3 });
    } finally {
      await stop(server);
    }
  });

  it('fails at once, without retrying, when the signature is rejected (401)', async () => {
    const { server, url } = await startReceiver([202]);
    try {
      const wrong = `whsec_${Buffer.from('another secret entirely').toString('base64')}`;
      const result = await runSmokeTest({
        url,
        secret: wrong,
        clientId: 'c',
        deadlineMs: 5_000,
        initialBackoffMs: 10,
      });
      expect(result).toMatchObject({ ok: false, attempts: 1, status: 401 });
    } finally {
      await stop(server);
    }
  });

  it('fails when the deadline passes while the endpoint keeps answering 503', async () => {
    const { server, url } = await startReceiver([503]);
    try {
      const result = await runSmokeTest({
        url,
        secret: SECRET,
        clientId: 'c',
        deadlineMs: 300,
        initialBackoffMs: 50,
      });
      expect(result.ok).toBe(false);
      expect(result.status).toBe(503);
      expect(result.attempts).toBeGreaterThan(1);
    } finally {
      await stop(server);
    }
  });

  it('fails when nothing listens at the endpoint', async () => {
    const { server, url } = await startReceiver([202]);
    await stop(server);
    const result = await runSmokeTest({
      url,
      secret: SECRET,
      clientId: 'c',
      deadlineMs: 200,
      initialBackoffMs: 50,
    });
    expect(result.ok).toBe(false);
    expect(result.status).toBeUndefined();
  });
});
