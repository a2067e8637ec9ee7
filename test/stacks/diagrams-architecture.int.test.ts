/**
 * `docs/architecture.svg` must be the rendering of the committed `docs/architecture.puml` (which
 * diagrams-architecture.test.ts keeps equal to the construct tree): this renders the source again
 * with the same Debian plantuml + graphviz `npm run diagrams:architecture` uses and compares bytes.
 * The renderer is deterministic (`-nometadata`, no timestamps): two renders give the same file.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARCHITECTURE_SOURCE, ARCHITECTURE_SVG, renderSvg } from '../../scripts/diagrams/architecture';

const ROOT = join(__dirname, '..', '..');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'webhooks-architecture-render-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docs/architecture.svg', () => {
  it('is the plantuml rendering of docs/architecture.puml (run `npm run diagrams:architecture` if not)', () => {
    const probe = spawnSync('plantuml', ['-version'], { stdio: 'ignore' });
    if (probe.error !== undefined) {
      throw new Error('plantuml not found: apt-get install --no-install-recommends plantuml graphviz');
    }
    const source = join(dir, 'architecture.puml');
    copyFileSync(join(ROOT, ARCHITECTURE_SOURCE), source);
    renderSvg(source);
    const rendered = readFileSync(join(dir, 'architecture.svg'), 'utf8');
    expect(rendered).toBe(readFileSync(join(ROOT, ARCHITECTURE_SVG), 'utf8'));
  }, 120_000);
});
