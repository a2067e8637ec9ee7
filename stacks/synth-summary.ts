/**
 * The one line `npm run synth` ends with: which stacks it wrote, where, and how many warnings and
 * errors cdktf recorded for them. Built from the `manifest.json` cdktf writes next to the stacks, so
 * it names what was written, not what was meant to be. `cdktf synth` prints the annotations
 * itself; a plain `node` run of the app does not, so `npm run synth` prints them first
 * ({@link formatAnnotations}) — a risky choice the constructs warn about must not go unseen.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { AnnotationMetadataEntryType, Manifest, type IManifest, type StackManifest } from 'cdktf';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Formats the summary from a synthesized manifest. `outdir` is printed as given. When every stack
 * sits at `<dir>/<stack name>/<file>` with one shared `<dir>` and `<file>` (cdktf's layout), the line
 * is `synthesized 7 stacks into cdktf.out/stacks: bootstrap, dev-foundation, … (cdk.tf.json each)`;
 * otherwise each stack names its own file.
 */
export function formatSynthSummary(manifest: IManifest, outdir: string): string {
  const stacks = Object.values(manifest.stacks);
  const levels = stacks.flatMap((s) => s.annotations.map((a) => a.level));
  const counts = [
    plural(levels.filter((l) => l === AnnotationMetadataEntryType.ERROR).length, 'error'),
    plural(levels.filter((l) => l === AnnotationMetadataEntryType.WARN).length, 'warning'),
  ].filter((c) => !c.startsWith('0 '));
  const tail = counts.length === 0 ? '' : `; ${counts.join(', ')} in ${join(outdir, Manifest.fileName)}`;
  return `${stacksWritten(stacks, outdir)}${tail}`;
}

function stacksWritten(stacks: readonly StackManifest[], outdir: string): string {
  if (stacks.length === 0) return `synthesized 0 stacks into ${outdir}`;
  const count = plural(stacks.length, 'stack');
  const paths = stacks.map((s) => s.synthesizedStackPath);
  const dirs = new Set(paths.map((p) => dirname(dirname(p))));
  const files = new Set(paths.map((p) => basename(p)));
  const [dir] = dirs;
  const [file] = files;
  const cdktfLayout = stacks.every((s) => basename(dirname(s.synthesizedStackPath)) === s.name);
  if (dir !== undefined && file !== undefined && dirs.size === 1 && files.size === 1 && cdktfLayout) {
    const names = stacks.map((s) => s.name).join(', ');
    return `synthesized ${count} into ${join(outdir, dir)}: ${names} (${file} each)`;
  }
  return `synthesized ${count} into ${outdir}: ${stacks.map((s) => `${s.name} (${s.synthesizedStackPath})`).join(', ')}`;
}

/**
 * One line per warning or error cdktf recorded, `warning: <message>` (errors first), in manifest
 * order; info annotations are left out.
 */
export function formatAnnotations(manifest: IManifest): string[] {
  const all = Object.values(manifest.stacks).flatMap((s) => s.annotations);
  const lines = (level: AnnotationMetadataEntryType, label: string) =>
    all.filter((a) => a.level === level).map((a) => `${label}: ${a.message}`);
  return [
    ...lines(AnnotationMetadataEntryType.ERROR, 'error'),
    ...lines(AnnotationMetadataEntryType.WARN, 'warning'),
  ];
}

/** Reads and checks `<outdir>/manifest.json`. */
export function readManifest(outdir: string): IManifest {
  const manifest = JSON.parse(readFileSync(join(outdir, Manifest.fileName), 'utf8')) as IManifest;
  if (typeof manifest.stacks !== 'object' || manifest.stacks === null) {
    throw new Error(`${join(outdir, Manifest.fileName)} has no "stacks" object`);
  }
  return manifest;
}

/**
 * Reads `<outdir>/manifest.json` after `app.synth()`, checks every stack file it lists exists, and
 * formats the summary with `outdir` relative to `cwd` when it lies inside it.
 * @throws when the manifest is missing or lists a stack file that was not written
 */
export function readSynthSummary(outdir: string, cwd: string = process.cwd()): string {
  const manifest = readManifest(outdir);
  for (const stack of Object.values(manifest.stacks)) {
    const file = join(outdir, stack.synthesizedStackPath);
    if (!existsSync(file)) throw new Error(`stack ${stack.name}: ${file} was not written`);
  }
  const rel = relative(cwd, outdir);
  const shown = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? outdir : rel;
  return formatSynthSummary(manifest, shown);
}
