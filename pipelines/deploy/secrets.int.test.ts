/**
 * secrets.sh against the az test double: the webhook secret is created once, in Standard Webhooks
 * format, never overwritten and never shown; the gateway certificate is issued by Key Vault
 * (self-signed) or imported from the PFX only when its thumbprint differs; 403s while role
 * assignments propagate are retried, within a bound. The PFX files are made here by openssl.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FORBIDDEN_BY_RBAC,
  HOST,
  Sandbox,
  VAULT,
  foundationOutputs,
  openedCloud,
  privateCloud,
  type Cloud,
} from './test-support';

const SCRIPT = 'secrets.sh';
const SECRET = 'webhook-secret';
const CERT = 'gateway-tls';
let box: Sandbox;
let outputs: string;

function setUp(cloud: Cloud = openedCloud(), overrides: Record<string, string> = {}): void {
  box = new Sandbox(cloud);
  outputs = box.writeOutputs('foundation', foundationOutputs(overrides));
}

afterEach(() => box.remove());

const vault = () => box.cloud().keyvaults?.[VAULT];

describe('webhook secret', () => {
  it('creates a missing secret as whsec_ + base64 of 32 random bytes, never printed nor on a command line', () => {
    setUp();
    const run = box.run(SCRIPT, [outputs]);
    expect(run.code).toBe(0);
    const value = vault()?.secrets?.[SECRET] ?? '';
    expect(value).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(value.slice('whsec_'.length), 'base64')).toHaveLength(32);
    // Not in the script's output, not in any argv (the log records every call's argv).
    expect(run.stdout + run.stderr).not.toContain(value.slice('whsec_'.length));
    expect(readFileSync(box.logPath, 'utf8')).not.toContain(value.slice('whsec_'.length));
    // Passed as a 0600 file that is gone afterwards.
    const writes = box.cloud().secretWrites ?? [];
    expect(writes).toHaveLength(1);
    expect(writes[0]?.mode).toBe('600');
    expect(box.leftovers()).toEqual([]);
    expect(box.callsTo('az keyvault secret set')[0]).toEqual(
      expect.arrayContaining(['--file', '--output', 'none']),
    );
  });

  it('never overwrites an existing secret (senders hold it)', () => {
    const cloud = openedCloud();
    const existing = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    if (cloud.keyvaults?.[VAULT]) cloud.keyvaults[VAULT].secrets = { [SECRET]: existing };
    setUp(cloud);
    const run = box.run(SCRIPT, [outputs]);
    expect(run.code).toBe(0);
    expect(vault()?.secrets?.[SECRET]).toBe(existing);
    expect(box.callsTo('az keyvault secret set')).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain(existing);
    expect(run.stderr).toContain('exists in kv-webhooks-dev: left unchanged');
  });

  it('is idempotent: two runs create one secret and keep it', () => {
    setUp();
    expect(box.run(SCRIPT, [outputs]).code).toBe(0);
    const first = vault()?.secrets?.[SECRET];
    expect(box.run(SCRIPT, [outputs]).code).toBe(0);
    expect(vault()?.secrets?.[SECRET]).toBe(first);
    expect(box.callsTo('az keyvault secret set')).toHaveLength(1);
  });

  it('retries a 403 while the Key Vault role assignment propagates, then goes on', () => {
    setUp({
      ...openedCloud(),
      failures: [{ match: 'az keyvault secret show', times: 2, stderr: FORBIDDEN_BY_RBAC, exit: 1 }],
    });
    const run = box.run(SCRIPT, [outputs]);
    expect(run.code).toBe(0);
    expect(box.callsTo('az keyvault secret show')).toHaveLength(3);
    expect(run.stderr).toMatch(/forbidden \(attempt 1 of 12/);
    expect(vault()?.secrets?.[SECRET]).toMatch(/^whsec_/);
  });

  it('gives up on a 403 that lasts, after DEPLOY_RETRY_ATTEMPTS, and writes nothing', () => {
    setUp({
      ...openedCloud(),
      failures: [{ match: 'az keyvault secret show', times: 100, stderr: FORBIDDEN_BY_RBAC, exit: 1 }],
    });
    const run = box.run(SCRIPT, [outputs], { DEPLOY_RETRY_ATTEMPTS: '4' });
    expect(run.code).not.toBe(0);
    expect(box.callsTo('az keyvault secret show')).toHaveLength(4);
    expect(box.callsTo('az keyvault secret set')).toEqual([]);
  });

  it('fails at once on an error that a retry would not fix', () => {
    setUp({
      ...openedCloud(),
      failures: [{ match: 'az keyvault secret show', times: 1, stderr: '(BadParameter) nope', exit: 1 }],
    });
    const run = box.run(SCRIPT, [outputs]);
    expect(run.code).not.toBe(0);
    expect(box.callsTo('az keyvault secret show')).toHaveLength(1);
    expect(run.stderr).toContain('cannot tell whether secret webhook-secret exists');
  });

  it('cannot reach a private vault that was not opened to the agent', () => {
    setUp(privateCloud());
    const run = box.run(SCRIPT, [outputs], { DEPLOY_RETRY_ATTEMPTS: '2' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('ForbiddenByFirewall');
    expect(vault()?.secrets).toBeUndefined();
  });
});

describe('gateway certificate, self-signed', () => {
  it('asks Key Vault for a certificate for gateway_host_name (CN and SAN), 12 months, auto-renewed', () => {
    setUp();
    expect(box.run(SCRIPT, [outputs]).code).toBe(0);
    const policy = vault()?.certificates?.[CERT]?.policy as {
      x509CertificateProperties: Record<string, unknown>;
      lifetimeActions: unknown[];
      secretProperties: Record<string, unknown>;
    };
    expect(policy.x509CertificateProperties).toMatchObject({
      subject: `CN=${HOST}`,
      subjectAlternativeNames: { dnsNames: [HOST] },
      validityInMonths: 12,
    });
    expect(policy.lifetimeActions).toEqual([
      { action: { actionType: 'AutoRenew' }, trigger: { daysBeforeExpiry: 90 } },
    ]);
    // Key Vault's default for the rest: a PKCS#12 secret, as Application Gateway needs.
    expect(policy.secretProperties).toEqual({ contentType: 'application/x-pkcs12' });
    expect(box.callsTo('az keyvault certificate pending show').length).toBeGreaterThan(0);
  });

  it('leaves an existing certificate alone (Key Vault renews it)', () => {
    setUp();
    expect(box.run(SCRIPT, [outputs]).code).toBe(0);
    const first = vault()?.certificates?.[CERT];
    expect(box.run(SCRIPT, [outputs]).code).toBe(0);
    expect(vault()?.certificates?.[CERT]).toEqual(first);
    expect(box.callsTo('az keyvault certificate create')).toHaveLength(1);
  });
});

describe('gateway certificate, imported from a PFX', () => {
  let pfxDir: string;

  /** A PFX for `host`, protected by `password`, and its SHA-1 thumbprint (upper-case hex). */
  function makePfx(name: string, host: string, password: string): { path: string; thumbprint: string } {
    const key = join(pfxDir, `${name}.key`);
    const cert = join(pfxDir, `${name}.pem`);
    const path = join(pfxDir, `${name}.pfx`);
    const openssl = (args: string[]) => {
      const r = spawnSync('openssl', args, {
        encoding: 'utf8',
        env: { ...process.env, PFX_PASSWORD: password },
      });
      if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.error?.message ?? r.stderr}`);
      return r.stdout;
    };
    const req = 'req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30'.split(' ');
    openssl([
      ...req,
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      `/CN=${host}`,
      '-addext',
      `subjectAltName=DNS:${host}`,
    ]);
    openssl(['pkcs12', '-export', '-inkey', key, '-in', cert, '-out', path, '-passout', 'env:PFX_PASSWORD']);
    const fingerprint = openssl(['x509', '-in', cert, '-noout', '-fingerprint', '-sha1']);
    return { path, thumbprint: fingerprint.replace(/^.*=/, '').replace(/:/g, '').trim().toUpperCase() };
  }

  beforeAll(() => {
    pfxDir = mkdtempSync(join(tmpdir(), 'deploy-pfx-'));
  });
  afterAll(() => rmSync(pfxDir, { recursive: true, force: true }));

  const importEnv = (path: string, password = 'pfx-pass') => ({
    GATEWAY_PFX_PATH: path,
    GATEWAY_PFX_PASSWORD: password,
    EXPECTED_GATEWAY_CERTIFICATE_SOURCE: 'import',
  });

  it('imports the PFX when the vault has no certificate yet', () => {
    const pfx = makePfx('first', HOST, 'pfx-pass');
    setUp(openedCloud(), { gateway_certificate_source: 'import' });
    const run = box.run(SCRIPT, [outputs], importEnv(pfx.path));
    expect(run.code).toBe(0);
    expect(vault()?.certificates?.[CERT]).toMatchObject({ thumbprint: pfx.thumbprint, source: 'import' });
    expect(box.callsTo('az keyvault certificate import')).toHaveLength(1);
    expect(run.stdout + run.stderr).not.toContain('pfx-pass');
  });

  it('does not import again a PFX whose thumbprint the vault’s certificate already has', () => {
    const pfx = makePfx('same', HOST, 'pfx-pass');
    const cloud = openedCloud();
    if (cloud.keyvaults?.[VAULT])
      cloud.keyvaults[VAULT].certificates = { [CERT]: { thumbprint: pfx.thumbprint } };
    setUp(cloud, { gateway_certificate_source: 'import' });
    const run = box.run(SCRIPT, [outputs], importEnv(pfx.path));
    expect(run.code).toBe(0);
    expect(box.callsTo('az keyvault certificate import')).toEqual([]);
    expect(run.stderr).toContain(`already has thumbprint ${pfx.thumbprint}: not imported again`);
  });

  it('imports a renewed PFX (another thumbprint) over the current certificate', () => {
    const pfx = makePfx('renewed', HOST, 'pfx-pass');
    const cloud = openedCloud();
    if (cloud.keyvaults?.[VAULT])
      cloud.keyvaults[VAULT].certificates = { [CERT]: { thumbprint: 'AB'.repeat(20) } };
    setUp(cloud, { gateway_certificate_source: 'import' });
    expect(box.run(SCRIPT, [outputs], importEnv(pfx.path)).code).toBe(0);
    expect(vault()?.certificates?.[CERT]?.thumbprint).toBe(pfx.thumbprint);
  });

  it('refuses a PFX whose certificate is for another host name', () => {
    const pfx = makePfx('other-host', 'somewhere-else.example.test', 'pfx-pass');
    setUp(openedCloud(), { gateway_certificate_source: 'import' });
    const run = box.run(SCRIPT, [outputs], importEnv(pfx.path));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`is not valid for ${HOST}`);
    expect(box.callsTo('az keyvault certificate import')).toEqual([]);
  });

  it('refuses a wrong password, a missing PFX and a password variable the group does not define', () => {
    const pfx = makePfx('pw', HOST, 'pfx-pass');
    setUp(openedCloud(), { gateway_certificate_source: 'import' });
    expect(box.run(SCRIPT, [outputs], importEnv(pfx.path, 'wrong')).stderr).toContain('cannot open the PFX');
    expect(box.run(SCRIPT, [outputs], importEnv(join(pfxDir, 'missing.pfx'))).stderr).toContain(
      'is not a readable PFX',
    );
    // An undefined Azure DevOps variable arrives as its own macro text.
    expect(box.run(SCRIPT, [outputs], importEnv(pfx.path, '$(GATEWAY_PFX_PASSWORD)')).stderr).toContain(
      'GATEWAY_PFX_PASSWORD is not set',
    );
    expect(box.callsTo('az keyvault certificate import')).toEqual([]);
  });

  it('refuses a stack whose certificate source is not the one the pipeline prepared for', () => {
    setUp(openedCloud(), { gateway_certificate_source: 'import' });
    const run = box.run(SCRIPT, [outputs], { EXPECTED_GATEWAY_CERTIFICATE_SOURCE: 'self-signed' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(
      "gateway_certificate_source is 'import' but the pipeline prepared for 'self-signed'",
    );
    expect(box.calls()).toEqual([]);
  });
});
