/**
 * The stage graph of azure-pipelines.yml, templates expanded as Azure DevOps compiles them, and dry
 * runs of its conditions: pull requests stop after the plans, main goes dev → staging → prod, each
 * apply is a deployment job on its own Environment that applies its own plan's artifact.
 */
import { readFileSync } from 'node:fs';
import { expandPipeline, isMap, referencedTemplates, type Yaml, type YamlMap } from './lib/expand';
import { repoPath } from './lib/schema';
import { dependsTransitively, dryRun, stagesOf, type Stage } from './lib/stage-graph';

const PIPELINE = repoPath('azure-pipelines.yml');
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
const stages = stagesOf(expandPipeline(PIPELINE));
const stage = (name: string): Stage => {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}; stages: ${stages.map((x) => x.name).join(', ')}`);
  return s;
};

/** Every step of a job, including a deployment job's runOnce hooks. */
function stepsOf(job: YamlMap): YamlMap[] {
  const steps: YamlMap[] = [];
  const walk = (n: Yaml): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (isMap(n)) {
      if (Array.isArray(n.steps)) steps.push(...n.steps.filter(isMap));
      else Object.values(n).forEach(walk);
    }
  };
  walk(job);
  return steps;
}

const allSteps = (s: Stage): YamlMap[] => s.jobs.flatMap(stepsOf);
const scriptOf = (step: YamlMap): string =>
  typeof step.bash === 'string' ? step.bash : typeof step.script === 'string' ? step.script : '';
const publishedArtifacts = (s: Stage): string[] =>
  allSteps(s)
    .filter((st) => st.task === 'PublishPipelineArtifact@1' && isMap(st.inputs))
    .map((st) => String((st.inputs as YamlMap).artifact));
const downloadedArtifacts = (s: Stage): string[] =>
  allSteps(s)
    .filter((st) => st.download === 'current')
    .map((st) => String(st.artifact));

const PR = { 'Build.Reason': 'PullRequest', 'Build.SourceBranch': 'refs/pull/42/merge' };
const MAIN = { 'Build.Reason': 'IndividualCI', 'Build.SourceBranch': 'refs/heads/main' };
const BRANCH = { 'Build.Reason': 'Manual', 'Build.SourceBranch': 'refs/heads/feature/x' };

describe('stage graph', () => {
  it('has validate, synth and plan, images, apply and smoke stages per environment', () => {
    const expected = ['validate', 'synth'];
    for (const env of ENVIRONMENTS)
      expected.push(`plan_${env}`, `images_${env}`, `apply_${env}`, `smoke_${env}`);
    expect(stages.map((s) => s.name).sort()).toEqual(expected.sort());
  });

  it.each(ENVIRONMENTS)('apply_%s depends on its own plan and images, and plans follow synth', (env) => {
    expect(stage(`apply_${env}`).dependsOn).toEqual(expect.arrayContaining([`plan_${env}`, `images_${env}`]));
    expect(stage(`plan_${env}`).dependsOn).toEqual(['synth']);
    expect(dependsTransitively(stages, `plan_${env}`, 'validate')).toBe(true);
    for (const other of ENVIRONMENTS.filter((e) => e !== env)) {
      expect(stage(`apply_${env}`).dependsOn).not.toContain(`plan_${other}`);
    }
  });

  it('promotes dev → staging → prod: each apply waits for the previous smoke test', () => {
    expect(stage('apply_staging').dependsOn).toContain('smoke_dev');
    expect(stage('apply_prod').dependsOn).toContain('smoke_staging');
    expect(dependsTransitively(stages, 'apply_prod', 'apply_dev')).toBe(true);
    expect(stage('smoke_dev').dependsOn).toEqual(['apply_dev']);
  });
});

describe('apply', () => {
  it.each(ENVIRONMENTS)('apply_%s is one deployment job on its own Environment (webhooks-<env>)', (env) => {
    const jobs = stage(`apply_${env}`).jobs;
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.deployment).toBe('apply');
    expect(jobs[0]?.environment).toBe(`webhooks-${env}`);
  });

  it('no stage other than apply_* runs a deployment job or terraform apply', () => {
    for (const s of stages.filter((x) => !x.name.startsWith('apply_'))) {
      expect(s.jobs.some((j) => 'deployment' in j)).toBe(false);
      expect(allSteps(s).some((st) => /terraform apply/.test(scriptOf(st)))).toBe(false);
    }
  });

  it.each(ENVIRONMENTS)(
    'apply_%s downloads only its own plan artifact, which only its plan stage publishes',
    (env) => {
      expect(downloadedArtifacts(stage(`apply_${env}`))).toEqual([`plan-${env}`]);
      const publishers = stages
        .filter((s) => publishedArtifacts(s).includes(`plan-${env}`))
        .map((s) => s.name);
      expect(publishers).toEqual([`plan_${env}`]);
    },
  );

  it.each(ENVIRONMENTS)('apply_%s applies the saved plan file from that artifact, no new plan', (env) => {
    const s = stage(`apply_${env}`);
    const planDir = s.variables.filter(isMap).find((v) => v.name === 'planDir');
    expect(planDir?.value).toBe(`$(Pipeline.Workspace)/plan-${env}`);
    const applies = allSteps(s).filter((st) => /terraform apply/.test(scriptOf(st)));
    expect(applies).toHaveLength(1);
    expect(scriptOf(applies[0] as YamlMap)).toMatch(/terraform apply .*\btfplan\s*$/);
    expect(applies[0]?.workingDirectory).toBe('$(planDir)/stack');
    expect(allSteps(s).some((st) => /terraform plan/.test(scriptOf(st)))).toBe(false);
  });

  it.each(ENVIRONMENTS)('%s: plan and apply install the same pinned Terraform version', (env) => {
    const installs = (s: Stage) =>
      allSteps(s).filter((st) => st.displayName === 'Terraform $(terraformVersion)').length;
    expect(installs(stage(`plan_${env}`))).toBe(1);
    expect(installs(stage(`apply_${env}`))).toBe(1);
    const vars = expandPipeline(PIPELINE).variables as YamlMap[];
    expect(vars.find((v) => v.name === 'terraformVersion')?.value).toMatch(/^\d+\.\d+\.\d+$/);
    expect(vars.find((v) => v.name === 'nodeVersion')?.value).toMatch(/^20\.\d+\.\d+$/);
  });
});

describe('dry runs of the conditions', () => {
  it('a pull request runs validate, synth and every plan, and never images, apply or smoke', () => {
    const r = dryRun(stages, { variables: PR });
    expect(r.validate).toBe('Succeeded');
    expect(r.synth).toBe('Succeeded');
    for (const env of ENVIRONMENTS) {
      expect(r[`plan_${env}`]).toBe('Succeeded');
      expect([r[`images_${env}`], r[`apply_${env}`], r[`smoke_${env}`]]).toEqual([
        'Skipped',
        'Skipped',
        'Skipped',
      ]);
    }
  });

  it('a run of another branch plans but does not apply', () => {
    const r = dryRun(stages, { variables: BRANCH });
    for (const env of ENVIRONMENTS) {
      expect(r[`plan_${env}`]).toBe('Succeeded');
      expect(r[`apply_${env}`]).toBe('Skipped');
    }
  });

  it('main runs every stage through prod', () => {
    const r = dryRun(stages, { variables: MAIN });
    for (const s of stages) expect([s.name, r[s.name]]).toEqual([s.name, 'Succeeded']);
  });

  it('a failed plan (e.g. refused by the plan review) stops that environment and the later ones', () => {
    const r = dryRun(stages, { variables: MAIN, failing: ['plan_staging'] });
    expect(r.apply_dev).toBe('Succeeded');
    expect(r.apply_staging).toBe('Skipped');
    expect(r.apply_prod).toBe('Skipped');
  });

  it('a failed smoke test in dev keeps staging and prod from being applied', () => {
    const r = dryRun(stages, { variables: MAIN, failing: ['smoke_dev'] });
    expect(r.plan_staging).toBe('Succeeded');
    expect(r.apply_staging).toBe('Skipped');
    expect(r.apply_prod).toBe('Skipped');
  });

  it('failed image pushes keep the environment from being applied', () => {
    const r = dryRun(stages, { variables: MAIN, failing: ['images_prod'] });
    expect(r.apply_staging).toBe('Succeeded');
    expect(r.apply_prod).toBe('Skipped');
  });
});

describe('credentials', () => {
  const files = [PIPELINE, ...referencedTemplates(PIPELINE)];

  it('no file holds a secret or a key-based credential', () => {
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect([f, text]).not.toEqual([
        f,
        expect.stringMatching(/ARM_CLIENT_SECRET|ARM_ACCESS_KEY|client_secret|AccountKey=|password\s*:/i),
      ]);
    }
  });

  it('every step that runs terraform authenticates by OIDC with the service connection', () => {
    const tfSteps = stages
      .flatMap(allSteps)
      .filter((st) => /\bterraform (init|plan|apply)\b/.test(scriptOf(st)));
    expect(tfSteps.length).toBe(ENVIRONMENTS.length * 4);
    for (const st of tfSteps) {
      const env = st.env as YamlMap;
      expect(env.ARM_USE_OIDC).toBe('true');
      expect(env.ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID).toBe('$(ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID)');
      expect(env.SYSTEM_ACCESSTOKEN).toBe('$(System.AccessToken)');
      expect(env.SYSTEM_OIDCREQUESTURI).toBe('$(System.OidcRequestUri)');
      for (const v of ['ARM_CLIENT_ID', 'ARM_TENANT_ID', 'ARM_SUBSCRIPTION_ID'])
        expect(env[v]).toBe(`$(${v})`);
    }
  });
});
