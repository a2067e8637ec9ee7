/**
 * `npm run validate:tf [-- <stacks dir>]`: schema-level validation of every synthesized stack
 * (`<dir>/<stack>/cdk.tf.json`, default `cdktf.out/stacks`) against azurerm 4.55.0's schema.
 * Prints which validation ran and the result per stack; exit 1 on any issue or when no stack exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProviderSchema } from './provider-schema';
import { countChecked, validateStack } from './validate';

export function runValidate(dir: string, out: (line: string) => void): number {
  const stacks = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'cdk.tf.json')))
        .map((e) => e.name)
        .sort()
    : [];
  if (stacks.length === 0) {
    out(`validate:tf: no synthesized stack under ${dir} (run \`npm run synth\` first)`);
    return 1;
  }
  const schema = loadProviderSchema();
  out(
    `validate:tf: SCHEMA-LEVEL validation against azurerm ${schema.version} ` +
      `(${schema.resources.size} resource and ${schema.dataSources.size} data source schemas from ` +
      `@cdktf/provider-azurerm's jsii assembly). Not \`tofu validate\` with the real provider: ` +
      'value validations and conflicting-argument rules are not checked.',
  );
  let failed = 0;
  for (const name of stacks) {
    const stack = JSON.parse(readFileSync(join(dir, name, 'cdk.tf.json'), 'utf8')) as Parameters<
      typeof validateStack
    >[0];
    const issues = validateStack(stack, schema);
    const { resources, dataSources } = countChecked(stack);
    out(
      `${name}: ${issues.length === 0 ? 'OK' : `${issues.length} issue(s)`} (${resources} resources, ${dataSources} data sources)`,
    );
    for (const i of issues) out(`  ${i.address}${i.path ? ` ${i.path}` : ''}: ${i.message}`);
    if (issues.length > 0) failed += 1;
  }
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  process.exitCode = runValidate(process.argv[2] ?? join('cdktf.out', 'stacks'), (l) =>
    process.stdout.write(`${l}\n`),
  );
}
