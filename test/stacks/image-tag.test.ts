/**
 * The release pipeline names this run's images through the `imageTag` context
 * (CDKTF_CONTEXT_JSON in pipelines/templates/stages/synth.yml): every container image and the
 * Functions image (when used) in every stack must then carry that tag, and a tag Docker would
 * refuse must stop the synth with a message naming the context key.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../stacks/app';
import { STACK_NAMES } from './synth';

function imagesByStack(context?: Record<string, unknown>): Map<string, string[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'webhooks-image-tag-'));
  try {
    createApp({ outdir, ...(context === undefined ? {} : { context }) }).synth();
    const images = new Map<string, string[]>();
    for (const stack of readdirSync(join(outdir, 'stacks')).sort()) {
      const text = readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8');
      // Every "image" value, wherever the resource nests it.
      images.set(
        stack,
        [...text.matchAll(/"image(?:_name)?":\s*"([^"]+)"/g)].map((m) => m[1] ?? ''),
      );
    }
    return images;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function platformImages(byStack: Map<string, string[]>): string[][] {
  const platform = [...byStack].filter(([stack]) => stack.endsWith('-platform'));
  expect(platform).toHaveLength(3);
  return platform.map(([, images]) => images);
}

describe('image tag from the imageTag context', () => {
  const saved = process.env.CDKTF_CONTEXT_JSON;
  afterEach(() => {
    if (saved === undefined) delete process.env.CDKTF_CONTEXT_JSON;
    else process.env.CDKTF_CONTEXT_JSON = saved;
  });

  it('without the context every image uses the tag from stacks/config.ts', () => {
    delete process.env.CDKTF_CONTEXT_JSON;
    for (const images of platformImages(imagesByStack())) {
      expect(images.length).toBeGreaterThanOrEqual(2);
      for (const image of images) expect(image).toMatch(/\/webhook-(runtime|nginx):1\.0\.0$/);
    }
  });

  it('CDKTF_CONTEXT_JSON {"imageTag": <build id>} retags every image in every stack', () => {
    process.env.CDKTF_CONTEXT_JSON = JSON.stringify({ imageTag: '20261129.7' });
    const byStack = imagesByStack();
    expect([...byStack.keys()]).toEqual([...STACK_NAMES].sort());
    // Images belong to the platform stacks only: the foundation must be applicable before any exists.
    for (const [stack, images] of byStack) if (!stack.endsWith('-platform')) expect(images).toEqual([]);
    for (const images of platformImages(byStack)) {
      expect(images.length).toBeGreaterThanOrEqual(2);
      for (const image of images) expect(image).toMatch(/\/webhook-(runtime|nginx):20261129\.7$/);
    }
  });

  it('a numeric build id is accepted as its decimal tag', () => {
    delete process.env.CDKTF_CONTEXT_JSON;
    for (const images of platformImages(imagesByStack({ imageTag: 4711 }))) {
      for (const image of images) expect(image).toMatch(/:4711$/);
    }
  });

  it.each([[''], ['-leading-dash'], ['has space'], ['a'.repeat(129)], [true]])(
    'refuses %j, naming the context key',
    (tag) => {
      delete process.env.CDKTF_CONTEXT_JSON;
      expect(() => imagesByStack({ imageTag: tag })).toThrow(/context "imageTag" must be a Docker image tag/);
    },
  );
});
