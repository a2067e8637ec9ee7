/**
 * A separate consumer project, in a temporary directory, installs the `npm pack` tarball of this
 * package (offline: the tarball has no dependencies of its own; the peer dependencies cdktf,
 * constructs and @cdktf/provider-azurerm are symlinked from this repository's node_modules),
 * imports `WebhookPlatform` and `MessageBus` from it, compiles with tsc and synthesizes. This is
 * what proves the package entry, its `files` list and its type declarations work.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let work: string;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'webhooks-consumer-'));
  // The tarball ships dist/constructs: build it from the current sources first.
  run(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    root,
  );
  const packed = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', work], root)) as {
    filename: string;
  }[];
  const tarball = packed[0]?.filename;
  if (tarball === undefined) throw new Error('npm pack produced no tarball');

  writeFileSync(
    join(work, 'package.json'),
    JSON.stringify({ name: 'webhooks-consumer', version: '1.0.0', private: true }, null, 2),
  );
  run(npm, ['install', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps', `./${tarball}`], work);
  // Peer dependencies (and the compiler) come from this repository, linked, not downloaded.
  for (const dep of ['cdktf', 'constructs', '@cdktf/provider-azurerm', 'typescript', '@types/node']) {
    const link = join(work, 'node_modules', dep);
    mkdirSync(dirname(link), { recursive: true });
    if (!existsSync(link)) symlinkSync(join(root, 'node_modules', dep), link, 'dir');
  }
  copyFileSync(join(__dirname, 'consumer', 'consumer.ts.txt'), join(work, 'main.ts'));
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
      files: ['main.ts'],
    }),
  );
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('consumer project', () => {
  it('installs the packed tarball: entry point and type declarations only, no sources or tests', () => {
    const pkg = join(work, 'node_modules', 'cdktf-azure-webhooks');
    expect(existsSync(join(pkg, 'dist', 'constructs', 'index.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'constructs', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'constructs'))).toBe(false);
    expect(existsSync(join(pkg, 'dist', 'stacks'))).toBe(false);
  });

  it('compiles with tsc against the published types and synthesizes a stack', () => {
    run(process.execPath, [join(work, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], work);
    run(process.execPath, [join('out', 'main.js')], work);
    const tf = JSON.parse(
      readFileSync(join(work, 'cdktf.out', 'stacks', 'consumer', 'cdk.tf.json'), 'utf8'),
    ) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    expect(Object.keys(tf.resource)).toEqual(
      expect.arrayContaining(['azurerm_application_gateway', 'azurerm_key_vault', 'azurerm_container_app']),
    );
    // The platform's bus and the consumer's own MessageBus.
    const namespaces = Object.values(tf.resource.azurerm_servicebus_namespace ?? {}).map((n) => n.name);
    expect(namespaces).toHaveLength(2);
    expect(namespaces).toContain('sbns-audit-test-weu');
  });
});
