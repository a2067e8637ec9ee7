/**
 * Every declaration the package exports is documented where a consumer's editor shows it: the
 * API report (etc/cdktf-azure-webhooks.api.md, written by API Extractor from the compiled
 * declarations; `npm run api:check` keeps it current) marks a top-level declaration without TSDoc
 * `// @public (undocumented)`, and every exported class carries an `@example` in the TSDoc on the
 * class itself (not in the file header, which no hover shows).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const report = readFileSync(join(root, 'etc', 'cdktf-azure-webhooks.api.md'), 'utf8');

/** Source files of the package (the compiled entry's modules), test files and helpers left out. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.ts$/.test(entry.name) && !/(\.test|^testing|^test-fixtures)\.ts$/.test(entry.name)
      ? [path]
      : [];
  });
}

/** The TSDoc comment directly above `export [abstract] class <name>`, or undefined. */
function classDoc(source: string, name: string): string | undefined {
  const declaration = new RegExp(`^export (?:abstract )?class ${name}\\b`, 'm').exec(source);
  if (declaration === null) return undefined;
  const before = source.slice(0, declaration.index).trimEnd();
  if (!before.endsWith('*/')) return '';
  return before.slice(before.lastIndexOf('/**'));
}

describe('public API documentation', () => {
  it('the report lists the public API and no warning', () => {
    expect(report).toContain('export class WebhookPlatform');
    expect(report.split('\n').filter((line) => line.includes('Warning:'))).toEqual([]);
  });

  it('every exported declaration has TSDoc', () => {
    const lines = report.split('\n');
    const undocumented = lines
      .map((line, i) => (line === '// @public (undocumented)' ? (lines[i + 1] ?? '') : undefined))
      .filter((next): next is string => next !== undefined);
    expect(undocumented).toEqual([]);
  });

  const classes = [...report.matchAll(/^export (?:declare )?(?:abstract )?class (\w+)/gm)].map(
    (m) => m[1] ?? '',
  );
  const files = [...sources(join(root, 'constructs')), join(root, 'runtime', 'src', 'contract.ts')].map(
    (path) => readFileSync(path, 'utf8'),
  );

  it('finds the exported classes', () => {
    expect(classes).toEqual(expect.arrayContaining(['WebhookFoundation', 'WebhookPlatform', 'MessageBus']));
  });

  it.each(classes)('class %s has an @example in the TSDoc on the class', (name) => {
    const docs = files.map((source) => classDoc(source, name)).filter((doc) => doc !== undefined);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatch(/@example\s+\* ```ts\n/);
  });
});
