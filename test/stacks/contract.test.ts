/**
 * The construct ↔ runtime ↔ NGINX contract, held on what is deployed: every container app the real
 * stacks synthesize (and a set of constructs covering each bus, signature scheme and proxy hosting
 * the stacks do not use) is read back from the synthesized JSON, and
 * - each runtime container's environment (plain values, Terraform references and secret-backed
 *   variables given representative values) goes through the runtime's own config loader: it must
 *   load, and no variable may be unknown to the runtime or ignored by it;
 * - each NGINX container's environment must use only variables nginx/render.sh reads, and set the
 *   ones it requires; the port and probe routes must be the ones the image and template serve.
 * Unit suite: plain file reads and in-process calls only (render.sh is read, never run).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TerraformStack } from 'cdktf';
import { testStacks, synthJson, type Synthesized } from '../../constructs/core/testing';
import { fixture, newEnvironment, NAMESPACE_ID } from '../../constructs/hosting/testing';
import { ProxyTier } from '../../constructs/hosting/proxy-tier';
import { PROXY_ENV_NAMES, PROXY_PORT } from '../../constructs/hosting/proxy-contract';
import { WebhookRuntime } from '../../constructs/hosting/webhook-runtime';
import {
  renderSources,
  sourceRules,
  sourceSecretBindings,
  type WebhookSource,
} from '../../constructs/hosting/webhook-sources';
import { MessageBus } from '../../constructs/messaging/message-bus';
import { ignoredVariables, loadConfig, secretVariables } from '../../runtime/src/config';
import {
  DEFAULT_PORT,
  MAX_BODY_BYTES_RANGE,
  PROBE_PATHS,
  RUNTIME_ENV_NAMES,
  SDK_ENV_NAMES,
  VERIFY_SCHEMES,
  type VerifyScheme,
} from '../../runtime/src/contract';
import { makeApp } from '../../runtime/src/http/test-fixtures';
import { ENVIRONMENTS, synthAll } from './synth';

const ROOT = join(__dirname, '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

type Block = Record<string, unknown>;
interface Env {
  name: string;
  value?: string;
  secret_name?: string;
}
interface Container {
  name: string;
  env?: Env[];
  liveness_probe?: Block[];
  readiness_probe?: Block[];
  startup_probe?: Block[];
}
/** One container of a container app, with what the test checks it against. */
interface Deployed {
  where: string;
  app: Block & { ingress: { target_port: number }; secret?: Block[] };
  container: Container;
}

/** Every container of every `azurerm_container_app`, by its container name. */
function containersOf(where: string, tf: Synthesized): Record<'runtime' | 'nginx', Deployed[]> {
  const found: Record<'runtime' | 'nginx', Deployed[]> = { runtime: [], nginx: [] };
  for (const [id, app] of Object.entries(tf.resource?.azurerm_container_app ?? {})) {
    for (const container of (app.template as { container: Container[] }).container) {
      if (container.name !== 'runtime' && container.name !== 'nginx') {
        throw new Error(`${where} ${id}: container "${container.name}" is neither the runtime nor NGINX`);
      }
      found[container.name].push({ where: `${where} ${id}`, app: app as Deployed['app'], container });
    }
  }
  return found;
}

/**
 * A plain value with each Terraform reference replaced by a value of the kind it resolves to at
 * apply time. An expression without a representative fails the test: add it here.
 */
function resolved(where: string, name: string, value: string): string {
  return value.replace(/\$\{([^}]*)\}/g, (_, expr: string) => {
    if (/client_id$/.test(expr)) return '5d1b8f0e-3f6a-4a55-9c1e-2a7c0f0b9e41';
    if (/\.fqdn$/.test(expr))
      return 'ca-webhook-runtime.internal.calmsea-1a2b3c4d.westeurope.azurecontainerapps.io';
    throw new Error(`${where}: ${name} = \${${expr}}: no representative value for this expression`);
  });
}

/** A signing secret the runtime accepts for `scheme` (hmac and the HMAC schemes: 16+ bytes). */
function signingSecret(scheme: string | undefined): string {
  const byScheme: Record<string, string> = {
    'standard-webhooks': `whsec_${Buffer.alloc(32, 0x5a).toString('base64')}`,
    'api-key': 'k3y'.repeat(12),
  };
  return byScheme[scheme ?? ''] ?? 'a-signing-secret-longer-than-16-bytes';
}

/** The scheme of each variable WEBHOOK_SOURCES names a secret by (`hmac` for the generic scheme). */
function sourceSecretSchemes(document: string | undefined): Map<string, string> {
  const sources = JSON.parse(document ?? '[]') as {
    verify: string | { scheme: string };
    secrets?: { env: string }[];
  }[];
  return new Map(
    sources.flatMap((s) =>
      (s.secrets ?? []).map((secret) => [
        secret.env,
        typeof s.verify === 'string' ? s.verify : s.verify.scheme,
      ]),
    ),
  );
}

/** Representative values of the secret-backed variables, valid as the runtime checks them. */
function secretValue(
  where: string,
  name: string,
  scheme: string | undefined,
  sourceSchemes: Map<string, string>,
): string {
  if (name === 'APPLICATIONINSIGHTS_CONNECTION_STRING') {
    return 'InstrumentationKey=0f8fad5b-d9cb-469f-a165-70867728950e;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';
  }
  if (name === 'WEBHOOK_SECRET') return signingSecret(scheme);
  const sourceScheme = sourceSchemes.get(name);
  if (sourceScheme !== undefined) return signingSecret(sourceScheme);
  throw new Error(`${where}: ${name} comes from a secret; no representative value for it`);
}

/** The container's environment as the process sees it; secret references must name an app secret. */
function environmentOf({ where, app, container }: Deployed): Record<string, string> {
  const env = container.env ?? [];
  const names = env.map((e) => e.name);
  expect([where, names]).toEqual([where, [...new Set(names)]]); // no variable twice
  const secrets = new Set((app.secret ?? []).map((s) => s.name));
  const scheme = env.find((e) => e.name === 'WEBHOOK_VERIFY')?.value;
  const sourceSchemes = sourceSecretSchemes(env.find((e) => e.name === 'WEBHOOK_SOURCES')?.value);
  return Object.fromEntries(
    env.map((e) => {
      if (e.secret_name !== undefined) {
        expect([where, e.name, secrets.has(e.secret_name)]).toEqual([where, e.name, true]);
        return [e.name, secretValue(where, e.name, scheme, sourceSchemes)];
      }
      return [e.name, resolved(where, e.name, e.value ?? '')];
    }),
  );
}

const probesOf = (c: Container) =>
  [c.liveness_probe, c.readiness_probe, c.startup_probe].map((p) => p?.[0] as { port: number; path: string });

/** Files of the installed @azure/identity that read `process.env.<name>`. */
function sdkReaders(name: string): string[] {
  const dir = join(dirname(require.resolve('@azure/identity')), 'credentials');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.js') && readFileSync(join(dir, f), 'utf8').includes(`process.env.${name}`),
  );
}

/** The runtime side: loads, nothing unknown or ignored, served where it is probed. */
async function expectRuntimeContract(deployed: Deployed): Promise<number> {
  const { where, app, container } = deployed;
  const env = environmentOf(deployed);
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    throw new Error(`${where}: the runtime refuses this environment: ${(err as Error).message}`);
  }
  // The contract's names, the SDK's, and the variables WEBHOOK_SOURCES names its secrets by.
  const known = new Set<string>([...RUNTIME_ENV_NAMES, ...SDK_ENV_NAMES, ...secretVariables(env)]);
  expect([where, Object.keys(env).filter((n) => !known.has(n))]).toEqual([where, []]);
  expect([where, ignoredVariables(env)]).toEqual([where, []]);
  expect([where, app.ingress.target_port]).toEqual([where, config.port]);
  const { app: runtimeApp } = makeApp();
  for (const probe of probesOf(container)) {
    expect([where, probe.port]).toEqual([where, config.port]);
    const res = await runtimeApp.request(probe.path);
    expect([where, probe.path, res.status]).toEqual([where, probe.path, 200]);
  }
  return config.maxBodyBytes;
}

/** What nginx/render.sh reads (every `${NAME:-…}`), its defaults and what it requires. */
function renderScript() {
  const text = read('nginx/render.sh');
  const accepted = new Set([...text.matchAll(/\$\{([A-Z][A-Z0-9_]*):-/g)].map((m) => m[1] as string));
  const defaults = new Map(
    [...text.matchAll(/^([A-Z][A-Z0-9_]*)="\$\{\1:-([^}]*)\}"$/gm)].map((m) => [
      m[1] as string,
      m[2] as string,
    ]),
  );
  const required = [...text.matchAll(/fail "([A-Z][A-Z0-9_]*) is required/g)].map((m) => m[1] as string);
  const range = /require_int MAX_BODY_BYTES "\$MAX_BODY_BYTES" (\d+) (\d+)/.exec(text);
  return { accepted, defaults, required, maxBodyBytes: { min: Number(range?.[1]), max: Number(range?.[2]) } };
}

const template = read('nginx/nginx.conf.template');
const served = (path: string) => new RegExp(`location = ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\{`);

/** The NGINX side: only variables render.sh reads, the required ones set, the image's port and routes. */
function expectProxyContract(where: string, settings: Record<string, string>, probes?: Container): number {
  const render = renderScript();
  expect([where, Object.keys(settings).filter((n) => !render.accepted.has(n))]).toEqual([where, []]);
  expect([where, render.required.filter((n) => (settings[n] ?? '').trim() === '')]).toEqual([where, []]);
  const body = Number(settings.MAX_BODY_BYTES ?? render.defaults.get('MAX_BODY_BYTES'));
  expect([where, body >= render.maxBodyBytes.min && body <= render.maxBodyBytes.max]).toEqual([where, true]);
  for (const probe of probes === undefined ? [] : probesOf(probes)) {
    expect([where, probe.port, template]).toEqual([
      where,
      PROXY_PORT,
      expect.stringMatching(served(probe.path)),
    ]);
  }
  return body;
}

describe('the contract itself', () => {
  test('nginx/render.sh reads every variable the ProxyTier may set, and requires only those', () => {
    const render = renderScript();
    expect(render.required).toEqual(['UPSTREAM_SERVERS']); // the parse found the rule
    expect(PROXY_ENV_NAMES.filter((n) => !render.accepted.has(n))).toEqual([]);
    expect(render.required.filter((n) => !(PROXY_ENV_NAMES as readonly string[]).includes(n))).toEqual([]);
    for (const name of render.required) expect([name, render.defaults.get(name)]).toEqual([name, '']);
  });

  test('NGINX listens where the ProxyTier points ingress and probes: render.sh default and image', () => {
    expect(renderScript().defaults.get('LISTEN_PORT')).toBe(String(PROXY_PORT));
    const dockerfile = read('nginx/Dockerfile');
    expect(dockerfile).toMatch(new RegExp(`LISTEN_PORT=${PROXY_PORT}\\b`));
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${PROXY_PORT}$`, 'm'));
  });

  test('every body limit the runtime accepts, NGINX accepts too (it reads the same MAX_BODY_BYTES)', () => {
    const { maxBodyBytes } = renderScript();
    expect(maxBodyBytes.min).toBeLessThanOrEqual(MAX_BODY_BYTES_RANGE.min);
    expect(maxBodyBytes.max).toBeGreaterThanOrEqual(MAX_BODY_BYTES_RANGE.max);
  });

  test('NGINX and the runtime both serve every probe path', async () => {
    const { app } = makeApp();
    for (const path of Object.values(PROBE_PATHS)) {
      expect(template).toMatch(served(path));
      expect([path, (await app.request(path)).status]).toEqual([path, 200]);
    }
  });

  test('the runtime image listens on the default PORT', () => {
    expect(read('runtime/Dockerfile')).toMatch(new RegExp(`\\bPORT=${DEFAULT_PORT}\\b`));
  });

  test.each(SDK_ENV_NAMES)('%s, set for the Azure SDK, is read by the installed @azure/identity', (name) => {
    expect(sdkReaders(name)).not.toEqual([]);
  });
});

describe('every synthesized stack', () => {
  const synthesized = synthAll();
  afterAll(() => synthesized.cleanup());

  test.each(ENVIRONMENTS)(
    '%s-platform: the runtime loads its environment and NGINX accepts its own, with one body limit',
    async (env) => {
      const stack = `${env}-platform`;
      const tf = synthesized.stacks.get(stack);
      if (tf === undefined) throw new Error(`stack ${stack} was not synthesized`);
      const { runtime, nginx } = containersOf(stack, tf);
      expect([runtime.length, nginx.length]).toEqual([1, 1]);
      const runtimeBody = await expectRuntimeContract(runtime[0]!);
      const proxy = nginx[0]!;
      const proxyBody = expectProxyContract(proxy.where, environmentOf(proxy), proxy.container);
      expect(proxy.app.ingress.target_port).toBe(PROXY_PORT);
      expect(proxyBody).toBe(runtimeBody);
    },
  );

  test('no other stack runs a container app or a function app', () => {
    for (const [stack, tf] of synthesized.stacks) {
      if (stack.endsWith('-platform')) continue;
      expect([stack, Object.keys(tf.resource?.azurerm_container_app ?? {})]).toEqual([stack, []]);
      expect([stack, Object.keys(tf.resource?.azurerm_linux_function_app ?? {})]).toEqual([stack, []]);
    }
  });
});

/** A named source per scheme and the generic HMAC one, every option of the prop used somewhere. */
const SOURCES: WebhookSource[] = [
  ...VERIFY_SCHEMES.map((scheme): WebhookSource => ({
    name: `src-${scheme}`,
    verify: scheme,
    secretNames:
      scheme === 'none'
        ? undefined
        : [`${scheme}-new`, { name: `${scheme}-old`, notAfter: '2027-01-31T00:00:00Z' }],
  })),
  {
    name: 'acme',
    verify: {
      scheme: 'hmac',
      header: 'X-Acme-Signature',
      algorithm: 'sha512',
      encoding: 'base64',
      prefix: 'v1=',
    },
    secretNames: ['acme-secret'],
    deliveryId: { jsonPointer: '/event/id' },
    key: { header: 'X-Acme-Account' },
    body: 'contract',
    rateLimit: { rps: 10, burst: 20 },
  },
];

describe('every bus, signature scheme and proxy hosting the constructs offer', () => {
  const { newStack, cleanup } = testStacks('contract-test');
  afterAll(cleanup);

  function variants(stack: TerraformStack): void {
    const f = fixture(stack);
    const environment = newEnvironment(stack, f);
    const buses = {
      queue: f.bus,
      topic: MessageBus.fromNamespaceId(stack, 'Topic', {
        namespaceId: NAMESPACE_ID,
        entityName: 'webhooks',
        entityType: 'topic',
      }),
      kafka: MessageBus.fromNamespaceId(stack, 'Kafka', {
        kind: 'kafka',
        namespaceId: NAMESPACE_ID.replace('Microsoft.ServiceBus', 'Microsoft.EventHub'),
        entityName: 'webhooks',
      }),
    };
    const runtime = (
      id: string,
      bus: keyof typeof buses,
      verify: VerifyScheme,
      insights: boolean,
      sources?: WebhookSource[],
    ) =>
      new WebhookRuntime(stack, id, {
        environment,
        name: `ca-${id.toLowerCase()}`,
        registry: f.registry,
        imageName: 'webhook-runtime',
        imageTag: '1.4.2',
        messageBus: buses[bus],
        verify,
        webhookSecret: verify === 'none' ? undefined : { store: f.vault, secretName: 'webhook-secret' },
        applicationInsightsConnectionString: insights
          ? { store: f.vault, secretName: 'appinsights-connection-string' }
          : undefined,
        port: 8081,
        maxBodyBytes: 65_536,
        reachableFromVirtualNetwork: true,
        sources,
      });
    VERIFY_SCHEMES.forEach((scheme, i) => runtime(`Scheme${i}`, 'queue', scheme, i % 2 === 0));
    runtime('OnTopic', 'topic', 'github', false);
    const kafka = runtime('OnKafka', 'kafka', 'standard-webhooks', true, SOURCES);
    new ProxyTier(stack, 'ProxyApps', {
      environment,
      runtime: kafka,
      name: 'ca-proxy',
      registry: f.registry,
      imageName: 'webhook-proxy',
      imageTag: '2.0.0',
      trustedProxyCidrs: ['10.20.0.0/24'],
    });
    new ProxyTier(stack, 'ProxyFunctions', {
      environment,
      runtime: kafka,
      name: 'func-proxy',
      registry: f.registry,
      imageName: 'webhook-proxy-functions',
      imageTag: '2.0.0',
      hosting: 'functionsPremium',
      functionsPremium: {
        integrationSubnetId: f.functionsSubnet.id,
        gatewaySubnetId: f.gatewaySubnet.id,
        storage: { name: 'stwebhooksfn', id: '/storageAccounts/stwebhooksfn' },
        logAnalyticsWorkspaceId: '/workspaces/law',
      },
    });
  }

  const stack = newStack();
  variants(stack);
  const out = synthJson(stack);
  const { runtime, nginx } = containersOf('variants', out);

  test('covers both buses, a queue and a topic, and every scheme', () => {
    const envs = runtime.map(environmentOf);
    expect(new Set(envs.map((e) => e.BUS))).toEqual(new Set(['servicebus', 'kafka']));
    expect(envs.some((e) => e.SERVICEBUS_TOPIC !== undefined)).toBe(true);
    expect(new Set(envs.map((e) => e.WEBHOOK_VERIFY))).toEqual(new Set(VERIFY_SCHEMES));
    const sources = envs.flatMap((e) => JSON.parse(e.WEBHOOK_SOURCES ?? '[]') as { verify: unknown }[]);
    expect(new Set(sources.map((s) => (typeof s.verify === 'string' ? s.verify : 'hmac')))).toEqual(
      new Set([...VERIFY_SCHEMES, 'hmac']),
    );
  });

  test("both proxies route exactly the runtime's sources (WEBHOOK_SOURCES_NGINX names = WEBHOOK_SOURCES names)", () => {
    const names = SOURCES.map((s) => s.name);
    const proxy = environmentOf(nginx[0]!);
    const fn = Object.values(out.resource?.azurerm_linux_function_app ?? {})[0] as {
      app_settings: Record<string, string>;
    };
    for (const setting of [proxy.WEBHOOK_SOURCES_NGINX, fn.app_settings.WEBHOOK_SOURCES_NGINX]) {
      expect((setting ?? '').split(' ').map((entry) => entry.split(':')[0])).toEqual(names);
    }
    expect(proxy.WEBHOOK_SOURCES_NGINX).toContain('acme:10:20');
  });

  test.each(runtime.map((d) => [d.where, d] as const))(
    '%s: the runtime loads its environment',
    async (_, d) => {
      expect(await expectRuntimeContract(d)).toBe(65_536);
    },
  );

  test('the Container Apps proxy: NGINX accepts its environment, on the image port and routes', () => {
    expect(nginx).toHaveLength(1);
    const proxy = nginx[0]!;
    expect(expectProxyContract(proxy.where, environmentOf(proxy), proxy.container)).toBe(65_536);
    expect(proxy.app.ingress.target_port).toBe(PROXY_PORT);
  });

  test('the Functions Premium proxy: NGINX accepts every application setting not the Functions host’s', () => {
    const apps = Object.values(out.resource?.azurerm_linux_function_app ?? {});
    expect(apps).toHaveLength(1);
    const fn = apps[0] as {
      app_settings: Record<string, string>;
      site_config: { health_check_path: string };
    };
    // The Functions host's own settings (its worker runtime and storage), not NGINX's.
    const host = /^(FUNCTIONS_|AzureWebJobs)/;
    const settings = Object.fromEntries(
      Object.entries(fn.app_settings)
        .filter(([name]) => !host.test(name))
        .map(([name, value]) => [name, resolved('functions', name, value)]),
    );
    expect(expectProxyContract('functions', settings)).toBe(65_536);
    expect(template).toMatch(served(fn.site_config.health_check_path));
  });
});

/**
 * WebhookRuntime checks `sources` at synth (constructs/hosting/webhook-sources.ts, the construct
 * rules) and the runtime checks WEBHOOK_SOURCES at start (runtime/src/sources/config.ts, zod): two
 * validators of one document, written in two frameworks because the package carries no runtime
 * dependency. Each case below goes through both; they must agree, so a rule added to one side only
 * fails here instead of at a deploy.
 */
describe('the synth-time and start-time checks of sources agree', () => {
  const SECRET = 'a-secret-of-at-least-sixteen-bytes';
  const valid: WebhookSource = { name: 'github', verify: 'github', secretNames: ['github-secret'] };
  const hmac = { scheme: 'hmac', header: 'X-Signature', algorithm: 'sha256', encoding: 'hex' } as const;
  const accepted: Array<[string, WebhookSource[]]> = [
    ['a github source', [valid]],
    [
      'an hmac source with every rule',
      [
        {
          name: 'crm',
          verify: { ...hmac, prefix: 'sha256=' },
          secretNames: ['crm-1', { name: 'crm-0', notAfter: '2027-01-31T00:00:00Z' }],
          deliveryId: { header: 'X-Crm-Delivery' },
          key: { jsonPointer: '/account/id' },
          body: 'contract',
        },
      ],
    ],
    [
      'a constant key and a body pointer delivery id',
      [{ ...valid, deliveryId: { jsonPointer: '/id' }, key: { constant: 'gh' } }],
    ],
  ];
  const refused: Array<[string, WebhookSource[]]> = [
    ['an upper-case name', [{ ...valid, name: 'GitHub' }]],
    ['a name of 33 characters', [{ ...valid, name: 'a'.repeat(33) }]],
    ['two sources with one name', [valid, valid]],
    ['an unknown scheme', [{ ...valid, verify: 'gitlab' as never }]],
    ['an hmac algorithm md5', [{ ...valid, verify: { ...hmac, algorithm: 'md5' as never } }]],
    ['an hmac header with a space', [{ ...valid, verify: { ...hmac, header: 'X Signature' } }]],
    ['no secret', [{ ...valid, secretNames: [] }]],
    [
      'a notAfter without an offset',
      [{ ...valid, secretNames: [{ name: 'github-secret', notAfter: '2027-01-31T00:00:00' }] }],
    ],
    ['a delivery id pointer without a leading slash', [{ ...valid, deliveryId: { jsonPointer: 'id' } }]],
    ['a constant delivery id', [{ ...valid, deliveryId: { constant: 'x' } as never }]],
    ['an empty constant key', [{ ...valid, key: { constant: '' } }]],
    ['a key of 257 characters', [{ ...valid, key: { constant: 'k'.repeat(257) } }]],
    ['an unknown body mode', [{ ...valid, body: 'raw' as never }]],
  ];

  /** Whether the construct rules and the runtime's loader each refuse `sources`. */
  function verdicts(sources: WebhookSource[]): { synth: boolean; start: boolean } {
    const synth = sourceRules('sources', sources).some((rule) => rule !== undefined);
    const env: Record<string, string> = {
      BUS: 'kafka',
      KAFKA_BROKERS: 'b:9093',
      WEBHOOK_VERIFY: 'none',
      WEBHOOK_SOURCES: renderSources(sources),
    };
    for (const binding of sourceSecretBindings(sources)) env[binding.env] = SECRET;
    let start = false;
    try {
      loadConfig(env);
    } catch {
      start = true;
    }
    return { synth, start };
  }

  it.each(accepted)('both accept %s', (_name, sources) => {
    expect(verdicts(sources)).toEqual({ synth: false, start: false });
  });

  it.each(refused)('both refuse %s', (_name, sources) => {
    expect(verdicts(sources)).toEqual({ synth: true, start: true });
  });
});
