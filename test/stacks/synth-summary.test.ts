/**
 * The line `npm run synth` ends with (stacks/synth-summary.ts) is built from the manifest cdktf
 * wrote: it names every stack and its file, counts warnings and errors, and refuses a manifest that
 * lists a stack file that is not there.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Annotations,
  App,
  AnnotationMetadataEntryType,
  TerraformOutput,
  TerraformStack,
  type IManifest,
} from 'cdktf';
import { formatAnnotations, formatSynthSummary, readSynthSummary } from '../../stacks/synth-summary';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'synth-summary-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Synthesizes a real cdktf App with one output per stack into `<work>/out`; returns the outdir. */
function synth(stacks: readonly string[], annotate?: (stack: TerraformStack) => void): string {
  const outdir = join(work, 'out');
  const app = new App({ outdir });
  for (const name of stacks) {
    const stack = new TerraformStack(app, name);
    new TerraformOutput(stack, 'name', { value: name });
    annotate?.(stack);
  }
  app.synth();
  return outdir;
}

function manifest(
  stacks: Array<{ name: string; path: string; levels?: AnnotationMetadataEntryType[] }>,
): IManifest {
  return {
    version: '0.21.0',
    stacks: Object.fromEntries(
      stacks.map((s) => [
        s.name,
        {
          name: s.name,
          constructPath: s.name,
          synthesizedStackPath: s.path,
          stackMetadataPath: `${s.path}.metadata.json`,
          workingDirectory: s.path,
          annotations: (s.levels ?? []).map((level) => ({ constructPath: s.name, level, message: 'm' })),
          dependencies: [],
        },
      ]),
    ),
  };
}

describe('readSynthSummary', () => {
  it('names every stack cdktf wrote, in the manifest order, with the shared file name once', () => {
    const outdir = synth(['bootstrap', 'dev-foundation', 'dev-platform']);
    expect(readSynthSummary(outdir, work)).toBe(
      'synthesized 3 stacks into out/stacks: bootstrap, dev-foundation, dev-platform (cdk.tf.json each)',
    );
  });

  it('counts the warnings cdktf recorded and says where they are', () => {
    const outdir = synth(['a', 'b'], (stack) => Annotations.of(stack).addWarning('no state storage'));
    expect(readSynthSummary(outdir, work)).toBe(
      'synthesized 2 stacks into out/stacks: a, b (cdk.tf.json each); 2 warnings in out/manifest.json',
    );
  });

  it('prints an output directory outside the working directory as an absolute path', () => {
    const outdir = synth(['only']);
    const elsewhere = mkdtempSync(join(tmpdir(), 'synth-summary-cwd-'));
    try {
      expect(readSynthSummary(outdir, elsewhere)).toBe(
        `synthesized 1 stack into ${join(outdir, 'stacks')}: only (cdk.tf.json each)`,
      );
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('fails when the manifest lists a stack file that was not written', () => {
    const outdir = synth(['kept', 'lost']);
    rmSync(join(outdir, 'stacks', 'lost', 'cdk.tf.json'));
    expect(() => readSynthSummary(outdir, work)).toThrow(
      /stack lost: .*stacks\/lost\/cdk\.tf\.json was not written/,
    );
  });

  it('fails when there is no manifest', () => {
    expect(() => readSynthSummary(join(work, 'never-synthesized'), work)).toThrow(/manifest\.json/);
  });
});

describe('formatSynthSummary', () => {
  it('names each stack with its own file when they do not share cdktf’s layout', () => {
    const line = formatSynthSummary(
      manifest([
        { name: 'a', path: 'stacks/a/cdk.tf.json' },
        { name: 'b', path: 'other/b/main.tf.json' },
      ]),
      'cdktf.out',
    );
    expect(line).toBe(
      'synthesized 2 stacks into cdktf.out: a (stacks/a/cdk.tf.json), b (other/b/main.tf.json)',
    );
  });

  it('counts errors before warnings (cdktf stops at errors unless CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS)', () => {
    const { ERROR, WARN } = AnnotationMetadataEntryType;
    const line = formatSynthSummary(
      manifest([
        { name: 'a', path: 'stacks/a/cdk.tf.json', levels: [WARN] },
        { name: 'b', path: 'stacks/b/cdk.tf.json', levels: [ERROR, WARN] },
      ]),
      'cdktf.out',
    );
    expect(line).toBe(
      'synthesized 2 stacks into cdktf.out/stacks: a, b (cdk.tf.json each); 1 error, 2 warnings in cdktf.out/manifest.json',
    );
  });

  it('leaves info annotations out of the counts', () => {
    const line = formatSynthSummary(
      manifest([{ name: 'a', path: 'stacks/a/cdk.tf.json', levels: [AnnotationMetadataEntryType.INFO] }]),
      'cdktf.out',
    );
    expect(line).toBe('synthesized 1 stack into cdktf.out/stacks: a (cdk.tf.json each)');
  });

  it('says so when the app has no stacks', () => {
    expect(formatSynthSummary(manifest([]), 'cdktf.out')).toBe('synthesized 0 stacks into cdktf.out');
  });
});

describe('formatAnnotations', () => {
  it('prints each error, then each warning, as one line, and leaves info out', () => {
    const outdir = synth(['a', 'b'], (stack) => {
      Annotations.of(stack).addWarning(`${stack.node.id}: local state`);
      Annotations.of(stack).addInfo(`${stack.node.id}: fyi`);
    });
    const written = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as IManifest;
    expect(formatAnnotations(written)).toEqual(['warning: a: local state', 'warning: b: local state']);
    const m = manifest([
      {
        name: 'x',
        path: 'stacks/x/cdk.tf.json',
        levels: [AnnotationMetadataEntryType.WARN, AnnotationMetadataEntryType.ERROR],
      },
    ]);
    expect(formatAnnotations(m)).toEqual(['error: m', 'warning: m']);
  });
});
