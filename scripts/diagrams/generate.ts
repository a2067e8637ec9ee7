/**
 * `npm run diagrams`: writes `docs/diagrams/<stack>.puml` for every stack synthesized under
 * `cdktf.out/stacks/`, then renders each to SVG with Debian's `plantuml` when it is installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel } from './model';
import { toPlantUml } from './plantuml';

/** PlantUML text per stack name, read from a cdktf output directory. */
export function diagramsFromOutdir(outdir: string): Map<string, string> {
  const stacksDir = join(outdir, 'stacks');
  const result = new Map<string, string>();
  for (const stack of readdirSync(stacksDir).sort()) {
    const tfJson = JSON.parse(readFileSync(join(stacksDir, stack, 'cdk.tf.json'), 'utf8')) as Parameters<
      typeof buildModel
    >[1];
    result.set(stack, toPlantUml(buildModel(stack, tfJson)));
  }
  return result;
}

function hasPlantUml(): boolean {
  // `plantuml -version` exits 250 on Debian's 1.2020 build: only "not found" matters.
  const probe = spawnSync('plantuml', ['-version'], { stdio: 'ignore' });
  return probe.error === undefined;
}

function main(): void {
  const outdir = process.argv[2] ?? 'cdktf.out';
  const target = process.argv[3] ?? join('docs', 'diagrams');
  mkdirSync(target, { recursive: true });
  const files: string[] = [];
  for (const [stack, text] of diagramsFromOutdir(outdir)) {
    const file = join(target, `${stack}.puml`);
    writeFileSync(file, text);
    files.push(file);
    process.stdout.write(`wrote ${file}\n`);
  }
  if (!hasPlantUml()) {
    process.stderr.write('plantuml not found (apt-get install plantuml): SVGs not rendered\n');
    process.exitCode = 1;
    return;
  }
  execFileSync('plantuml', ['-tsvg', '-nometadata', ...files], { stdio: 'inherit' });
  process.stdout.write(`rendered ${files.length} SVG(s) in ${target}\n`);
}

if (require.main === module) main();
