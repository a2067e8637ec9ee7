/**
 * `npm run diagrams:architecture`: the high-level architecture picture of one environment (default
 * `prod`), generated from the construct tree of its foundation and platform stacks: writes
 * `docs/architecture.puml` and renders `docs/architecture.svg` with Debian's `plantuml` (graphviz).
 * The per-stack Terraform reference graphs (`npm run diagrams`, docs/diagrams/) are the drill-down.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../stacks/app';
import { buildArchitecture } from './architecture-model';
import { toArchitecturePlantUml } from './architecture-plantuml';

/** The environment the committed picture shows: the one with every private endpoint. */
export const ARCHITECTURE_ENVIRONMENT = 'prod';

/** Where the picture's source and SVG are committed, relative to the repository root. */
export const ARCHITECTURE_SOURCE = join('docs', 'architecture.puml');
export const ARCHITECTURE_SVG = join('docs', 'architecture.svg');

/**
 * The PlantUML source for `environment`, from the same `createApp` that `npm run synth` runs.
 * Nothing is synthesized; the App only needs a directory of its own, removed afterwards.
 */
export function architectureSource(environment: string = ARCHITECTURE_ENVIRONMENT): string {
  const outdir = mkdtempSync(join(tmpdir(), 'webhooks-architecture-'));
  try {
    // `env: {}`: the picture must not depend on the caller's TFSTATE_* variables.
    const app = createApp({ outdir, env: {} });
    return toArchitecturePlantUml(buildArchitecture(app, environment));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Renders `source` (a `.puml` file) to an SVG beside it, as CI's test does. */
export function renderSvg(source: string): void {
  execFileSync('plantuml', ['-tsvg', '-nometadata', source], { stdio: 'inherit' });
}

function main(): void {
  const root = process.argv[2] ?? '.';
  const source = join(root, ARCHITECTURE_SOURCE);
  writeFileSync(source, architectureSource());
  process.stdout.write(`wrote ${source}\n`);
  renderSvg(source);
  process.stdout.write(`rendered ${join(root, ARCHITECTURE_SVG)}\n`);
}

if (require.main === module) main();
