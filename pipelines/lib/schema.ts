/**
 * Validates Azure Pipelines YAML against Microsoft's published schema (service-schema.json from
 * microsoft/azure-pipelines-vscode), committed unchanged at pipelines/schema/service-schema.json so
 * that the tests read nothing outside the repository (source, version and licence: SOURCE.md there).
 *
 * Ajv options per pipelines/schema/SOURCE.md: `strict: false` for the schema's own keywords
 * (`ignoreCase`, `firstProperty`, ...), `unicodeRegExp: false` for one pattern. `ignoreCase` is not
 * honoured, so a task must be spelled in the schema's exact case (`AzureCLI@2`).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const SCHEMA_PATH = resolve(REPO_ROOT, 'pipelines', 'schema', 'service-schema.json');

const compiled = new Map<string, ValidateFunction>();

/** The compiled schema; throws a message naming the expected path when the file is missing. */
export function pipelineSchemaValidator(schemaPath = SCHEMA_PATH): ValidateFunction {
  const cached = compiled.get(schemaPath);
  if (cached) return cached;
  if (!existsSync(schemaPath)) {
    throw new Error(
      `Azure Pipelines schema not found at ${schemaPath}. The repository commits it as ` +
        `pipelines/schema/service-schema.json (see pipelines/schema/SOURCE.md for its source).`,
    );
  }
  const schema: unknown = JSON.parse(readFileSync(schemaPath, 'utf8'));
  const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: false });
  const validate = ajv.compile(schema as object);
  compiled.set(schemaPath, validate);
  return validate;
}

/**
 * The schema is a big `anyOf`: ajv reports every branch's failure. The most useful error is the
 * deepest one (the branch that matched furthest), so sort by path depth and show a few.
 */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined, max = 5): string {
  if (!errors || errors.length === 0) return '';
  const depth = (e: ErrorObject) => e.instancePath.split('/').length;
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const e of [...errors].sort((a, b) => depth(b) - depth(a))) {
    const params = JSON.stringify(e.params);
    const line = `${e.instancePath || '/'} ${e.message ?? ''} ${params}`;
    if (seen.has(line)) continue;
    seen.add(line);
    lines.push(line);
    if (lines.length >= max) break;
  }
  return lines.join('\n');
}

export const repoPath = (...parts: string[]): string => join(REPO_ROOT, ...parts);
