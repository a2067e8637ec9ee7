// Runs a TypeScript bench entry point: `node bench/lib/run-ts.mjs bench/e2e/run.ts [args…]`.
// Bundles it with esbuild (node20, CommonJS, npm packages external) into .tmp/ and runs the bundle
// in this process. Each repository source file keeps its own __dirname/__filename, so helpers that
// find files next to themselves (nginx/test/support, test/kafka) still work once bundled.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { ROOT } from './results.mjs';

const entry = process.argv[2];
if (entry === undefined) {
  process.stderr.write('usage: node bench/lib/run-ts.mjs <entry.ts> [args…]\n');
  process.exit(2);
}

/**
 * Gives every .ts file of the repository its real __dirname and __filename, and leaves its .mjs
 * imports (results.mjs) to Node at their absolute path, where import.meta.url stays the real file.
 */
const keepPaths = {
  name: 'keep-paths',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\.mjs$/ }, (args) =>
      args.path.startsWith('.') ? { path: resolve(args.resolveDir, args.path), external: true } : undefined,
    );
    pluginBuild.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${'/'}node_modules${'/'}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      const header =
        `const __dirname = ${JSON.stringify(dirname(args.path))};` +
        `const __filename = ${JSON.stringify(args.path)};\n`;
      return { contents: header + source, loader: 'ts' };
    });
  },
};

const outfile = join(ROOT, '.tmp', 'bench', `${basename(entry, '.ts')}.cjs`);
await build({
  entryPoints: [resolve(entry)],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  logLevel: 'warning',
  plugins: [keepPaths],
});
// Drop this script's own argument so the entry sees `node <entry> [args…]`.
process.argv.splice(1, 2, outfile);
createRequire(import.meta.url)(outfile);
