/**
 * Test helpers shared by the construct tests: one output directory per test file (Testing.app()
 * otherwise leaves a temp dir per call) and a typed view of the synthesized JSON. Not exported from
 * the package entry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import type { IPrincipal, PrincipalType } from './identity';

export type Synthesized = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, unknown>;
};

/** Creates stacks in one temp outdir, removed by `cleanup()` (call it in `afterAll`). */
export function testStacks(prefix: string): { newStack: () => TerraformStack; cleanup: () => void } {
  const outdir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    newStack: () => new TerraformStack(Testing.app({ outdir }), 'test'),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

export function synthJson(stack: TerraformStack): Synthesized {
  return JSON.parse(Testing.synth(stack)) as Synthesized;
}

/** All resources of one type, in synth order. */
export function resourcesOf(out: Synthesized, type: string): Record<string, unknown>[] {
  return Object.values(out.resource?.[type] ?? {});
}

/** The only resource of `type`; fails the test when there is not exactly one. */
export function onlyResource(out: Synthesized, type: string): Record<string, unknown> {
  const all = resourcesOf(out, type);
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0] as Record<string, unknown>;
}

/** A principal with a literal object id, for grant tests. */
export class TestPrincipal extends Construct implements IPrincipal {
  constructor(
    scope: Construct,
    id: string,
    public readonly principalId: string,
    public readonly principalType?: PrincipalType,
  ) {
    super(scope, id);
  }
}
