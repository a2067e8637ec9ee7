/**
 * DeadLetterRedriveJob: the runtime image's `webhooks-admin dlq redrive` command (runtime/src/admin/,
 * bundled as `admin.js`) deployed as a Container Apps job with a manual trigger. An operator starts
 * it with `az containerapp job start` when dead letters should go back to their queue or topic; it
 * runs once, with an identity that can do nothing but receive and re-send on that entity and pull
 * its image: one created in an earlier apply (`identity`, e.g. `WebhookFoundation`'s `redriveJob`),
 * or its own.
 */
import { Construct } from 'constructs';
import { Annotations, type ITerraformDependable } from 'cdktf';
import { ContainerAppJob } from '@cdktf/provider-azurerm/lib/container-app-job';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ManagedIdentity } from '../core/identity';
import { dependenciesInStack } from '../core/role-assignment';
import { check, intInRange, matches, validate, type Rule } from '../core/validation';
import { CPU_VALUES, imageRules } from '../hosting/container-app-parts';
import type { IContainerAppsEnvironment } from '../hosting/container-apps-environment';
import type { IMessageBus } from '../messaging/message-bus-base';
import type { IPullRegistry } from '../shared/image-registry';

/**
 * Options the job sets from the bus itself, and `--connection-string` (the job signs in with its
 * identity, never a key): `args` may not give them.
 */
const ENTITY_FLAGS = ['--namespace', '--queue', '--topic', '--subscription', '--connection-string'] as const;
/** A Service Bus subscription name (the rule `MessageBus.addSubscription` applies). */
const SUBSCRIPTION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,48}[A-Za-z0-9_]$|^[A-Za-z0-9]$/;

/** Props of `DeadLetterRedriveJob`. */
export interface DeadLetterRedriveJobProps {
  /** The Container Apps environment the job runs in (its resource group and region are the job's). */
  readonly environment: IContainerAppsEnvironment;
  /** Job name: 2–32 lowercase letters, digits and hyphens (what `az containerapp job start -n` takes). */
  readonly name: string;
  /** Registry the runtime image is pulled from, by the job's identity (AcrPull). */
  readonly registry: IPullRegistry;
  /** Repository of the webhook runtime image, which holds `admin.js`, e.g. `webhook-runtime`. */
  readonly imageName: string;
  /** Tag of the runtime image: the runtime's own, so the job speaks the same message format. */
  readonly imageTag: string;
  /**
   * The Service Bus bus whose dead letters are re-driven: its queue, or a subscription of its topic
   * (`subscriptionName`). A Kafka bus is refused: Event Hubs has no dead-letter queue, and a Kafka
   * replay (`webhooks-admin kafka replay`) takes times an operator chooses, so it is run from the CLI.
   */
  readonly messageBus: IMessageBus;
  /**
   * The topic subscription whose dead-letter queue is re-driven. Required when the bus's entity is
   * a topic (a topic has no dead-letter queue of its own); refused on a queue.
   * @default - none: the queue's dead-letter queue
   */
  readonly subscriptionName?: string;
  /**
   * Further `dlq redrive` options after the entity's, e.g. `['--max', '5000', '--rate', '100']`.
   * `--namespace`, `--queue`, `--topic` and `--subscription` come from `messageBus` and are refused
   * here, as is `--connection-string` (the job signs in with its identity).
   * @default - none: every dead letter, at the CLI's default rate
   */
  readonly args?: readonly string[];
  /**
   * vCPU of the job's replica, 0.25–4 in steps of 0.25.
   * @default 0.5
   */
  readonly cpu?: number;
  /**
   * Memory (GiB) of the replica: twice `cpu` on the Consumption profile.
   * @default - twice cpu
   */
  readonly memoryGi?: number;
  /**
   * Seconds an execution may run before Container Apps stops it, 60–86400. A stopped re-drive
   * loses nothing: each dead letter is completed only after its re-send was acknowledged, and the
   * next start carries on with what is left.
   * @default 1800
   */
  readonly replicaTimeoutInSeconds?: number;
  /**
   * Resources the job needs but does not reference (the private endpoints and DNS links of the
   * registry and the bus), in this construct's stack only.
   * @default []
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * The identity the job runs as, created in an EARLIER apply with Data Receiver and Data Sender
   * on the bus's entity (`messageBus.grantReceive` / `grantSend`) and AcrPull on `registry`, e.g.
   * `WebhookFoundation`'s `workloadIdentities.redrive` (`redriveJob: true`). Azure checks the
   * job's registry access when it creates or updates the job, and a new role assignment takes
   * minutes to propagate; an identity whose roles were granted in an earlier apply has them by
   * then. Given, the job creates no identity and no role assignment.
   * @default - the job creates its own identity `id-<name>` and its three role assignments in the
   *   same apply as itself, and warns: the first apply may be refused until RBAC has propagated
   */
  readonly identity?: ManagedIdentity;
  /**
   * Tags on the job and the identity it creates (none on a given `identity`).
   * @default - no tags
   */
  readonly tags?: Record<string, string>;
}

/**
 * A Container Apps job that re-drives a Service Bus queue's or subscription's dead letters with the
 * runtime image's `webhooks-admin dlq redrive` (`node admin.js dlq redrive --namespace … --queue …`).
 * Manual trigger, one replica per execution (two would compete for the same dead letters), no retry
 * (a failed execution is read in its logs and started again: a re-run never duplicates, the CLI
 * re-sends with the original `MessageId`). Its user-assigned identity holds only Azure Service Bus
 * Data Receiver and Data Sender on the entity (`messageBus.grantReceive` / `grantSend`; on a topic
 * the receiver role is on the topic, which covers its subscriptions) and AcrPull on the registry;
 * `AZURE_CLIENT_ID` points `DefaultAzureCredential` at it. Give it an `identity` granted those
 * roles in an earlier apply (`WebhookFoundation`'s `redriveJob: true`): Azure refuses to create a
 * job whose registry pull is not yet authorized, and a role assignment made in the same apply may
 * not have propagated. Without one, the job creates its own, and warns.
 *
 * @example
 * ```ts
 * // Earlier apply (e.g. with the foundation): the identity and its roles, so RBAC has propagated.
 * const identity = new ManagedIdentity(this, 'RedriveIdentity', {
 *   name: 'id-caj-redrive-prod',
 *   resourceGroupName,
 *   location,
 * });
 * bus.grantReceive(identity);
 * bus.grantSend(identity);
 * registry.grantPull(identity);
 *
 * // Later apply: the job.
 * const redrive = new DeadLetterRedriveJob(this, 'Redrive', {
 *   environment, // a ContainerAppsEnvironment
 *   name: 'caj-redrive-prod',
 *   registry,
 *   imageName: 'webhook-runtime',
 *   imageTag: '1.4.2',
 *   messageBus: bus, // Service Bus, queue `webhooks`
 *   identity,
 *   args: ['--rate', '50'],
 * });
 * // az containerapp job start -g <resource group> -n caj-redrive-prod
 * ```
 */
export class DeadLetterRedriveJob extends Construct {
  /** The underlying `azurerm_container_app_job`. */
  public readonly job: ContainerAppJob;
  /**
   * The identity the job runs as (Data Receiver and Data Sender on the entity, AcrPull on the
   * registry): `props.identity`, else the one the job created.
   */
  public readonly identity: ManagedIdentity;
  /** The job's name (`az containerapp job start -n <jobName>`). */
  public readonly jobName: string;
  /** The container's arguments after the image's `node` entrypoint: `admin.js dlq redrive …`. */
  public readonly args: readonly string[];
  /**
   * The role assignments the job created, in the order receive, send, pull; empty when an
   * `identity` was given (its caller granted the roles).
   */
  public readonly grants: readonly RoleAssignment[];

  constructor(scope: Construct, id: string, props: DeadLetterRedriveJobProps) {
    super(scope, id);
    const bus = props.messageBus;
    const cpu = props.cpu ?? 0.5;
    const memoryGi = props.memoryGi ?? cpu * 2;
    const timeout = props.replicaTimeoutInSeconds ?? 1800;
    const extra = props.args ?? [];
    // The bus's runtime environment says whether its entity is a queue or a topic (an imported
    // bus has no Terraform resource to ask).
    const busEnv = bus.runtimeEnvironment();
    const topic = busEnv.SERVICEBUS_TOPIC;
    const sub = props.subscriptionName;
    // The Kafka refusal alone: the entity rules below would only add noise about a queue it has not.
    validate(`DeadLetterRedriveJob '${this.node.path}'`, [
      check(
        'messageBus',
        bus.kind === 'serviceBus',
        "a Service Bus bus (kind 'serviceBus'): Event Hubs has no dead-letter queue; replay a Kafka topic from the CLI with `webhooks-admin kafka replay`",
        `kind '${bus.kind}'`,
      ),
    ]);
    validate(`DeadLetterRedriveJob '${this.node.path}'`, [
      matches('name', props.name, /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, '2-32 lowercase letters, digits or -'),
      ...imageRules(this, props.imageName, props.imageTag),
      check(
        'subscriptionName',
        topic === undefined || sub !== undefined,
        `the subscription to re-drive: the bus's entity is topic '${topic ?? ''}', and a topic has no dead-letter queue of its own`,
        sub,
      ),
      check(
        'subscriptionName',
        topic !== undefined || sub === undefined,
        "absent when the bus's entity is a queue (its own dead-letter queue is re-driven)",
        sub,
      ),
      matches('subscriptionName', sub, SUBSCRIPTION_NAME, '1-50 letters, digits, . _ -'),
      ...argsRules(extra),
      check('cpu', CPU_VALUES.includes(cpu), `one of ${CPU_VALUES.join(', ')} (vCPU)`, cpu),
      check(
        'memoryGi',
        memoryGi === cpu * 2,
        `twice cpu on the Consumption profile (${cpu * 2} for cpu ${cpu})`,
        memoryGi,
      ),
      intInRange('replicaTimeoutInSeconds', timeout, 60, 86_400),
    ]);

    const env = props.environment;
    if (props.identity === undefined) {
      this.identity = new ManagedIdentity(this, 'Identity', {
        name: `id-${props.name}`,
        resourceGroupName: env.resourceGroupName,
        location: env.location,
        tags: props.tags ?? {},
      });
      this.grants = [
        bus.grantReceive(this.identity),
        bus.grantSend(this.identity),
        props.registry.grantPull(this.identity),
      ];
      Annotations.of(this).addWarning(
        `DeadLetterRedriveJob '${this.node.path}' creates its identity and its AcrPull and Service Bus roles in the same apply as the job: Azure checks the job's registry access when it creates the job, and a new role assignment takes minutes to propagate, so that apply may be refused (UNAUTHORIZED on the image) until RBAC has propagated. Pass \`identity\`: one whose roles were granted in an earlier apply (e.g. WebhookFoundation's redriveJob: true and its workloadIdentities.redrive).`,
      );
    } else {
      this.identity = props.identity;
      this.grants = [];
    }

    const entity =
      topic === undefined ? ['--queue', bus.entityName] : ['--topic', topic, '--subscription', sub ?? ''];
    this.args = ['admin.js', 'dlq', 'redrive', '--namespace', bus.namespaceFqdn, ...entity, ...extra];
    this.jobName = props.name;
    this.job = new ContainerAppJob(this, 'Resource', {
      name: props.name,
      resourceGroupName: env.resourceGroupName,
      location: env.location,
      containerAppEnvironmentId: env.environmentId,
      workloadProfileName: env.defaultWorkloadProfileName,
      // Started by an operator only; one replica, so two never compete for the same dead letters.
      manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 },
      replicaTimeoutInSeconds: timeout,
      replicaRetryLimit: 0,
      identity: { type: 'UserAssigned', identityIds: [this.identity.id] },
      registry: [{ server: props.registry.loginServer, identity: this.identity.id }],
      template: {
        container: [
          {
            name: 'redrive',
            image: `${props.registry.loginServer}/${props.imageName}:${props.imageTag}`,
            // `args`, not `command`: the distroless image's entrypoint is node (/nodejs/bin/node),
            // and `node` is not on its PATH, so a `command` of `node …` would not start.
            args: [...this.args],
            cpu,
            memory: `${memoryGi}Gi`,
            env: [{ name: 'AZURE_CLIENT_ID', value: this.identity.clientId }],
          },
        ],
      },
      dependsOn: [...dependenciesInStack(this, this.grants), ...(props.dependsOn ?? [])],
      tags: props.tags ?? {},
    });
  }
}

/** `args` may not set the entity: it comes from the bus, so the job and its grants always agree. */
function argsRules(args: readonly string[]): Rule[] {
  const entityFlags = args.filter((a) => ENTITY_FLAGS.some((flag) => a === flag || a.startsWith(`${flag}=`)));
  return [
    check(
      'args',
      entityFlags.length === 0,
      `free of ${ENTITY_FLAGS.join(', ')} (set from messageBus and subscriptionName, where the job's roles are)`,
      entityFlags.join(' '),
    ),
  ];
}
