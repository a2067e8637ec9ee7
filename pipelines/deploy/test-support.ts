/**
 * Runs the real deploy scripts (pipelines/deploy/*.sh) against the TEST DOUBLES of az, docker and
 * curl in ./test-doubles (Azure is unreachable from the machines that run the tests): each
 * {@link Sandbox} holds one fake "cloud" (the doubles' JSON state), the call log, the scripts'
 * state file and their TMPDIR, all in a fresh temp directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEPLOY_DIR = __dirname;
export const DOUBLES_BIN = join(__dirname, 'test-doubles', 'bin');

export const EGRESS_IP = '203.0.113.10';
export const VAULT = 'kv-webhooks-dev';
export const REGISTRY = 'acrwebhooksdev';
export const LOGIN_SERVER = 'acrwebhooksdev.azurecr.io';
export const HOST = 'webhooks-dev.example.test';

export interface Certificate {
  thumbprint: string;
  pem?: string;
  policy?: unknown;
  source?: string;
}

export interface Cloud {
  egressIp?: string;
  /** Raw answer of the what-is-my-IP service (to test a bad one). */
  egressResponse?: string;
  keyvaults?: Record<
    string,
    {
      denyByDefault?: boolean;
      ipRules?: string[];
      secrets?: Record<string, string>;
      certificates?: Record<string, Certificate>;
    }
  >;
  registries?: Record<
    string,
    { loginServer: string; denyByDefault?: boolean; ipRules?: string[]; images?: string[] }
  >;
  failures?: { match: string; times: number; stderr?: string; exit?: number }[];
  secretWrites?: { vault: string; name: string; file: string; mode: string }[];
  dockerLogins?: string[];
  dockerImages?: string[];
}

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A private vault and registry (default action Deny) holding an operator's rule each. */
export function privateCloud(): Cloud {
  return {
    egressIp: EGRESS_IP,
    keyvaults: { [VAULT]: { denyByDefault: true, ipRules: ['198.51.100.7/32'] } },
    registries: {
      [REGISTRY]: { loginServer: LOGIN_SERVER, denyByDefault: true, ipRules: ['192.0.2.1'] },
    },
  };
}

/** The same cloud, already opened to this agent (what a job sees between open and close). */
export function openedCloud(): Cloud {
  const cloud = privateCloud();
  cloud.keyvaults?.[VAULT]?.ipRules?.push(`${EGRESS_IP}/32`);
  cloud.registries?.[REGISTRY]?.ipRules?.push(EGRESS_IP);
  return cloud;
}

type Outputs = Record<string, string>;

/** The foundation's outputs as `terraform output -json` writes them (artifact foundation-<env>). */
export function foundationOutputs(overrides: Partial<Outputs> = {}): Outputs {
  return {
    resource_group_name: 'rg-webhooks-dev',
    key_vault_name: VAULT,
    key_vault_uri: `https://${VAULT}.vault.azure.net/`,
    registry_name: REGISTRY,
    registry_login_server: LOGIN_SERVER,
    webhook_secret_name: 'webhook-secret',
    gateway_certificate_name: 'gateway-tls',
    gateway_certificate_source: 'self-signed',
    gateway_host_name: HOST,
    deployer_ip_rule_targets: 'keyvault,registry',
    ...overrides,
  };
}

export function platformOutputs(overrides: Partial<Outputs> = {}): Outputs {
  return {
    gateway_public_ip: '20.0.0.7',
    webhook_url: `https://${HOST}/webhook`,
    runtime_fqdn: 'runtime.internal.example.test',
    ...overrides,
  };
}

export class Sandbox {
  readonly dir: string;
  readonly tmp: string;
  readonly statePath: string;
  readonly logPath: string;
  /** The data-plane-access.sh record of what open added. */
  readonly accessState: string;

  constructor(cloud: Cloud) {
    this.dir = mkdtempSync(join(tmpdir(), 'deploy-test-'));
    this.tmp = join(this.dir, 'tmp');
    mkdirSync(this.tmp);
    this.statePath = join(this.dir, 'cloud.json');
    this.logPath = join(this.dir, 'calls.log');
    this.accessState = join(this.dir, 'data-plane-access.state');
    writeFileSync(this.statePath, JSON.stringify(cloud));
    writeFileSync(this.logPath, '');
  }

  /** Writes outputs in `terraform output -json` form, plus a sensitive cdktf cross-stack output. */
  writeOutputs(name: string, outputs: Outputs): string {
    const file = join(this.dir, `${name}.json`);
    const json: Record<string, { sensitive: boolean; type: string; value: string }> = {};
    for (const [k, value] of Object.entries(outputs)) json[k] = { sensitive: false, type: 'string', value };
    json['cross-stack-output-x'] = { sensitive: true, type: 'string', value: 'not for the scripts' };
    writeFileSync(file, JSON.stringify(json));
    return file;
  }

  /** Runs pipelines/deploy/<script> with the doubles first on PATH and no waiting between retries. */
  run(script: string, args: readonly string[], env: Record<string, string> = {}): Run {
    const result = spawnSync(join(DEPLOY_DIR, script), [...args], {
      encoding: 'utf8',
      cwd: this.dir,
      env: {
        PATH: `${DOUBLES_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: this.dir,
        TMPDIR: this.tmp,
        TEST_DOUBLE_STATE: this.statePath,
        TEST_DOUBLE_LOG: this.logPath,
        DATA_PLANE_ACCESS_STATE: this.accessState,
        DEPLOY_RETRY_SECONDS: '0',
        DATA_PLANE_WAIT_SECONDS: '0',
        CERT_WAIT_SECONDS: '0',
        ...env,
      },
      timeout: 60_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Every call the doubles saw, program name first. */
  calls(): string[][] {
    return readFileSync(this.logPath, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as string[]);
  }

  /** Calls whose argv starts with `prefix` (e.g. `az keyvault network-rule add`). */
  callsTo(prefix: string): string[][] {
    const words = prefix.split(' ');
    return this.calls().filter((c) => words.every((w, i) => c[i] === w));
  }

  cloud(): Cloud {
    return JSON.parse(readFileSync(this.statePath, 'utf8')) as Cloud;
  }

  setCloud(update: (cloud: Cloud) => void): void {
    const cloud = this.cloud();
    update(cloud);
    writeFileSync(this.statePath, JSON.stringify(cloud));
  }

  /** Files the scripts left in their TMPDIR. */
  leftovers(): string[] {
    return readdirSync(this.tmp);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A failure the doubles inject: Key Vault's answer while a role assignment propagates. */
export const FORBIDDEN_BY_RBAC =
  '(Forbidden) Caller is not authorized to perform action on resource.\nCode: Forbidden\nInner error: {"code": "ForbiddenByRbac"}';
