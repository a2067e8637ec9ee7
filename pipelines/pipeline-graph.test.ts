/**
 * The stage graph of azure-pipelines.yml, templates expanded as Azure DevOps compiles them, and dry
 * runs of its conditions. Per environment the stages follow the deploy path (foundation plan →
 * foundation apply → secrets → images → platform plan → platform apply → smoke), so nothing writes
 * to a vault or registry before the apply that creates it, and the platform is planned only once its
 * certificate and images exist. Pull requests run both plans of every environment and write nothing;
 * main goes dev → staging → prod; each apply is a deployment job on its own Environment that applies
 * its own saved plan.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandPipeline, isMap, referencedTemplates, type Yaml, type YamlMap } from './lib/expand';
import { repoPath } from './lib/schema';
import { evaluateCondition, type StageResult } from './lib/conditions';
import { dependsTransitively, dryRun, stagesOf, topologicalOrder, type Stage } from './lib/stage-graph';

const PIPELINE = repoPath('azure-pipelines.yml');
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
type Env = (typeof ENVIRONMENTS)[number];
const LAYERS = ['foundation', 'platform'] as const;
/** The deploy path of one environment, in order. */
const DEPLOY_PATH = [
  'foundation_plan',
  'foundation_apply',
  'secrets',
  'images',
  'platform_plan',
  'platform_apply',
  'smoke',
] as const;
const PROMOTE_AFTER: Record<Env, string> = { dev: 'synth', staging: 'smoke_dev', prod: 'smoke_staging' };
/** Stages that change something in Azure: none may run for a pull request. */
const WRITING = ['foundation_apply', 'secrets', 'images', 'platform_apply', 'smoke'] as const;

const pipeline = expandPipeline(PIPELINE);
const stages = stagesOf(pipeline);
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
const inputsOf = (step: YamlMap): YamlMap => (isMap(step.inputs) ? step.inputs : {});
const scriptOf = (step: YamlMap): string =>
  typeof step.bash === 'string' ? step.bash : typeof step.script === 'string' ? step.script : '';

/**
 * What a step runs: its inline script, an AzureCLI@2 inline script, or the repository script an
 * AzureCLI@2 step names (its text and arguments), so a test sees the `az` calls inside it.
 */
function commandOf(step: YamlMap): string {
  const inputs = inputsOf(step);
  const parts = [scriptOf(step)];
  if (typeof inputs.inlineScript === 'string') parts.push(inputs.inlineScript);
  if (typeof inputs.scriptPath === 'string') {
    parts.push(`${inputs.scriptPath} ${String(inputs.arguments ?? '')}`);
    parts.push(readFileSync(repoPath(inputs.scriptPath), 'utf8'));
  }
  return parts.join('\n');
}

const publishedArtifacts = (s: Stage): string[] =>
  allSteps(s)
    .filter((st) => st.task === 'PublishPipelineArtifact@1')
    .map((st) => String(inputsOf(st).artifact));
const downloadedArtifacts = (s: Stage): string[] =>
  allSteps(s)
    .filter((st) => st.download === 'current')
    .map((st) => String(st.artifact));
const envStages = (env: Env): Stage[] => DEPLOY_PATH.map((p) => stage(`${p}_${env}`));

/** Shell or YAML text without its comment lines (a script's header may explain what it avoids). */
const withoutComments = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');

const PR = { 'Build.Reason': 'PullRequest', 'Build.SourceBranch': 'refs/pull/42/merge' };
const MAIN = { 'Build.Reason': 'IndividualCI', 'Build.SourceBranch': 'refs/heads/main' };
const BRANCH = { 'Build.Reason': 'Manual', 'Build.SourceBranch': 'refs/heads/feature/x' };

describe('stage graph', () => {
  it('has validate, synth and the seven deploy-path stages of each environment, nothing else', () => {
    const expected = [
      'validate',
      'synth',
      ...ENVIRONMENTS.flatMap((env) => DEPLOY_PATH.map((p) => `${p}_${env}`)),
    ];
    expect(stages.map((s) => s.name).sort()).toEqual(expected.sort());
  });

  it.each(ENVIRONMENTS)(
    '%s: foundation plan → foundation apply → secrets → images → platform plan → platform apply → smoke',
    (env) => {
      const order = topologicalOrder(stages).map((s) => s.name);
      const path = DEPLOY_PATH.map((p) => `${p}_${env}`);
      for (let i = 1; i < path.length; i++) {
        const [before, after] = [path[i - 1] as string, path[i] as string];
        expect([after, stage(after).dependsOn]).toEqual([after, expect.arrayContaining([before])]);
        expect(order.indexOf(before)).toBeLessThan(order.indexOf(after));
      }
    },
  );

  it.each(ENVIRONMENTS)('%s: each stage depends on exactly the stages it needs', (env) => {
    const deps = Object.fromEntries(envStages(env).map((s) => [s.name.replace(`_${env}`, ''), s.dependsOn]));
    expect(deps).toEqual({
      foundation_plan: ['synth'],
      foundation_apply: [`foundation_plan_${env}`, PROMOTE_AFTER[env]],
      secrets: [`foundation_apply_${env}`],
      images: [`secrets_${env}`],
      // synth directly too: its condition reads synth's result when images is skipped (PRs).
      platform_plan: ['synth', `images_${env}`],
      platform_apply: [`platform_plan_${env}`],
      smoke: [`platform_apply_${env}`],
    });
  });

  it.each(ENVIRONMENTS)(
    '%s: nothing writes to the vault or registry before the foundation that creates them is applied, and the platform is planned after both are filled',
    (env) => {
      for (const s of [`secrets_${env}`, `images_${env}`, `platform_plan_${env}`]) {
        expect([s, dependsTransitively(stages, s, `foundation_apply_${env}`)]).toEqual([s, true]);
      }
      expect(dependsTransitively(stages, `platform_plan_${env}`, `secrets_${env}`)).toBe(true);
      expect(dependsTransitively(stages, `platform_plan_${env}`, `images_${env}`)).toBe(true);
      expect(dependsTransitively(stages, `foundation_apply_${env}`, `images_${env}`)).toBe(false);
    },
  );

  it('promotes dev → staging → prod: each foundation apply waits for the previous smoke test', () => {
    expect(stage('foundation_apply_staging').dependsOn).toContain('smoke_dev');
    expect(stage('foundation_apply_prod').dependsOn).toContain('smoke_staging');
    expect(dependsTransitively(stages, 'foundation_apply_prod', 'platform_apply_dev')).toBe(true);
    expect(stage('validate').dependsOn).toEqual([]);
    expect(stage('synth').dependsOn).toEqual(['validate']);
  });
});

describe('stack outputs: one source for every name', () => {
  it.each(ENVIRONMENTS)(
    '%s: the foundation apply publishes foundation-<env>; secrets, images and smoke read it, nobody else writes it',
    (env) => {
      const publishers = stages.filter((s) => publishedArtifacts(s).includes(`foundation-${env}`));
      expect(publishers.map((s) => s.name)).toEqual([`foundation_apply_${env}`]);
      for (const s of [`secrets_${env}`, `images_${env}`, `smoke_${env}`]) {
        expect([s, downloadedArtifacts(stage(s))]).toEqual([
          s,
          expect.arrayContaining([`foundation-${env}`]),
        ]);
      }
      const smokePublishers = stages.filter((s) => publishedArtifacts(s).includes(`platform-${env}`));
      expect(smokePublishers.map((s) => s.name)).toEqual([`platform_apply_${env}`]);
      expect(downloadedArtifacts(stage(`smoke_${env}`))).toContain(`platform-${env}`);
    },
  );

  it('the deploy steps take names from the outputs files, never from variables holding names', () => {
    const files = [PIPELINE, ...referencedTemplates(PIPELINE)];
    for (const f of files) {
      const text = withoutComments(readFileSync(f, 'utf8'));
      expect([f, text]).not.toEqual([
        f,
        expect.stringMatching(/\$\((ACR_NAME|KEY_VAULT_NAME|WEBHOOK_URL)\)/),
      ]);
    }
    const deploySteps = stages
      .flatMap(allSteps)
      .filter((st) => /^pipelines\/deploy\//.test(String(inputsOf(st).scriptPath ?? '')));
    expect(deploySteps.length).toBeGreaterThan(0);
    for (const st of deploySteps)
      expect(String(inputsOf(st).arguments)).toMatch(/^(open |close )?\$\(foundationOutputs\)/);
  });

  it('the apply publishes only the non-sensitive outputs (cdktf marks cross-stack outputs sensitive)', () => {
    for (const env of ENVIRONMENTS) {
      for (const layer of LAYERS) {
        const step = allSteps(stage(`${layer}_apply_${env}`)).find((st) =>
          /terraform output -json/.test(scriptOf(st)),
        );
        expect(scriptOf(step ?? {})).toMatch(/select\(\.value\.sensitive \| not\)/);
      }
    }
  });
});

describe('apply', () => {
  const applies = ENVIRONMENTS.flatMap((env) => LAYERS.map((layer) => [env, layer] as const));

  it.each(applies)(
    '%s %s apply is one deployment job on its own Environment (webhooks-<env>)',
    (env, layer) => {
      const jobs = stage(`${layer}_apply_${env}`).jobs;
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.deployment).toBe('apply');
      expect(jobs[0]?.environment).toBe(`webhooks-${env}`);
    },
  );

  it('no other stage runs a deployment job or terraform apply', () => {
    for (const s of stages.filter((x) => !/_apply_/.test(x.name))) {
      expect([s.name, s.jobs.some((j) => 'deployment' in j)]).toEqual([s.name, false]);
      expect([s.name, allSteps(s).some((st) => /terraform apply/.test(commandOf(st)))]).toEqual([
        s.name,
        false,
      ]);
    }
  });

  it.each(applies)(
    '%s %s apply downloads only its own plan artifact, which only its plan stage publishes',
    (env, layer) => {
      expect(downloadedArtifacts(stage(`${layer}_apply_${env}`))).toEqual([`plan-${env}-${layer}`]);
      const publishers = stages
        .filter((s) => publishedArtifacts(s).includes(`plan-${env}-${layer}`))
        .map((s) => s.name);
      expect(publishers).toEqual([`${layer}_plan_${env}`]);
    },
  );

  it.each(applies)(
    '%s %s apply applies the saved plan file from that artifact, no new plan',
    (env, layer) => {
      const s = stage(`${layer}_apply_${env}`);
      const planDir = s.variables.filter(isMap).find((v) => v.name === 'planDir');
      expect(planDir?.value).toBe(`$(Pipeline.Workspace)/plan-${env}-${layer}`);
      const tfApplies = allSteps(s).filter((st) => /terraform apply/.test(scriptOf(st)));
      expect(tfApplies).toHaveLength(1);
      expect(scriptOf(tfApplies[0] as YamlMap)).toMatch(/terraform apply .*\btfplan\s*$/);
      expect(tfApplies[0]?.workingDirectory).toBe('$(planDir)/stack');
      expect(allSteps(s).some((st) => /terraform plan/.test(scriptOf(st)))).toBe(false);
    },
  );

  it.each(applies)('%s %s: plan and apply install the same pinned Terraform version', (env, layer) => {
    const installs = (s: Stage) =>
      allSteps(s).filter((st) => st.displayName === 'Terraform $(terraformVersion)').length;
    expect(installs(stage(`${layer}_plan_${env}`))).toBe(1);
    expect(installs(stage(`${layer}_apply_${env}`))).toBe(1);
    const vars = pipeline.variables as YamlMap[];
    expect(vars.find((v) => v.name === 'terraformVersion')?.value).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('runs Node at the version .node-version pins, the one the runtime image is built on', () => {
    const pinned = readFileSync(repoPath('.node-version'), 'utf8').trim();
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    const vars = pipeline.variables as YamlMap[];
    expect(vars.find((v) => v.name === 'nodeVersion')?.value).toBe(pinned);
    const major = pinned.split('.')[0];
    const froms = readFileSync(repoPath('runtime/Dockerfile'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('FROM '));
    expect(froms).toEqual([
      `FROM node:${major}-bookworm-slim AS build`,
      `FROM gcr.io/distroless/nodejs${major}-debian12:nonroot`,
    ]);
  });

  it.each(applies)('%s %s plan plans its own synthesized stack directory', (env, layer) => {
    const s = stage(`${layer}_plan_${env}`);
    const stackDir = s.variables.filter(isMap).find((v) => v.name === 'stackDir');
    expect(stackDir?.value).toBe(`$(Pipeline.Workspace)/cdktf-out/stacks/${env}-${layer}`);
    expect(publishedArtifacts(s)).toEqual([`plan-${env}-${layer}`]);
    expect(allSteps(s).some((st) => /npm run -s plan:review/.test(scriptOf(st)))).toBe(true);
  });
});

describe('state backend', () => {
  it('terraform init never takes -backend-config: the backend is in the synthesized JSON', () => {
    const inits = stages.flatMap(allSteps).filter((st) => /terraform\b.*\binit\b/.test(commandOf(st)));
    expect(inits.length).toBeGreaterThan(ENVIRONMENTS.length * LAYERS.length * 2);
    for (const st of inits) expect(commandOf(st)).not.toContain('-backend-config');
  });

  it('synth has the variable group webhooks-tfstate, checks its settings and the backend in every deployed stack', () => {
    const synth = stage('synth');
    expect(synth.variables).toContainEqual({ group: 'webhooks-tfstate' });
    const text = allSteps(synth).map(commandOf).join('\n');
    for (const v of ['TFSTATE_RESOURCE_GROUP', 'TFSTATE_STORAGE_ACCOUNT', 'TFSTATE_CONTAINER'])
      expect(text).toContain(v);
    expect(text).toMatch(/\.terraform\.backend\.azurerm\.use_oidc == true/);
    const run = allSteps(synth).find((st) => /npm run synth/.test(scriptOf(st)));
    expect((run?.env as YamlMap).CDKTF_CONTEXT_JSON).toBe('{"imageTag":"$(Build.BuildId)"}');
  });

  it('no stage but synth reads the state settings group, and no plan or apply passes backend settings itself', () => {
    for (const s of stages.filter((x) => x.name !== 'synth')) {
      expect([s.name, s.variables]).not.toEqual([
        s.name,
        expect.arrayContaining([{ group: 'webhooks-tfstate' }]),
      ]);
    }
  });
});

describe('dry runs of the conditions', () => {
  const stagesRunBy = (variables: Record<string, string>) => {
    const r = dryRun(stages, { variables });
    return stages.filter((s) => r[s.name] === 'Succeeded');
  };

  it('a pull request runs validate, synth and both plans of every environment, and no writing stage', () => {
    const r = dryRun(stages, { variables: PR });
    expect(r.validate).toBe('Succeeded');
    expect(r.synth).toBe('Succeeded');
    for (const env of ENVIRONMENTS) {
      expect([env, r[`foundation_plan_${env}`], r[`platform_plan_${env}`]]).toEqual([
        env,
        'Succeeded',
        'Succeeded',
      ]);
      for (const w of WRITING) expect([`${w}_${env}`, r[`${w}_${env}`]]).toEqual([`${w}_${env}`, 'Skipped']);
    }
  });

  it('no step a pull request runs calls az keyvault, az acr, docker push or terraform apply, or opens a firewall', () => {
    const ran = stagesRunBy(PR);
    expect(ran.length).toBe(2 + 2 * ENVIRONMENTS.length);
    for (const s of ran) {
      for (const st of allSteps(s)) {
        const cmd = commandOf(st);
        expect([s.name, cmd]).not.toEqual([
          s.name,
          expect.stringMatching(/\baz (keyvault|acr)\b|docker push|terraform apply|data-plane-access\.sh/),
        ]);
        expect([s.name, st.task]).not.toEqual([
          s.name,
          expect.stringMatching(/^(AzureCLI|DownloadSecureFile)@/),
        ]);
      }
    }
  });

  it('a run of another branch plans both layers but writes nothing', () => {
    const r = dryRun(stages, { variables: BRANCH });
    for (const env of ENVIRONMENTS) {
      expect([r[`foundation_plan_${env}`], r[`platform_plan_${env}`]]).toEqual(['Succeeded', 'Succeeded']);
      for (const w of WRITING) expect(r[`${w}_${env}`]).toBe('Skipped');
    }
  });

  it('main runs every stage through prod', () => {
    const r = dryRun(stages, { variables: MAIN });
    for (const s of stages) expect([s.name, r[s.name]]).toEqual([s.name, 'Succeeded']);
  });

  it.each(ENVIRONMENTS)(
    'main: the %s platform plan waits for its images, and is not made without them',
    (env) => {
      const r = dryRun(stages, { variables: MAIN, failing: [`images_${env}`] });
      expect(r[`platform_plan_${env}`]).toBe('Skipped');
      expect(r[`platform_apply_${env}`]).toBe('Skipped');
      expect(r[`smoke_${env}`]).toBe('Skipped');
    },
  );

  it.each(ENVIRONMENTS)('main: failed secrets in %s stop its images and its platform', (env) => {
    const r = dryRun(stages, { variables: MAIN, failing: [`secrets_${env}`] });
    expect([r[`images_${env}`], r[`platform_plan_${env}`], r[`platform_apply_${env}`]]).toEqual([
      'Skipped',
      'Skipped',
      'Skipped',
    ]);
  });

  it('a failed foundation plan (e.g. refused by the plan review) stops that environment and the later ones', () => {
    const r = dryRun(stages, { variables: MAIN, failing: ['foundation_plan_staging'] });
    expect(r.smoke_dev).toBe('Succeeded');
    for (const s of [
      'foundation_apply_staging',
      'secrets_staging',
      'platform_plan_staging',
      'foundation_apply_prod',
    ])
      expect([s, r[s]]).toEqual([s, 'Skipped']);
  });

  it('a failed smoke test in dev keeps staging and prod from being applied or their platforms planned', () => {
    const r = dryRun(stages, { variables: MAIN, failing: ['smoke_dev'] });
    expect(r.foundation_plan_staging).toBe('Succeeded');
    for (const s of [
      'foundation_apply_staging',
      'platform_plan_staging',
      'foundation_apply_prod',
      'smoke_prod',
    ])
      expect([s, r[s]]).toEqual([s, 'Skipped']);
  });

  it('a failed platform apply skips the smoke test and the promotion', () => {
    const r = dryRun(stages, { variables: MAIN, failing: ['platform_apply_dev'] });
    expect(r.smoke_dev).toBe('Skipped');
    expect(r.foundation_apply_staging).toBe('Skipped');
  });

  it('a pull request whose synth fails plans nothing', () => {
    const r = dryRun(stages, { variables: PR, failing: ['synth'] });
    for (const env of ENVIRONMENTS)
      expect([r[`foundation_plan_${env}`], r[`platform_plan_${env}`]]).toEqual(['Skipped', 'Skipped']);
  });
});

describe('the platform plan condition, result by result', () => {
  const runs = (variables: Record<string, string>, synth: StageResult, images: StageResult) =>
    evaluateCondition(stage('platform_plan_dev').condition, {
      variables,
      dependencies: { synth, images_dev: images },
    });

  it.each([
    ['a pull request', 'Succeeded', 'Skipped', true, PR],
    ['another branch', 'Succeeded', 'Skipped', true, BRANCH],
    ['main, images pushed', 'Succeeded', 'Succeeded', true, MAIN],
    ['main, images pushed with warnings', 'Succeeded', 'SucceededWithIssues', true, MAIN],
    ['main, images skipped (an earlier stage failed)', 'Succeeded', 'Skipped', false, MAIN],
    ['main, images failed', 'Succeeded', 'Failed', false, MAIN],
    ['a pull request whose images stage somehow failed', 'Succeeded', 'Failed', false, PR],
    ['a pull request whose synth failed', 'Failed', 'Skipped', false, PR],
    ['a cancelled run', 'Succeeded', 'Canceled', false, MAIN],
  ] as const)('%s: synth %s, images %s → runs: %s', (_label, synth, images, expected, variables) => {
    expect(runs(variables, synth, images)).toBe(expected);
  });
});

describe('deployer access to the private data planes', () => {
  const jobs = stages.flatMap((s) => s.jobs.map((j) => ({ stage: s.name, job: j, steps: stepsOf(j) })));
  const isDataPlane = (st: YamlMap, action: 'open' | 'close') =>
    inputsOf(st).scriptPath === 'pipelines/deploy/data-plane-access.sh' &&
    String(inputsOf(st).arguments).startsWith(`${action} `);
  const runsDeployScript = (st: YamlMap) =>
    /^pipelines\/deploy\/(?!data-plane-access)/.test(String(inputsOf(st).scriptPath ?? ''));

  it('every job that opens a data plane closes it with condition always(), after every step that needs it', () => {
    const opening = jobs.filter((j) => j.steps.some((st) => isDataPlane(st, 'open')));
    expect(opening.map((j) => j.stage).sort()).toEqual(
      ENVIRONMENTS.flatMap((env) => [`images_${env}`, `secrets_${env}`, `smoke_${env}`]).sort(),
    );
    for (const { stage: name, steps } of opening) {
      const open = steps.findIndex((st) => isDataPlane(st, 'open'));
      const closes = steps.flatMap((st, i) => (isDataPlane(st, 'close') ? [i] : []));
      expect([name, closes.length]).toEqual([name, 1]);
      const close = closes[0] as number;
      expect([name, steps[close]?.condition]).toEqual([name, 'always()']);
      const users = steps.flatMap((st, i) => (runsDeployScript(st) ? [i] : []));
      expect(users.length).toBeGreaterThan(0);
      for (const i of users) expect([name, open < i && i < close]).toEqual([name, true]);
      // open and close share the job's record of what was added.
      const stateOf = (i: number) => (steps[i]?.env as YamlMap).DATA_PLANE_ACCESS_STATE;
      expect(stateOf(open)).toBe('$(Agent.TempDirectory)/data-plane-access.state');
      expect(stateOf(close)).toBe(stateOf(open));
    }
  });

  it('every step that runs a deploy script is inside an open/close pair', () => {
    for (const { stage: name, steps } of jobs) {
      if (!steps.some(runsDeployScript)) continue;
      expect([name, steps.some((st) => isDataPlane(st, 'open'))]).toEqual([name, true]);
    }
  });

  it('each job opens only the data plane it needs', () => {
    const targets = (name: string) =>
      allSteps(stage(name))
        .filter((st) => isDataPlane(st, 'open'))
        .map((st) => String(inputsOf(st).arguments).split(' ')[2]);
    for (const env of ENVIRONMENTS) {
      expect(targets(`secrets_${env}`)).toEqual(['keyvault']);
      expect(targets(`images_${env}`)).toEqual(['registry']);
      expect(targets(`smoke_${env}`)).toEqual(['keyvault']);
    }
  });

  it.each(ENVIRONMENTS)('%s: every Azure CLI step uses that environment’s service connection', (env) => {
    for (const s of envStages(env)) {
      for (const st of allSteps(s).filter((x) => x.task === 'AzureCLI@2')) {
        expect([s.name, inputsOf(st).azureSubscription]).toEqual([s.name, `sc-webhooks-${env}`]);
      }
    }
  });
});

describe('images, secrets and smoke', () => {
  it('nothing runs `az acr build` (ACR Tasks cannot reach a private registry)', () => {
    const deployScripts = readdirSync(repoPath('pipelines', 'deploy'))
      .filter((f) => f.endsWith('.sh'))
      .map((f) => join(repoPath('pipelines', 'deploy'), f));
    for (const f of [PIPELINE, ...referencedTemplates(PIPELINE), ...deployScripts]) {
      expect([f, withoutComments(readFileSync(f, 'utf8'))]).not.toEqual([
        f,
        expect.stringMatching(/az\s+acr\s+build/),
      ]);
    }
    for (const st of stages.flatMap(allSteps))
      expect(withoutComments(commandOf(st))).not.toMatch(/az\s+acr\s+build/);
  });

  it.each(ENVIRONMENTS)(
    '%s: images are pushed with images.sh, tagged with the build id the synth used',
    (env) => {
      const pushes = allSteps(stage(`images_${env}`)).filter(
        (st) => inputsOf(st).scriptPath === 'pipelines/deploy/images.sh',
      );
      expect(pushes).toHaveLength(1);
      expect(inputsOf(pushes[0] as YamlMap).arguments).toBe('$(foundationOutputs) $(Build.BuildId)');
    },
  );

  it('the PFX secure file is referenced only by environments that import their certificate', () => {
    const secureFiles = (env: Env) =>
      allSteps(stage(`secrets_${env}`))
        .filter((st) => st.task === 'DownloadSecureFile@1')
        .map((st) => inputsOf(st).secureFile);
    expect(secureFiles('dev')).toEqual([]);
    expect(secureFiles('staging')).toEqual(['gateway-tls-staging.pfx']);
    expect(secureFiles('prod')).toEqual(['gateway-tls-prod.pfx']);
    const expectation = (env: Env) =>
      allSteps(stage(`secrets_${env}`))
        .map((st) => (st.env as YamlMap | undefined)?.EXPECTED_GATEWAY_CERTIFICATE_SOURCE)
        .filter((v) => v !== undefined);
    expect(ENVIRONMENTS.map(expectation)).toEqual([['self-signed'], ['import'], ['import']]);
  });

  it.each(ENVIRONMENTS)(
    '%s: the smoke test reads its secret from Key Vault, not from a variable group',
    (env) => {
      const s = stage(`smoke_${env}`);
      expect(s.variables.filter((v) => isMap(v) && 'group' in v)).toEqual([]);
      const steps = allSteps(s);
      const inputs = steps.findIndex((st) => inputsOf(st).scriptPath === 'pipelines/deploy/smoke-inputs.sh');
      const post = steps.findIndex((st) => /npx tsx pipelines\/smoke\/main\.ts/.test(scriptOf(st)));
      expect(inputs).toBeGreaterThan(-1);
      expect(post).toBeGreaterThan(inputs);
      const postStep = steps[post] as YamlMap;
      expect((postStep.env as YamlMap).SMOKE_WEBHOOK_SECRET).toBe('$(SMOKE_WEBHOOK_SECRET)');
      expect(scriptOf(postStep)).toMatch(/--resolve "\$SMOKE_RESOLVE"/);
      expect(scriptOf(postStep)).toMatch(/--ca-file "\$SMOKE_CA_FILE"/);
      expect(scriptOf(postStep)).not.toMatch(/SMOKE_WEBHOOK_SECRET/);
    },
  );
});

describe('validate stage', () => {
  const steps = allSteps(stage('validate'));
  const text = steps.map(commandOf).join('\n');

  it('runs the real terraform init -backend=false and terraform validate for every synthesized stack', () => {
    const step = steps.find((st) => /terraform -chdir="\$dir" validate/.test(scriptOf(st)));
    const script = scriptOf(step ?? {});
    expect(script).toMatch(/for dir in cdktf\.out\/stacks\/\*\/; do/);
    expect(script).toMatch(/terraform -chdir="\$dir" init -backend=false/);
    expect(script).toMatch(/expected="bootstrap"/);
    expect(script).toMatch(
      /for env in dev staging prod; do expected="\$expected \$env-foundation \$env-platform"; done/,
    );
    expect(step?.env).toEqual({ TF_IN_AUTOMATION: 'true' });
    const order = steps.map((st) => st.displayName);
    expect(order.indexOf('Terraform $(terraformVersion)')).toBeLessThan(
      order.indexOf(step?.displayName ?? ''),
    );
  });

  it('builds no OpenTofu: the plan-review tests use the installed Terraform', () => {
    expect(text).not.toMatch(/build-tofu|go install|go build/);
    expect(steps.some((st) => String(st.task).startsWith('GoTool@'))).toBe(false);
    const tests = steps.find((st) => /npm test/.test(scriptOf(st)));
    expect((tests?.env as YamlMap).TOFU_BIN).toBe(
      '$(Agent.ToolsDirectory)/terraform/$(terraformVersion)/terraform',
    );
  });

  it('keeps typecheck, lint, tests, checkov and hadolint', () => {
    for (const check of ['npm run typecheck', 'npm run lint', 'npm test', 'checkov --directory', 'hadolint '])
      expect(text).toContain(check);
  });
});

describe('credentials', () => {
  const files = [PIPELINE, ...referencedTemplates(PIPELINE)];

  it('no file holds a secret or a key-based credential (a $(VAR) mapping of a secret variable is fine)', () => {
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect([f, text]).not.toEqual([
        f,
        expect.stringMatching(
          /ARM_CLIENT_SECRET|ARM_ACCESS_KEY|client_secret|AccountKey=|password\s*:\s*(?!\$\()\S/i,
        ),
      ]);
    }
  });

  it('every step that runs terraform against the state authenticates by OIDC with the service connection', () => {
    const tfSteps = stages
      .filter((s) => s.name !== 'validate')
      .flatMap(allSteps)
      .filter((st) => /\bterraform (init|plan|apply|output)\b/.test(scriptOf(st)));
    // Per environment and layer: init + plan in the plan stage, init + apply + output in the apply stage.
    expect(tfSteps.length).toBe(ENVIRONMENTS.length * LAYERS.length * 5);
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
