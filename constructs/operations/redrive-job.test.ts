import { AnnotationMetadataEntryType, type TerraformStack } from 'cdktf';
import { ManagedIdentity } from '../core/identity';
import { onlyResource, resourcesOf, synthJson, testStacks, type Synthesized } from '../core/testing';
import { fixture, newEnvironment, NAMESPACE_ID } from '../hosting/testing';
import { MessageBus, type IMessageBus } from '../messaging';
import { WebhookFoundation } from '../platform/webhook-foundation';
import { WebhookPlatform, type WebhookPlatformProps } from '../platform/webhook-platform';
import { DeadLetterRedriveJob, type DeadLetterRedriveJobProps } from './redrive-job';

const { newStack, cleanup } = testStacks('redrive-job-test');
afterAll(cleanup);

type Props = Partial<DeadLetterRedriveJobProps>;

/** A job on the fixture's environment and registry; `bus` replaces the fixture's queue. */
function build(
  override: Props = {},
  bus?: (stack: TerraformStack) => IMessageBus,
): { stack: TerraformStack; job: DeadLetterRedriveJob } {
  const stack = newStack();
  const f = fixture(stack);
  const job = new DeadLetterRedriveJob(stack, 'Redrive', {
    environment: newEnvironment(stack, f),
    name: 'caj-redrive-prod',
    registry: f.registry,
    imageName: 'webhook-runtime',
    imageTag: '1.4.2',
    messageBus: bus?.(stack) ?? f.bus,
    ...override,
  });
  return { stack, job };
}
const synth = (override: Props = {}, bus?: (stack: TerraformStack) => IMessageBus): Synthesized =>
  synthJson(build(override, bus).stack);
const warningsOf = (job: DeadLetterRedriveJob): string[] =>
  job.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));

const topicBus = (stack: TerraformStack): IMessageBus =>
  MessageBus.fromNamespaceId(stack, 'TopicBus', {
    namespaceId: NAMESPACE_ID,
    entityName: 'events',
    entityType: 'topic',
  });
const kafkaBus = (stack: TerraformStack): IMessageBus =>
  MessageBus.fromNamespaceId(stack, 'KafkaBus', {
    kind: 'kafka',
    namespaceId: NAMESPACE_ID.replace('Microsoft.ServiceBus', 'Microsoft.EventHub').replace('sb-', 'evhns-'),
    entityName: 'webhooks',
  });

type Job = {
  name: string;
  manual_trigger_config: Record<string, unknown>;
  replica_timeout_in_seconds: number;
  replica_retry_limit: number;
  identity: Record<string, unknown>;
  registry: Record<string, unknown>[];
  template: { container: { args: string[]; image: string; env: { name: string; value: string }[] }[] };
  depends_on?: string[];
};
const jobOf = (out: Synthesized): Job => onlyResource(out, 'azurerm_container_app_job') as Job;
const IDENTITY = '${azurerm_user_assigned_identity.Redrive_Identity_';
/** Role assignments held by the job's identity, as `role @ scope`. */
const rolesOfJob = (out: Synthesized): string[] =>
  resourcesOf(out, 'azurerm_role_assignment')
    .filter((r) => String(r.principal_id).startsWith(IDENTITY))
    .map((r) => `${String(r.role_definition_name)} @ ${String(r.scope)}`)
    .sort();

const REGISTRY_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acrwebhooks';

describe('DeadLetterRedriveJob identity and roles', () => {
  test('its own identity holds exactly Data Receiver and Data Sender on the queue and AcrPull on the registry', () => {
    const out = synth();
    expect(rolesOfJob(out)).toEqual([
      `AcrPull @ ${REGISTRY_ID}`,
      `Azure Service Bus Data Receiver @ ${NAMESPACE_ID}/queues/webhooks`,
      `Azure Service Bus Data Sender @ ${NAMESPACE_ID}/queues/webhooks`,
    ]);
    const job = jobOf(out);
    const identityId = expect.stringMatching(
      /^\$\{azurerm_user_assigned_identity\.Redrive_Identity_[0-9A-F]{8}\.id\}$/,
    ) as string;
    expect(job.identity).toEqual({ type: 'UserAssigned', identity_ids: [identityId] });
    expect(job.registry).toEqual([{ server: 'acrwebhooks.azurecr.io', identity: identityId }]);
    expect(onlyResource(out, 'azurerm_user_assigned_identity').name).toBe('id-caj-redrive-prod');
  });

  test('on a topic, the roles are on the topic (which covers the subscription re-driven)', () => {
    const out = synth({ subscriptionName: 'billing' }, topicBus);
    expect(rolesOfJob(out)).toEqual([
      `AcrPull @ ${REGISTRY_ID}`,
      `Azure Service Bus Data Receiver @ ${NAMESPACE_ID}/topics/events`,
      `Azure Service Bus Data Sender @ ${NAMESPACE_ID}/topics/events`,
    ]);
  });

  test('warns when the job creates its own identity in the same apply, pointing at an earlier-apply identity', () => {
    const { job } = build();
    expect(warningsOf(job)).toEqual([
      expect.stringMatching(
        /same apply as the job[\s\S]*may be refused \(UNAUTHORIZED on the image\) until RBAC has propagated[\s\S]*Pass `identity`[\s\S]*redriveJob: true/,
      ),
    ]);
  });

  test('with an identity granted in an earlier apply, creates no identity, no role assignment and no warning', () => {
    const stack = newStack();
    const f = fixture(stack);
    const identity = new ManagedIdentity(stack, 'Earlier', {
      name: 'id-caj-redrive-prod',
      resourceGroupName: 'rg',
      location: 'westeurope',
    });
    const job = new DeadLetterRedriveJob(stack, 'Redrive', {
      environment: newEnvironment(stack, f),
      name: 'caj-redrive-prod',
      registry: f.registry,
      imageName: 'webhook-runtime',
      imageTag: '1.4.2',
      messageBus: f.bus,
      identity,
    });
    const out = synthJson(stack);
    expect(job.identity).toBe(identity);
    expect(job.grants).toEqual([]);
    expect(warningsOf(job)).toEqual([]);
    expect(resourcesOf(out, 'azurerm_role_assignment')).toEqual([]);
    expect(Object.keys(out.resource?.azurerm_user_assigned_identity ?? {})).toEqual([
      expect.stringMatching(/^Earlier_/),
    ]);
    const given = expect.stringMatching(
      /^\$\{azurerm_user_assigned_identity\.Earlier_[0-9A-F]{8}\.id\}$/,
    ) as string;
    const jobResource = jobOf(out);
    expect(jobResource.identity).toEqual({ type: 'UserAssigned', identity_ids: [given] });
    expect(jobResource.registry).toEqual([{ server: 'acrwebhooks.azurecr.io', identity: given }]);
    expect(jobResource.template.container[0]!.env).toEqual([
      {
        name: 'AZURE_CLIENT_ID',
        value: expect.stringMatching(
          /^\$\{azurerm_user_assigned_identity\.Earlier_[0-9A-F]{8}\.client_id\}$/,
        ),
      },
    ]);
    expect((jobResource.depends_on ?? []).filter((d) => d.startsWith('azurerm_role_assignment.'))).toEqual(
      [],
    );
  });

  test('sets AZURE_CLIENT_ID to its identity, so DefaultAzureCredential uses it', () => {
    const env = jobOf(synth()).template.container[0]!.env;
    expect(env).toEqual([
      {
        name: 'AZURE_CLIENT_ID',
        value: expect.stringMatching(
          /^\$\{azurerm_user_assigned_identity\.Redrive_Identity_[0-9A-F]{8}\.client_id\}$/,
        ),
      },
    ]);
  });
});

describe('DeadLetterRedriveJob trigger and command', () => {
  test('is started by hand only: manual trigger, one replica per execution, no retry, a timeout', () => {
    const job = jobOf(synth());
    expect(job.manual_trigger_config).toEqual({ parallelism: 1, replica_completion_count: 1 });
    expect(job).not.toHaveProperty('schedule_trigger_config');
    expect(job).not.toHaveProperty('event_trigger_config');
    expect(job.replica_timeout_in_seconds).toBe(1800);
    expect(job.replica_retry_limit).toBe(0);
    expect(jobOf(synth({ replicaTimeoutInSeconds: 7200 })).replica_timeout_in_seconds).toBe(7200);
  });

  test("runs `node admin.js dlq redrive` on the bus's namespace and queue, then the extra args", () => {
    const container = jobOf(synth({ args: ['--max', '500', '--rate', '20'] })).template.container[0]!;
    expect(container.image).toBe('acrwebhooks.azurecr.io/webhook-runtime:1.4.2');
    // The image's entrypoint is node: the args are what follows it.
    expect(container.args).toEqual([
      'admin.js',
      'dlq',
      'redrive',
      '--namespace',
      'sb-webhooks.servicebus.windows.net',
      '--queue',
      'webhooks',
      '--max',
      '500',
      '--rate',
      '20',
    ]);
    expect(container).not.toHaveProperty('command');
  });

  test('re-drives a topic subscription with --topic and --subscription', () => {
    const args = jobOf(synth({ subscriptionName: 'billing' }, topicBus)).template.container[0]!.args;
    expect(args).toEqual([
      'admin.js',
      'dlq',
      'redrive',
      '--namespace',
      'sb-webhooks.servicebus.windows.net',
      '--topic',
      'events',
      '--subscription',
      'billing',
    ]);
  });

  test('starts after its grants in the same stack', () => {
    const dependsOn = jobOf(synth()).depends_on ?? [];
    expect(dependsOn.filter((d) => d.startsWith('azurerm_role_assignment.'))).toHaveLength(3);
  });
});

describe('DeadLetterRedriveJob validation', () => {
  test('fails if the bus is Kafka, naming messageBus and the CLI replay instead', () => {
    expect(() => synth({}, kafkaBus)).toThrow(
      /messageBus must be a Service Bus bus \(kind 'serviceBus'\).*webhooks-admin kafka replay.*\(received "kind 'kafka'"\)/,
    );
  });

  test('fails if a topic is given without subscriptionName, or a queue with one', () => {
    expect(() => synth({}, topicBus)).toThrow(/subscriptionName must be the subscription to re-drive/);
    expect(() => synth({ subscriptionName: 'billing' })).toThrow(
      /subscriptionName must be absent when the bus's entity is a queue/,
    );
    expect(() => synth({ subscriptionName: 'bad/name' }, topicBus)).toThrow(/subscriptionName must be 1-50/);
  });

  test('fails if args set the entity, which comes from the bus where the roles are', () => {
    expect(() => synth({ args: ['--queue', 'other'] })).toThrow(
      /args must be free of --namespace.*\(received "--queue"\)/,
    );
    expect(() => synth({ args: ['--namespace=x.servicebus.windows.net'] })).toThrow(/args must be free of/);
    expect(() => synth({ args: ['--connection-string', 'Endpoint=sb://x/'] })).toThrow(
      /args must be free of.*--connection-string/,
    );
  });

  test('fails on a bad name, image tag, size or timeout, listing every field', () => {
    expect(() =>
      synth({ name: 'Redrive_Job', imageTag: '-x', cpu: 0.3, replicaTimeoutInSeconds: 10 }),
    ).toThrow(
      /name must be 2-32[\s\S]*imageTag must be a Docker tag[\s\S]*cpu must be one of[\s\S]*replicaTimeoutInSeconds must be an integer from 60 to 86400/,
    );
    expect(() => synth({ cpu: 1, memoryGi: 1 })).toThrow(/memoryGi must be twice cpu/);
  });
});

describe('WebhookPlatform redriveJob', () => {
  /** Foundation and platform in one stack; the foundation creates the re-drive identity if asked. */
  function platform(
    redriveJob: WebhookPlatformProps['redriveJob'],
    messaging: ConstructorParameters<typeof WebhookFoundation>[2]['messaging'] = {},
    foundationRedriveJob = (redriveJob ?? false) !== false,
  ): Synthesized {
    const stack = newStack();
    const foundation = new WebhookFoundation(stack, 'Foundation', {
      environment: 'prod',
      location: 'westeurope',
      observability: {
        actionGroup: { emailReceivers: [{ name: 'oncall', emailAddress: 'oncall@contoso.com' }] },
      },
      messaging,
      redriveJob: foundationRedriveJob,
    });
    new WebhookPlatform(stack, 'Platform', {
      foundation,
      runtime: { imageTag: '2.0.1' },
      proxy: { imageTag: '2.0.1' },
      redriveJob,
    });
    return synthJson(stack);
  }

  test('creates no job by default (opt-in)', () => {
    expect(resourcesOf(platform(undefined), 'azurerm_container_app_job')).toEqual([]);
    expect(resourcesOf(platform(false), 'azurerm_container_app_job')).toEqual([]);
  });

  test("redriveJob: true wires the foundation's bus, registry and environment and the runtime's image", () => {
    const out = platform(true);
    const job = onlyResource(out, 'azurerm_container_app_job') as Job & Record<string, unknown>;
    expect(job.name).toBe('caj-redrive-prod');
    expect(job.container_app_environment_id).toMatch(
      /^\$\{azurerm_container_app_environment\.Platform_ContainerApps_/,
    );
    const container = job.template.container[0]!;
    expect(container.image).toMatch(
      /^\$\{azurerm_container_registry\.Foundation_Registry_[0-9A-F]{8}\.login_server\}\/webhook-runtime:2\.0\.1$/,
    );
    expect(container.args.slice(0, 4)).toEqual(['admin.js', 'dlq', 'redrive', '--namespace']);
    expect(container.args.slice(5)).toEqual(['--queue', 'webhooks']);
    // The job runs as the foundation's re-drive identity, which holds the roles.
    expect(job.identity).toEqual({
      type: 'UserAssigned',
      identity_ids: [
        expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.Foundation_RedriveIdentity_/),
      ],
    });
    const roles = resourcesOf(out, 'azurerm_role_assignment')
      .filter((r) => String(r.principal_id).includes('Foundation_RedriveIdentity'))
      .map((r) => [r.role_definition_name, String(r.scope)]);
    expect(roles.map(([role]) => role).sort()).toEqual([
      'AcrPull',
      'Azure Service Bus Data Receiver',
      'Azure Service Bus Data Sender',
    ]);
    for (const [role, scope] of roles) {
      expect(scope).toMatch(
        role === 'AcrPull' ? /azurerm_container_registry\./ : /azurerm_servicebus_queue\./,
      );
    }
  });

  test('passes the options through (args, timeout)', () => {
    const job = onlyResource(
      platform({ args: ['--rate', '50'], replicaTimeoutInSeconds: 3600 }),
      'azurerm_container_app_job',
    ) as Job;
    expect(job.replica_timeout_in_seconds).toBe(3600);
    expect(job.template.container[0]!.args.slice(-2)).toEqual(['--rate', '50']);
  });

  test('fails if redriveJob is set on a Kafka foundation, naming redriveJob', () => {
    expect(() => platform(true, { kind: 'kafka' }, false)).toThrow(
      /WebhookPlatform[\s\S]*redriveJob must be false or absent on a Kafka bus/,
    );
    expect(() => platform(undefined, { kind: 'kafka' }, true)).toThrow(
      /WebhookFoundation[\s\S]*redriveJob must be false or absent on a Kafka bus.*webhooks-admin kafka replay/,
    );
  });
});
