/**
 * images.sh against the az and docker test doubles: both images are built on the agent from their
 * Dockerfiles and pushed under the registry's login server after `az acr login`; tags the registry
 * already has are neither built nor pushed again; ACR Tasks (`az acr build`) are never used.
 */
import {
  LOGIN_SERVER,
  REGISTRY,
  Sandbox,
  foundationOutputs,
  openedCloud,
  privateCloud,
  type Cloud,
} from './test-support';

const SCRIPT = 'images.sh';
const TAG = '4711';
let box: Sandbox;
let outputs: string;

function setUp(cloud: Cloud = openedCloud()): void {
  box = new Sandbox(cloud);
  outputs = box.writeOutputs('foundation', foundationOutputs());
}

afterEach(() => box.remove());

const images = () => box.cloud().registries?.[REGISTRY]?.images ?? [];
const dockerCalls = () => box.calls().filter((c) => c[0] === 'docker');

it('builds both images on the agent from their Dockerfiles and pushes them under the login server, after az acr login', () => {
  setUp();
  const run = box.run(SCRIPT, [outputs, TAG]);
  expect(run.code).toBe(0);
  const runtime = `${LOGIN_SERVER}/webhook-runtime:${TAG}`;
  const nginx = `${LOGIN_SERVER}/webhook-nginx:${TAG}`;
  expect(dockerCalls()).toEqual([
    ['docker', 'build', '--platform', 'linux/amd64', '-f', 'runtime/Dockerfile', '-t', runtime, '.'],
    ['docker', 'push', runtime],
    ['docker', 'build', '--platform', 'linux/amd64', '-f', 'nginx/Dockerfile', '-t', nginx, 'nginx'],
    ['docker', 'push', nginx],
  ]);
  const order = box.calls().map((c) => c.slice(0, 3).join(' '));
  expect(order.indexOf('az acr login')).toBeLessThan(order.indexOf('docker push ' + runtime));
  expect(box.callsTo('az acr login')).toEqual([['az', 'acr', 'login', '--name', REGISTRY]]);
  expect(images().sort()).toEqual([`webhook-nginx:${TAG}`, `webhook-runtime:${TAG}`]);
});

it('skips tags the registry already has: a re-run builds, logs in and pushes nothing', () => {
  setUp();
  expect(box.run(SCRIPT, [outputs, TAG]).code).toBe(0);
  const before = box.calls().length;
  const again = box.run(SCRIPT, [outputs, TAG]);
  expect(again.code).toBe(0);
  const rerun = box.calls().slice(before);
  expect(rerun.map((c) => c.slice(0, 3).join(' '))).toEqual(['az acr repository', 'az acr repository']);
  expect(again.stderr).toContain(`every image of tag ${TAG} is in ${REGISTRY}`);
});

it('builds and pushes only the image whose tag is missing', () => {
  const cloud = openedCloud();
  const registry = cloud.registries?.[REGISTRY];
  if (registry) registry.images = [`webhook-runtime:${TAG}`, 'webhook-nginx:1'];
  setUp(cloud);
  expect(box.run(SCRIPT, [outputs, TAG]).code).toBe(0);
  expect(dockerCalls().map((c) => c.slice(0, 2).concat(c.slice(-1)))).toEqual([
    ['docker', 'build', 'nginx'],
    ['docker', 'push', `${LOGIN_SERVER}/webhook-nginx:${TAG}`],
  ]);
});

it('never asks ACR Tasks to build (az acr build cannot push to a private registry)', () => {
  setUp();
  box.run(SCRIPT, [outputs, TAG]);
  expect(box.callsTo('az acr build')).toEqual([]);
  expect(
    box
      .calls()
      .filter((c) => c[0] === 'az')
      .map((c) => c[2]),
  ).not.toContain('build');
});

it('retries a push the registry refuses while the AcrPush role propagates', () => {
  setUp({
    ...openedCloud(),
    failures: [
      {
        match: 'docker push',
        times: 2,
        stderr: 'denied: requested access to the resource is denied',
        exit: 1,
      },
    ],
  });
  const run = box.run(SCRIPT, [outputs, TAG]);
  expect(run.code).toBe(0);
  expect(box.callsTo('docker push')).toHaveLength(4);
  expect(images()).toHaveLength(2);
});

it('cannot push to a private registry that was not opened to the agent', () => {
  setUp(privateCloud());
  const run = box.run(SCRIPT, [outputs, TAG], { DEPLOY_RETRY_ATTEMPTS: '2' });
  expect(run.code).not.toBe(0);
  expect(run.stderr).toContain('not allowed access');
  expect(images()).toEqual([]);
});

it.each(['', 'latest tag', '-x', 'a'.repeat(129)])(
  'refuses an invalid tag %j before calling anything',
  (tag) => {
    setUp();
    const run = box.run(SCRIPT, [outputs, tag]);
    expect(run.code).not.toBe(0);
    expect(box.calls()).toEqual([]);
  },
);
