/**
 * Security scan: checkov (PyPI, pinned in requirements-dev.txt; CI installs it into .venv) with
 * `--framework terraform_json` over every synthesized stack. A stack passes when every failed
 * check is in its skip list in `checkov-skips.ts`, where each skip says why; a skip that no longer
 * matches a failure is stale and fails too, so the list cannot rot.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { MessageBus } from '../../constructs/messaging';
import { STACK_NAMES, skipsFor, type StackName } from './checkov-skips';
import { synthAll, type Synthesized } from './synth';

interface CheckResult {
  readonly check_id: string;
  readonly check_name: string;
  readonly resource: string;
  readonly file_path: string;
}
interface Report {
  readonly results: { readonly passed_checks: CheckResult[]; readonly failed_checks: CheckResult[] };
  readonly summary: { readonly parsing_errors: number };
}

function checkovBinary(): string {
  const venv = join(__dirname, '..', '..', '.venv', 'bin', 'checkov');
  return existsSync(venv) ? venv : 'checkov';
}

interface Scan {
  readonly report: Report;
  readonly stderr: string;
}

/** One checkov run over every stack file (one start-up instead of three). */
function scan(files: readonly string[]): Scan {
  const args = [
    ...files.flatMap((f) => ['-f', f]),
    '--framework',
    'terraform_json',
    '-o',
    'json',
    '--compact',
  ];
  // --skip-download: no platform (Prisma Cloud) calls; the scan is offline.
  const child = spawnSync(checkovBinary(), [...args, '--skip-download'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, LOG_LEVEL: 'WARNING' },
  });
  if (child.error !== undefined || child.stdout === '') {
    throw new Error(
      `checkov did not run (install it: .venv/bin/pip install -r requirements-dev.txt): ${String(child.error ?? child.stderr)}`,
    );
  }
  // checkov exits 1 when a check failed; its JSON report is on stdout either way.
  const report = JSON.parse(child.stdout) as Report;
  if (!report.results) throw new Error(`unexpected checkov output: ${child.stdout.slice(0, 500)}`);
  return { report, stderr: child.stderr };
}

function stackOf(result: CheckResult): string {
  return /\/stacks\/([^/]+)\/cdk\.tf\.json$/.exec(result.file_path)?.[1] ?? '?';
}

/**
 * A stack with only a Premium Service Bus using `customerManagedKey`: the option that the skips of
 * CKV_AZURE_199/201/202 point to must really satisfy those checks.
 */
function synthCmkStack(outdir: string): string {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'cmk');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  new MessageBus(stack, 'Bus', {
    name: 'sbns-webhooks-cmk-weu-1a2b',
    resourceGroupName: 'rg-webhooks-cmk',
    location: 'westeurope',
    serviceBus: {
      sku: 'Premium',
      customerManagedKey: {
        keyVaultKeyId: 'https://kv-webhooks-cmk.vault.azure.net/keys/servicebus',
        userAssignedIdentityId:
          '/subscriptions/s/resourceGroups/rg-webhooks-cmk/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-sb-cmk',
      },
    },
  });
  app.synth();
  return join(outdir, 'stacks', 'cmk', 'cdk.tf.json');
}

let synth: Synthesized;
let cmkDir: string;
let result: Scan;
const forStack = (stack: StackName, kind: 'passed_checks' | 'failed_checks'): CheckResult[] =>
  result.report.results[kind].filter((c) => stackOf(c) === stack);

beforeAll(() => {
  synth = synthAll();
  cmkDir = mkdtempSync(join(tmpdir(), 'webhooks-cmk-'));
  result = scan([...STACK_NAMES.map((stack) => synth.file(stack)), synthCmkStack(cmkDir)]);
}, 240_000);
afterAll(() => {
  synth.cleanup();
  rmSync(cmkDir, { recursive: true, force: true });
});

describe('checkov --framework terraform_json', () => {
  it.each(STACK_NAMES)('%s: scans the stack (checks ran and passed)', (stack) => {
    // Guards against a scan that silently parsed nothing. checkov has few checks for the platform's
    // types (gateway and WAF policy only; none for container apps), many for the foundation's.
    const least = stack === 'bootstrap' ? 10 : stack.endsWith('-platform') ? 3 : 20;
    expect(forStack(stack, 'passed_checks').length).toBeGreaterThan(least);
  });

  it('parsed every file and no check crashed (a crashed check passes nothing and fails nothing)', () => {
    expect(result.report.summary.parsing_errors).toBe(0);
    expect(result.stderr).not.toMatch(/Failed to run check/);
  });

  it.each(STACK_NAMES)('%s: every failed check is skipped with a reason', (stack) => {
    const skips = skipsFor(stack);
    const failed = forStack(stack, 'failed_checks');
    const unexplained = failed
      .filter((c) => !skips.some((s) => s.id === c.check_id && s.resource.test(c.resource)))
      .map((c) => `${c.check_id} ${c.resource}: ${c.check_name}`);
    expect(unexplained).toEqual([]);
  });

  it.each(STACK_NAMES)('%s: every skip still matches a failure (no stale skip)', (stack) => {
    const failed = forStack(stack, 'failed_checks');
    const stale = skipsFor(stack)
      .filter((s) => !failed.some((c) => c.check_id === s.id && s.resource.test(c.resource)))
      .map((s) => `${s.id} ${String(s.resource)}`);
    expect(stale).toEqual([]);
  });

  it('serviceBus.customerManagedKey passes the checks skipped without it (CKV_AZURE_199, 201, 202)', () => {
    const outcome = (id: string): string => {
      const inStack = (kind: 'passed_checks' | 'failed_checks'): boolean =>
        result.report.results[kind].some((c) => c.check_id === id && stackOf(c) === 'cmk');
      return inStack('failed_checks') ? 'failed' : inStack('passed_checks') ? 'passed' : 'not run';
    };
    expect(['CKV_AZURE_199', 'CKV_AZURE_201', 'CKV_AZURE_202'].map(outcome)).toEqual([
      'passed',
      'passed',
      'passed',
    ]);
  });
});
