/**
 * smoke-inputs.sh against the az test double: the signing secret comes from Key Vault into a secret
 * pipeline variable and nowhere else; the URL and --resolve come from the platform's outputs; a
 * self-signed gateway certificate's public PEM becomes the smoke client's CA.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  HOST,
  Sandbox,
  VAULT,
  foundationOutputs,
  openedCloud,
  platformOutputs,
  privateCloud,
  type Cloud,
} from './test-support';

const SCRIPT = 'smoke-inputs.sh';
const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const PEM = '-----BEGIN CERTIFICATE-----\nTUlJQg==\n-----END CERTIFICATE-----\n';
let box: Sandbox;

function cloudWithSecrets(base: Cloud = openedCloud(), secret = SECRET): Cloud {
  const vault = base.keyvaults?.[VAULT];
  if (vault) {
    vault.secrets = { 'webhook-secret': secret };
    vault.certificates = { 'gateway-tls': { thumbprint: 'AB'.repeat(20), pem: PEM } };
  }
  return base;
}

function run(
  cloud: Cloud,
  foundation: Record<string, string> = {},
  platform: Record<string, string> = {},
): ReturnType<Sandbox['run']> & { out: string } {
  box = new Sandbox(cloud);
  const f = box.writeOutputs('foundation', foundationOutputs(foundation));
  const p = box.writeOutputs('platform', platformOutputs(platform));
  const out = join(box.dir, 'smoke');
  return { ...box.run(SCRIPT, [f, p, out]), out };
}

afterEach(() => box.remove());

const variables = (stdout: string): Record<string, string> =>
  Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => /^##vso\[task\.setvariable variable=([A-Z_]+)(;issecret=true)?\](.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [`${m[1] ?? ''}${m[2] ? ' (secret)' : ''}`, m[3] ?? '']),
  );

it('hands the signing secret over as a secret pipeline variable, and shows it nowhere else', () => {
  const r = run(cloudWithSecrets());
  expect(r.code).toBe(0);
  expect(variables(r.stdout)['SMOKE_WEBHOOK_SECRET (secret)']).toBe(SECRET);
  expect(r.stdout.split('\n').filter((line) => line.includes(SECRET))).toEqual([
    `##vso[task.setvariable variable=SMOKE_WEBHOOK_SECRET;issecret=true]${SECRET}`,
  ]);
  expect(r.stderr).not.toContain(SECRET.slice(6));
  expect(box.leftovers()).toEqual([]);
});

it('targets the platform’s webhook_url through gateway_public_ip (--resolve), whatever DNS says', () => {
  const r = run(cloudWithSecrets());
  expect(variables(r.stdout)).toMatchObject({
    SMOKE_URL: `https://${HOST}/webhook`,
    SMOKE_RESOLVE: `${HOST}:20.0.0.7`,
  });
});

it('trusts a self-signed gateway certificate through its public PEM from Key Vault, and can run again', () => {
  const r = run(cloudWithSecrets());
  const ca = variables(r.stdout).SMOKE_CA_FILE ?? '';
  expect(ca).toBe(join(r.out, 'gateway-ca.pem'));
  expect(readFileSync(ca, 'utf8')).toBe(PEM);
  expect(box.callsTo('az keyvault certificate download')[0]).toEqual(
    expect.arrayContaining(['--encoding', 'PEM', '--file', ca]),
  );
  // A retried job finds the file of the first attempt (az refuses to overwrite it).
  const f = join(box.dir, 'foundation.json');
  const p = join(box.dir, 'platform.json');
  expect(box.run(SCRIPT, [f, p, r.out]).code).toBe(0);
});

it('gives no CA for an imported certificate: the system CAs apply', () => {
  const r = run(cloudWithSecrets(), { gateway_certificate_source: 'import' });
  expect(r.code).toBe(0);
  expect(variables(r.stdout).SMOKE_CA_FILE).toBe('');
  expect(existsSync(join(r.out, 'gateway-ca.pem'))).toBe(false);
  expect(box.callsTo('az keyvault certificate download')).toEqual([]);
});

it('refuses a webhook_url on another host than gateway_host_name (--resolve would not apply)', () => {
  const r = run(cloudWithSecrets(), {}, { webhook_url: 'https://elsewhere.example.test/webhook' });
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain(`is not on gateway_host_name '${HOST}'`);
  expect(r.stdout).toBe('');
});

it('refuses a secret that is not in Standard Webhooks format, without showing it', () => {
  const r = run(cloudWithSecrets(openedCloud(), 'plain-old-password'));
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).not.toContain('plain-old-password');
});

it('cannot read the secret from a private vault that was not opened to the agent', () => {
  const r = run(cloudWithSecrets(privateCloud()));
  expect(r.code).not.toBe(0);
  expect(variables(r.stdout)['SMOKE_WEBHOOK_SECRET (secret)']).toBeUndefined();
});
