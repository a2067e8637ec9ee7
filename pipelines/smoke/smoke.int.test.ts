/**
 * The smoke client against real HTTP and HTTPS servers on 127.0.0.1 that check signatures with the
 * runtime's own Standard Webhooks verifier (runtime/src/verify), so a drift between what the
 * pipeline signs and what the runtime accepts fails here. The HTTPS cases use a self-signed
 * certificate made by `openssl req -x509` for each run (node:crypto cannot issue X.509), like the
 * one Key Vault issues for dev's gateway.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { standardWebhooksVerifier } from '../../runtime/src/verify/standard-webhooks';
import { runSmokeTest } from './smoke';

const SECRET = `whsec_${Buffer.from('pipeline smoke test secret 32 bytes!').toString('base64')}`;

interface Receiver {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  readonly bodies: string[];
  /** Host header and TLS server name (SNI) of each request. */
  readonly seen: { host?: string; servername?: string }[];
}

/**
 * Answers with `statuses` in turn (the last one repeats), but 401 for a bad signature; over TLS
 * with `tls`, else plain HTTP.
 */
function startReceiver(statuses: number[], tls?: { key: string; cert: string }): Promise<Receiver> {
  const verifier = standardWebhooksVerifier([SECRET]);
  const bodies: string[] = [];
  const seen: Receiver['seen'] = [];
  let n = 0;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
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
      const servername = (req.socket as Partial<TLSSocket>).servername;
      seen.push({
        host: req.headers.host,
        servername: typeof servername === 'string' ? servername : undefined,
      });
      const status = verdict.ok ? (statuses[Math.min(n++, statuses.length - 1)] ?? 500) : 401;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(verdict));
    });
  };
  const server = tls ? createTlsServer(tls, handler) : createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const scheme = tls ? 'https' : 'http';
      resolve({ server, port, url: `${scheme}://127.0.0.1:${port}/webhooks`, bodies, seen });
    }),
  );
}

const stop = (server: Server) => new Promise<void>((r) => server.close(() => r()));

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

/** A self-signed certificate for `host`, as Key Vault issues one (CA:FALSE, SAN = the host). */
function selfSignedCertificate(dir: string, host: string): { key: string; cert: string } {
  const keyFile = join(dir, `${host}.key`);
  const certFile = join(dir, `${host}.pem`);
  // Like Key Vault's self-signed certificates: not a CA, key usage incl. keyCertSign, SAN = the host.
  const fixed = 'req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2'.split(' ');
  const extensions = [
    `subjectAltName=DNS:${host}`,
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=digitalSignature,keyEncipherment,keyCertSign',
  ].flatMap((e) => ['-addext', e]);
  const run = spawnSync(
    'openssl',
    [...fixed, '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${host}`, ...extensions],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) {
    throw new Error(`openssl req -x509 failed (is openssl installed?): ${run.error?.message ?? run.stderr}`);
  }
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}

describe('runSmokeTest over HTTPS with --ca-file and --resolve', () => {
  const HOST = 'smoke.example.test';
  let dir: string;
  let gateway: { key: string; cert: string };
  let other: { key: string; cert: string };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'smoke-tls-'));
    gateway = selfSignedCertificate(dir, HOST);
    other = selfSignedCertificate(dir, 'other.example.test');
  }, 30_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trusts the given self-signed certificate and reaches the resolved address with SNI and Host = the host name', async () => {
    const r = await startReceiver([202], gateway);
    try {
      const result = await runSmokeTest({
        url: `https://${HOST}:${r.port}/webhook`,
        secret: SECRET,
        clientId: 'pipeline-smoke-dev',
        deadlineMs: 5_000,
        ca: gateway.cert,
        resolve: { host: HOST, address: '127.0.0.1' },
      });
      expect(result).toMatchObject({ ok: true, attempts: 1, status: 202 });
      expect(r.seen).toEqual([{ host: `${HOST}:${r.port}`, servername: HOST }]);
    } finally {
      await stop(r.server);
    }
  });

  // Each fails without sending the webhook: TLS is verified whatever the options.
  it.each([
    {
      when: 'the certificate is not the trusted one',
      serves: () => gateway,
      ca: () => undefined,
      port: (p: number) => p,
      error: /SELF_SIGNED|self[- ]signed/i,
    },
    {
      when: 'the trusted certificate is for another host name than the URL',
      serves: () => other,
      ca: () => other.cert,
      port: (p: number) => p,
      error: /ERR_TLS_CERT_ALTNAME_INVALID/,
    },
    {
      when: '--resolve names another port (it applies only to its host and port: this one goes to DNS)',
      serves: () => gateway,
      ca: () => gateway.cert,
      port: (p: number) => (p === 443 ? 444 : 443),
      error: /ENOTFOUND|EAI_AGAIN/,
    },
  ])('fails when $when', async ({ serves, ca, port, error }) => {
    const r = await startReceiver([202], serves());
    try {
      const result = await runSmokeTest({
        url: `https://${HOST}:${r.port}/webhook`,
        secret: SECRET,
        clientId: 'c',
        deadlineMs: 300,
        initialBackoffMs: 50,
        ca: ca(),
        resolve: { host: HOST, port: port(r.port), address: '127.0.0.1' },
      });
      expect(result.ok).toBe(false);
      expect(result.detail).toMatch(error);
      expect(r.bodies).toEqual([]);
    } finally {
      await stop(r.server);
    }
  });

  it('the CLI reads --ca-file and --resolve (run as the pipeline runs it: npx tsx pipelines/smoke/main.ts)', async () => {
    const root = resolve(__dirname, '..', '..');
    const caFile = join(dir, 'gateway-ca.pem');
    writeFileSync(caFile, gateway.cert);
    const r = await startReceiver([202], gateway);
    try {
      const args = [
        'tsx',
        'pipelines/smoke/main.ts',
        '--url',
        `https://${HOST}:${r.port}/webhook`,
        '--client-id',
        'cli',
      ];
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? root,
        SMOKE_WEBHOOK_SECRET: SECRET,
      };
      const run = (extra: string[]) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn('npx', [...args, '--deadline-seconds', '1', ...extra], { env, cwd: root });
          let out = '';
          child.stdout.on('data', (c: Buffer) => (out += c.toString()));
          child.stderr.on('data', (c: Buffer) => (out += c.toString()));
          child.on('close', (code) => resolve({ code, out }));
        });
      const ok = await run(['--ca-file', caFile, '--resolve', `${HOST}:127.0.0.1`]);
      expect(ok).toMatchObject({ code: 0, out: expect.stringContaining('smoke: PASS via 127.0.0.1') });
      const otherHost = await run(['--ca-file', caFile, '--resolve', 'elsewhere.example.test:127.0.0.1']);
      expect(otherHost.code).toBe(1);
      expect(otherHost.out).toContain('--resolve names elsewhere.example.test');
      expect(r.bodies).toHaveLength(1);
    } finally {
      await stop(r.server);
    }
  }, 30_000);
});
