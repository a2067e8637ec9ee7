/**
 * The package as a consumer gets it. `npm pack` builds the tarball once; its file list must be
 * exactly the compiled constructs (JavaScript and declarations, no tests or test helpers, no
 * stacks/, nothing of runtime/ but its contract) plus the README, LICENSE and CHANGELOG. A separate project in a temporary
 * directory then installs the tarball (offline: it has no dependencies of its own; the peers cdktf,
 * constructs and @cdktf/provider-azurerm, and the compiler, are symlinked from this repository),
 * compiles every file of examples/ with tsc against the published declarations (so each example
 * imports only what the package exports) and synthesizes each one.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const root = join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const examples = readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();

type Resources = Record<string, Record<string, Record<string, unknown>>>;
/** Terraform JSON of each synthesized stack, by stack name. */
type Stacks = Record<string, { resource?: Resources; data?: Resources }>;

let work: string;
let packedFiles: string[];

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Every `.ts` file under `dir`, relative to the repository root. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [relative(root, path)] : [];
  });
}

/** Synthesizes one compiled example into its own output directory and reads every stack it wrote. */
function synth(example: string): Stacks {
  const outdir = join(work, `cdktf.out-${example}`);
  run(process.execPath, [join('out', `${example}.js`)], work, { ...process.env, CDKTF_OUTDIR: outdir });
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  return Object.fromEntries(
    Object.entries(manifest.stacks).map(([name, stack]) => [
      name,
      JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), 'utf8')) as Stacks[string],
    ]),
  );
}

const typesOf = (stack: Stacks[string]): string[] => Object.keys(stack.resource ?? {}).sort();
const countOf = (stack: Stacks[string], type: string): number =>
  Object.keys(stack.resource?.[type] ?? {}).length;
const valuesOf = (stack: Stacks[string], type: string, field: string): unknown[] =>
  Object.values(stack.resource?.[type] ?? {}).map((r) => r[field]);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'webhooks-examples-'));
  // The package, staged apart from the repository so that no stale file of an earlier build in
  // ./dist can slip into the tarball: the files npm always packs, and a fresh build of the sources.
  const stage = join(work, 'package');
  mkdirSync(stage);
  for (const file of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
    copyFileSync(join(root, file), join(stage, file));
  }
  run(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      join(stage, 'dist'),
    ],
    root,
  );
  const packed = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', work], stage)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const tarball = packed[0];
  if (tarball === undefined) throw new Error('npm pack produced no tarball');
  packedFiles = tarball.files.map((f) => f.path).sort();

  writeFileSync(
    join(work, 'package.json'),
    JSON.stringify({ name: 'webhooks-examples', version: '1.0.0', private: true }, null, 2),
  );
  run(
    npm,
    ['install', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps', `./${tarball.filename}`],
    work,
  );
  for (const dep of ['cdktf', 'constructs', '@cdktf/provider-azurerm', 'typescript', '@types/node']) {
    const link = join(work, 'node_modules', dep);
    mkdirSync(dirname(link), { recursive: true });
    if (!existsSync(link)) symlinkSync(join(root, 'node_modules', dep), link, 'dir');
  }
  for (const example of examples) copyFileSync(join(__dirname, `${example}.ts`), join(work, `${example}.ts`));
  writeFileSync(
    join(work, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        skipLibCheck: true,
        types: ['node'],
        outDir: 'out',
      },
      files: examples.map((example) => `${example}.ts`),
    }),
  );
  // One compile for all examples: a type error in any of them fails here, with tsc's message.
  run(process.execPath, [join(work, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], work);
}, 300_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships exactly the compiled constructs, the runtime contract, README, LICENSE and CHANGELOG', () => {
    const compiled = sources(join(root, 'constructs'))
      .filter((path) => !/(\.test|\/testing|\/test-fixtures)\.ts$/.test(path))
      .flatMap((path) => {
        const stem = `dist/${path.slice(0, -'.ts'.length)}`;
        return [`${stem}.d.ts`, `${stem}.js`];
      });
    // The runtime's contract (env names, probe paths) is the one runtime file the constructs import.
    const contract = ['dist/runtime/src/contract.d.ts', 'dist/runtime/src/contract.js'];
    expect(packedFiles).toEqual(
      [...compiled, ...contract, 'CHANGELOG.md', 'LICENSE', 'README.md', 'package.json'].sort(),
    );
  });

  it('ships no test, test helper, stack, TypeScript source or runtime code beyond its contract', () => {
    const unwanted = /testing\.|\.test\.|test-fixtures|stacks\/|runtime\/(?!src\/contract\.(js|d\.ts)$)/;
    expect(packedFiles.filter((path) => unwanted.test(path))).toEqual([]);
    expect(packedFiles.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
  });
});

describe('examples/, compiled against the packed tarball', () => {
  it('finds the five examples', () => {
    expect(examples).toEqual([
      'bring-your-own',
      'full-platform',
      'message-bus',
      'runtime-and-proxy',
      'webhook-sources',
    ]);
  });

  it('full-platform: a foundation stack with the long-lived resources and a platform stack with the workloads', () => {
    const stacks = synth('full-platform');
    expect(Object.keys(stacks).sort()).toEqual(['prod-foundation', 'prod-platform']);
    const foundation = stacks['prod-foundation'] ?? {};
    const platform = stacks['prod-platform'] ?? {};
    expect(typesOf(foundation)).toEqual(
      expect.arrayContaining([
        'azurerm_resource_group',
        'azurerm_virtual_network',
        'azurerm_log_analytics_workspace',
        'azurerm_key_vault',
        'azurerm_container_registry',
        'azurerm_servicebus_namespace',
        'azurerm_user_assigned_identity',
      ]),
    );
    expect(valuesOf(foundation, 'azurerm_resource_group', 'name')).toEqual(['rg-webhooks-prod-weu']);
    expect(countOf(foundation, 'azurerm_container_app')).toBe(0);
    expect(typesOf(platform)).toEqual(
      expect.arrayContaining([
        'azurerm_container_app_environment',
        'azurerm_container_app',
        'azurerm_application_gateway',
        'azurerm_web_application_firewall_policy',
        'azurerm_monitor_metric_alert',
      ]),
    );
    expect(countOf(platform, 'azurerm_container_app')).toBe(2); // runtime and NGINX
    expect(countOf(platform, 'azurerm_resource_group')).toBe(0);
  });

  it('message-bus: a topic with two subscriptions, an Event Hubs namespace and entity-scoped roles, nothing else', () => {
    const stacks = synth('message-bus');
    const stack = stacks['orders-messaging'] ?? {};
    expect(valuesOf(stack, 'azurerm_servicebus_topic', 'name')).toEqual(['orders']);
    expect(valuesOf(stack, 'azurerm_servicebus_subscription', 'name').sort()).toEqual([
      'billing',
      'shipping',
    ]);
    expect(valuesOf(stack, 'azurerm_eventhub_consumer_group', 'name')).toEqual(['analytics']);
    expect(valuesOf(stack, 'azurerm_role_assignment', 'role_definition_name').sort()).toEqual([
      'Azure Event Hubs Data Receiver',
      'Azure Service Bus Data Receiver',
      'Azure Service Bus Data Sender',
    ]);
    expect(valuesOf(stack, 'azurerm_servicebus_namespace', 'local_auth_enabled')).toEqual([false]);
    for (const absent of ['azurerm_container_app', 'azurerm_key_vault', 'azurerm_virtual_network']) {
      expect([absent, countOf(stack, absent)]).toEqual([absent, 0]);
    }
  });

  it('runtime-and-proxy: only the environment, the two apps, their identities and roles on the brought resources', () => {
    const stacks = synth('runtime-and-proxy');
    const stack = stacks['webhooks-workload'] ?? {};
    expect(typesOf(stack)).toEqual([
      'azurerm_container_app',
      'azurerm_container_app_environment',
      'azurerm_monitor_diagnostic_setting',
      'azurerm_role_assignment',
      'azurerm_user_assigned_identity',
    ]);
    expect(valuesOf(stack, 'azurerm_container_app', 'name').sort()).toEqual([
      'ca-webhooks-proxy',
      'ca-webhooks-runtime',
    ]);
    expect(valuesOf(stack, 'azurerm_role_assignment', 'role_definition_name').sort()).toEqual([
      'AcrPull',
      'AcrPull',
      'Azure Service Bus Data Sender',
      'Key Vault Secrets User',
    ]);
  });

  it('bring-your-own: no resource group, network, workspace, vault, registry or bus is created', () => {
    const stacks = synth('bring-your-own');
    const stack = stacks['webhooks-byo'] ?? {};
    for (const absent of [
      'azurerm_resource_group',
      'azurerm_virtual_network',
      'azurerm_subnet',
      'azurerm_log_analytics_workspace',
      'azurerm_monitor_action_group',
      'azurerm_key_vault',
      'azurerm_container_registry',
      'azurerm_servicebus_namespace',
    ]) {
      expect([absent, countOf(stack, absent)]).toEqual([absent, 0]);
    }
    expect(typesOf(stack)).toEqual(
      expect.arrayContaining([
        'azurerm_container_app_environment',
        'azurerm_container_app',
        'azurerm_application_gateway',
        'azurerm_user_assigned_identity',
      ]),
    );
    const apps = Object.values(stack.resource?.azurerm_container_app ?? {});
    expect(apps.map((app) => app.resource_group_name)).toEqual([
      'rg-landing-zone-weu',
      'rg-landing-zone-weu',
    ]);
  });

  it('webhook-sources: one source per provider on the runtime and at NGINX, each secret read by exactly its grant', () => {
    const stacks = synth('webhook-sources');
    const stack = stacks['webhooks-prod'] ?? {};
    const apps = Object.values(stack.resource?.azurerm_container_app ?? {}) as {
      name: string;
      template: { container: { env: { name: string; value?: string; secret_name?: string }[] }[] };
    }[];
    const envOf = (name: string) =>
      Object.fromEntries(
        (apps.find((a) => a.name === name)?.template.container[0]?.env ?? []).map((e) => [e.name, e]),
      );
    const runtime = envOf('ca-runtime-prod');
    const document = JSON.parse(runtime.WEBHOOK_SOURCES?.value ?? '[]') as {
      name: string;
      verify: string | { scheme: string };
    }[];
    expect(document.map((s) => [s.name, typeof s.verify === 'string' ? s.verify : s.verify.scheme])).toEqual([
      ['github', 'github'],
      ['stripe', 'stripe'],
      ['shopify', 'shopify'],
      ['billing', 'standard-webhooks'],
      ['crm', 'hmac'],
    ]);
    expect(
      Object.keys(runtime)
        .filter((n) => n.startsWith('WEBHOOK_SOURCE_'))
        .sort(),
    ).toEqual([
      'WEBHOOK_SOURCE_BILLING_SECRET_0',
      'WEBHOOK_SOURCE_CRM_SECRET_0',
      'WEBHOOK_SOURCE_GITHUB_SECRET_0',
      'WEBHOOK_SOURCE_SHOPIFY_SECRET_0',
      'WEBHOOK_SOURCE_STRIPE_SECRET_0',
      'WEBHOOK_SOURCE_STRIPE_SECRET_1',
    ]);
    expect(envOf('ca-proxy-prod').WEBHOOK_SOURCES_NGINX?.value).toBe(
      'github stripe:50:100 shopify billing crm',
    );
    const secretReads = Object.values(stack.resource?.azurerm_role_assignment ?? {})
      .map((r) => String(r.scope))
      .filter((scope) => scope.includes('/secrets/'))
      .map((scope) => scope.replace(/^.*\/secrets\//, ''))
      .sort();
    // The sources' six, POST /webhook's own and the gateway's certificate: no grant on the vault.
    expect(secretReads).toEqual([
      'billing-webhook-secret',
      'crm-webhook-secret',
      'gateway-tls',
      'github-webhook-secret',
      'shopify-webhook-secret',
      'stripe-webhook-secret-1',
      'stripe-webhook-secret-2',
      'webhook-secret',
    ]);
    expect(
      Object.values(stack.resource?.azurerm_role_assignment ?? {}).filter(
        (r) => r.role_definition_name === 'Key Vault Secrets User' && !String(r.scope).includes('/secrets/'),
      ),
    ).toEqual([]);
  });
});
