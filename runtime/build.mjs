// Bundles the runtime into runtime/dist/, self-contained (no node_modules at run time), CJS, for the
// Node major in .node-version (the runtime image's; the bundle is also tested on Node 20):
//   server.js      the entry: config, HTTP app, publisher, lifecycle
//   kafka.js       kafkajs adapter        } required by server.js only for the configured bus
//   servicebus.js  @azure/service-bus     } (BUS=kafka | servicebus), and telemetry only when
//   telemetry.js   Azure Monitor OTel SDK } APPLICATIONINSIGHTS_CONNECTION_STRING is set.
//   identity.js    @azure/identity, required by kafka.js / servicebus.js only on the first token
//                  request (KAFKA_SASL_MECHANISM=oauthbearer, SERVICEBUS_NAMESPACE).
//   admin.js       the `webhooks-admin` CLI (dead-letter re-drive, Kafka replay): `node admin.js …`;
//                  self-contained (its SDKs and @azure/identity bundled in), never loaded by server.js.
// Compiling one 2.3 MB file was ~40 % of start-up (V8 wrapSafe); each process now compiles only what
// its configuration uses. node runtime/dist/server.js still starts the service.
//   node runtime/build.mjs [--outdir <dir>]   (default runtime/dist)
import { build } from 'esbuild';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const flag = process.argv.indexOf('--outdir');
const outdir = flag > 0 ? resolve(process.argv[flag + 1]) : join(here, 'dist');

/** `.node-version` (for example 24.22.3) pins the Node the image, the pipeline and CI's Node 24 run use. */
const nodeMajor = readFileSync(join(here, '..', '.node-version'), 'utf8')
  .trim()
  .split('.')[0];

const common = {
  bundle: true,
  platform: 'node',
  target: `node${nodeMajor}`,
  format: 'cjs',
  minifySyntax: true,
  minifyWhitespace: true,
  keepNames: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  // Optional modules some SDKs probe for with try/require; absent at run time is fine.
  external: ['pino-pretty', 'bufferutil', 'utf-8-validate', '@opentelemetry/winston-transport'],
};

/** Dynamic imports in main.ts → `require('./<name>.js')` of a sibling bundle built below. */
const lazy = {
  './telemetry/index.js': { name: 'telemetry', entry: join(here, 'src', 'telemetry', 'index.ts') },
  './publish/kafka.js': { name: 'kafka', entry: join(here, 'src', 'publish', 'kafka.ts') },
  './publish/servicebus.js': { name: 'servicebus', entry: join(here, 'src', 'publish', 'servicebus.ts') },
};
const apart = {
  name: 'lazy-siblings',
  setup(b) {
    b.onResolve({ filter: /^\.\/(telemetry\/index|publish\/kafka|publish\/servicebus)\.js$/ }, (args) =>
      args.importer.endsWith(join('src', 'main.ts'))
        ? { path: `./${lazy[args.path].name}.js`, external: true }
        : undefined,
    );
  },
};
/** `import('@azure/identity')` in the broker adapters → `require('./identity.js')`. */
const identityApart = {
  name: 'identity-sibling',
  setup(b) {
    b.onResolve({ filter: /^@azure\/identity$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: './identity.js', external: true } : undefined,
    );
  },
};

await Promise.all([
  build({
    ...common,
    entryPoints: [join(here, 'src', 'main.ts')],
    outfile: join(outdir, 'server.js'),
    // import() of the siblings becomes a plain require(): no ESM loader on the start path.
    supported: { 'dynamic-import': false },
    plugins: [apart],
  }),
  ...Object.values(lazy).map(({ name, entry }) =>
    build({
      ...common,
      entryPoints: [entry],
      outfile: join(outdir, `${name}.js`),
      ...(name === 'telemetry' ? {} : { supported: { 'dynamic-import': false }, plugins: [identityApart] }),
    }),
  ),
  build({
    ...common,
    entryPoints: [require.resolve('@azure/identity')],
    outfile: join(outdir, 'identity.js'),
  }),
  build({
    ...common,
    entryPoints: [join(here, 'src', 'admin', 'main.ts')],
    outfile: join(outdir, 'admin.js'),
    supported: { 'dynamic-import': false },
  }),
]);

for (const file of [
  'server.js',
  ...Object.values(lazy).map((l) => `${l.name}.js`),
  'identity.js',
  'admin.js',
]) {
  process.stdout.write(`${join(outdir, file)} ${Math.round(statSync(join(outdir, file)).size / 1024)} KiB\n`);
}
