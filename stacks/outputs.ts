/**
 * A stack's outputs: names, addresses and ids only, never a key, SAS or connection string
 * (test/stacks/secrets.test.ts). The deploy scripts and operators read them (`terraform output`).
 */
import { TerraformOutput, type TerraformStack } from 'cdktf';

/** One output per entry: `name: [value, description]`. */
export function addOutputs(stack: TerraformStack, outputs: Record<string, readonly [string, string]>): void {
  for (const [name, [value, description]] of Object.entries(outputs)) {
    new TerraformOutput(stack, name, { value, description });
  }
}
