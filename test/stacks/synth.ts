/**
 * Synthesizes the real `dev`, `staging` and `prod` stacks (the same `createApp` that
 * `npm run synth` runs) into a temporary directory, for the stack-level tests.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../stacks/app';

export type TfJson = Record<string, unknown> & {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, Record<string, unknown>>;
  variable?: Record<string, Record<string, unknown>>;
  locals?: Record<string, unknown>;
  terraform?: Record<string, unknown>;
  provider?: Record<string, unknown>;
};

/** The environments of stacks/config.ts, in promotion order. */
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

/** Every stack `createApp` synthesizes: bootstrap, then each environment's foundation and platform. */
export const STACK_NAMES = [
  'bootstrap',
  ...ENVIRONMENTS.flatMap((env) => [`${env}-foundation`, `${env}-platform`] as const),
] as const;
export type StackName = (typeof STACK_NAMES)[number];

export interface Synthesized {
  /** The cdktf output directory (holds `stacks/<name>/cdk.tf.json`). */
  readonly outdir: string;
  readonly stacks: ReadonlyMap<string, TfJson>;
  /** Path of one stack's `cdk.tf.json`. */
  file(stack: string): string;
  cleanup(): void;
}

export function synthAll(): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'webhooks-synth-'));
  createApp({ outdir }).synth();
  const stacks = new Map<string, TfJson>();
  const file = (stack: string): string => join(outdir, 'stacks', stack, 'cdk.tf.json');
  for (const stack of readdirSync(join(outdir, 'stacks')).sort()) {
    stacks.set(stack, JSON.parse(readFileSync(file(stack), 'utf8')) as TfJson);
  }
  return { outdir, stacks, file, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** Every Terraform address in a stack: resources, data sources, outputs, variables. */
export function addresses(tf: TfJson): string[] {
  const out: string[] = [];
  for (const [type, byName] of Object.entries(tf.resource ?? {})) {
    for (const name of Object.keys(byName)) out.push(`${type}.${name}`);
  }
  for (const [type, byName] of Object.entries(tf.data ?? {})) {
    for (const name of Object.keys(byName)) out.push(`data.${type}.${name}`);
  }
  for (const name of Object.keys(tf.output ?? {})) out.push(`output.${name}`);
  for (const name of Object.keys(tf.variable ?? {})) out.push(`var.${name}`);
  return out.sort();
}
