/**
 * azure-pipelines.yml and every template under pipelines/templates validate against Microsoft's
 * Azure Pipelines schema, committed at pipelines/schema/service-schema.json (source and licence in
 * SOURCE.md there), each file as written and the pipeline once more with its templates expanded.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expandPipeline, loadYaml, parseYaml, referencedTemplates } from './lib/expand';
import { describeErrors, pipelineSchemaValidator, REPO_ROOT, repoPath, SCHEMA_PATH } from './lib/schema';

const PIPELINE = repoPath('azure-pipelines.yml');
const TEMPLATES_DIR = repoPath('pipelines', 'templates');

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function expectValid(doc: unknown, label: string): void {
  const validate = pipelineSchemaValidator();
  const ok = validate(doc);
  if (!ok)
    throw new Error(
      `${label} does not match the Azure Pipelines schema:\n${describeErrors(validate.errors)}`,
    );
}

describe('Azure Pipelines schema', () => {
  // Compiling the 2 MB schema takes seconds on a busy 2-core machine: once, with its own budget.
  beforeAll(() => {
    pipelineSchemaValidator();
  }, 120_000);

  it('reads the copy committed in the repository, byte for byte the one SOURCE.md describes', () => {
    expect(SCHEMA_PATH).toBe(repoPath('pipelines', 'schema', 'service-schema.json'));
    expect(relative(REPO_ROOT, SCHEMA_PATH).startsWith('..')).toBe(false);
    const sha256 = createHash('sha256').update(readFileSync(SCHEMA_PATH)).digest('hex');
    const source = readFileSync(repoPath('pipelines', 'schema', 'SOURCE.md'), 'utf8');
    expect(source).toContain(sha256);
    expect(source).toMatch(/microsoft\/azure-pipelines-vscode/);
    expect(source).toMatch(/MIT License/);
    for (const file of readdirSync(repoPath('pipelines', 'lib'))) {
      expect([file, readFileSync(repoPath('pipelines', 'lib', file), 'utf8')]).not.toEqual([
        file,
        expect.stringMatching(/['"]shared['"]|\.\.\/shared/),
      ]);
    }
  });

  it('says where the schema was expected when it is missing', () => {
    expect(() => pipelineSchemaValidator('/nonexistent/service-schema.json')).toThrow(
      /not found at \/nonexistent\/service-schema\.json.*pipelines\/schema\/service-schema\.json/,
    );
  });

  it('validates azure-pipelines.yml as written', () => {
    expectValid(loadYaml(PIPELINE), 'azure-pipelines.yml');
  });

  const templates = yamlFilesUnder(TEMPLATES_DIR);

  it.each(templates.map((f) => [relative(REPO_ROOT, f), f]))('validates %s', (_label, file) => {
    expectValid(loadYaml(file), relative(REPO_ROOT, file));
  });

  it('checks every template the pipeline references, and nothing references a missing file', () => {
    const referenced = referencedTemplates(PIPELINE).sort();
    expect(referenced.length).toBeGreaterThan(0);
    for (const f of referenced) expect(templates).toContain(f);
  });

  it('validates the pipeline with all templates expanded', () => {
    expectValid(expandPipeline(PIPELINE), 'expanded azure-pipelines.yml');
  });

  it('rejects a task not spelled in the exact case the schema lists', () => {
    const doc = parseYaml(`
stages:
  - stage: s
    jobs:
      - job: j
        steps:
          - task: azurecli@2
            inputs: { azureSubscription: x, scriptType: bash, scriptLocation: inlineScript, inlineScript: 'true' }
`);
    expect(pipelineSchemaValidator()(doc)).toBe(false);
  });

  it('rejects a Marketplace task that the schema does not list', () => {
    const doc = parseYaml(`
steps:
  - task: TerraformTaskV4@4
    inputs: { command: init }
`);
    expect(pipelineSchemaValidator()(doc)).toBe(false);
  });
});
