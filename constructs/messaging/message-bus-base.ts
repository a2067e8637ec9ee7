/**
 * What created and imported buses share (the aws-sqs `QueueBase` pattern): entity-scoped grants,
 * the runtime's environment variables and the alert methods are implemented once here, so
 * `MessageBus.fromNamespaceId(...)` behaves exactly like a bus created by `new MessageBus(...)`.
 */
import { Construct, type IConstruct } from 'constructs';
import type { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { IPrincipal } from '../core/identity';
import { grantRole, roleAssignmentId } from '../core/role-assignment';
import { WebhookAlerts, type MetricAlertDefinition } from '../observability/alerts';
import type { Observability } from '../observability/observability';
import type { RuntimeEnvironment } from '../../runtime/src/contract';

/** Where the runtime publishes on Service Bus. */
export type ServiceBusEntityType = 'queue' | 'topic';

/** Which protocol the runtime speaks to the bus. */
export type MessageBusKind = 'serviceBus' | 'kafka';

/** Where a bus alert is created and what it is called. */
export interface BusAlertOptions {
  /**
   * First part of the alert's name in Azure Monitor (`<namePrefix>-deadletters`).
   * @default - the namespace name
   */
  readonly namePrefix?: string;
  /**
   * Construct that holds the alert: give the watching construct when it lives in another stack
   * than the observability construct (see `Observability.addMetricAlert`).
   * @default - the observability construct
   */
  readonly scope?: Construct;
  /**
   * Construct id of the alert (part of its Terraform address: keep it once deployed).
   * @default - `<bus construct id>DeadLetterAlert`, `…BacklogAlert` or `…ThrottledAlert`
   */
  readonly id?: string;
}

/**
 * A message bus the runtime can publish to: created by `MessageBus` or imported with
 * `MessageBus.fromNamespaceId(...)`. Both expose the same grant and alert API (like aws-sqs `IQueue`).
 */
export interface IMessageBus extends IConstruct {
  readonly kind: MessageBusKind;
  /** Resource id of the Service Bus or Event Hubs namespace. */
  readonly namespaceId: string;
  /** `<namespace>.servicebus.windows.net` (both Service Bus and Event Hubs). */
  readonly namespaceFqdn: string;
  /** Name of the queue, topic or event hub the runtime publishes to. */
  readonly entityName: string;
  /** Resource id of that queue, topic or event hub (the scope of `grantSend`). */
  readonly entityId: string;
  /**
   * Environment variables the webhook runtime needs to publish here (`BUS`, `SERVICEBUS_*` or
   * `KAFKA_*`, names from the runtime's contract: runtime/src/contract.ts), never a key or
   * connection string.
   */
  runtimeEnvironment(): RuntimeEnvironment;
  /**
   * Lets `principal` publish to the entity (Data Sender role scoped to the entity). Returns the
   * role assignment, so what must not start before the grant exists can depend on it.
   */
  grantSend(principal: IPrincipal): RoleAssignment;
  /** Lets `principal` consume from the entity (Data Receiver role scoped to the entity). */
  grantReceive(principal: IPrincipal): RoleAssignment;
  /** Alerts when any message is dead-lettered on the entity (kind `serviceBus`). */
  addDeadLetterAlert(observability: Observability, options?: BusAlertOptions): MonitorMetricAlert;
  /** Alerts when more than `threshold` messages wait on the entity (kind `serviceBus`). */
  addBacklogAlert(
    observability: Observability,
    threshold: number,
    options?: BusAlertOptions,
  ): MonitorMetricAlert;
  /** Alerts when the namespace throttles requests on the event hub, so publishes fail (kind `kafka`). */
  addThrottledAlert(observability: Observability, options?: BusAlertOptions): MonitorMetricAlert;
}

/** Event Hubs' Kafka endpoint port (SASL_SSL). */
export const KAFKA_PORT = 9093;

/** The bus kind each alert needs, and why the other kind cannot have it. */
const ALERT_KINDS = {
  DeadLetterAlert: ['serviceBus', 'Event Hubs has no dead-letter queue; use addThrottledAlert'],
  BacklogAlert: ['serviceBus', 'Event Hubs exposes no backlog metric; watch consumer lag in the consumer'],
  ThrottledAlert: ['kafka', 'watch dead letters and backlog on Service Bus'],
} as const satisfies Record<string, readonly [MessageBusKind, string]>;

const ROLES: Record<MessageBusKind, { send: string; receive: string }> = {
  serviceBus: { send: 'Azure Service Bus Data Sender', receive: 'Azure Service Bus Data Receiver' },
  kafka: { send: 'Azure Event Hubs Data Sender', receive: 'Azure Event Hubs Data Receiver' },
};

/**
 * The `MessageBusBase` construct.
 *
 * @example
 * ```ts
 * const bus: MessageBusBase = MessageBus.fromNamespaceId(this, 'Existing', { namespaceId, entityName: 'webhooks' });
 * bus.grantReceive(consumerIdentity);
 * bus.addDeadLetterAlert(observability);
 * ```
 */
export abstract class MessageBusBase extends Construct implements IMessageBus {
  public abstract readonly kind: MessageBusKind;
  public abstract readonly namespaceId: string;
  public abstract readonly namespaceName: string;
  public abstract readonly namespaceFqdn: string;
  public abstract readonly entityName: string;
  public abstract readonly entityId: string;
  /** `queue` or `topic` on Service Bus; `undefined` on Kafka. */
  public abstract readonly entityType?: ServiceBusEntityType;
  private readonly grants = new Map<string, RoleAssignment>();

  /** `<namespace>.servicebus.windows.net:9093` on Kafka; `undefined` on Service Bus. */
  public get kafkaBootstrap(): string | undefined {
    return this.kind === 'kafka' ? `${this.namespaceFqdn}:${KAFKA_PORT}` : undefined;
  }

  public runtimeEnvironment(): RuntimeEnvironment {
    if (this.kind === 'kafka') {
      return {
        BUS: 'kafka',
        KAFKA_BROKERS: `${this.namespaceFqdn}:${KAFKA_PORT}`,
        KAFKA_TOPIC: this.entityName,
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'oauthbearer',
      };
    }
    const entity: RuntimeEnvironment =
      this.entityType === 'topic'
        ? { SERVICEBUS_TOPIC: this.entityName }
        : { SERVICEBUS_QUEUE: this.entityName };
    return { BUS: 'servicebus', SERVICEBUS_NAMESPACE: this.namespaceFqdn, ...entity };
  }

  /** Data Sender on the queue, topic or event hub (never the namespace). Idempotent per principal. */
  public grantSend(principal: IPrincipal): RoleAssignment {
    return this.grant(ROLES[this.kind].send, principal);
  }

  /** Data Receiver on the queue, topic (and so its subscriptions) or event hub. Idempotent per principal. */
  public grantReceive(principal: IPrincipal): RoleAssignment {
    return this.grant(ROLES[this.kind].receive, principal);
  }

  /**
   * Alerts when any message is dead-lettered on the entity. Service Bus only: Event Hubs has no
   * dead-letter queue (on Kafka, `addThrottledAlert` watches the signal that publishes fail).
   */
  public addDeadLetterAlert(observability: Observability, options: BusAlertOptions = {}): MonitorMetricAlert {
    return this.addAlert(observability, 'DeadLetterAlert', options, (prefix) =>
      WebhookAlerts.serviceBusDeadLetters(prefix, this.entityName),
    );
  }

  /** Alerts when more than `threshold` messages wait on the entity (Service Bus only). */
  public addBacklogAlert(
    observability: Observability,
    threshold: number,
    options: BusAlertOptions = {},
  ): MonitorMetricAlert {
    return this.addAlert(observability, 'BacklogAlert', options, (prefix) =>
      WebhookAlerts.serviceBusBacklog(prefix, threshold, this.entityName),
    );
  }

  /** Alerts when the namespace throttles requests on the event hub, so publishes fail (Kafka only). */
  public addThrottledAlert(observability: Observability, options: BusAlertOptions = {}): MonitorMetricAlert {
    return this.addAlert(observability, 'ThrottledAlert', options, (prefix) =>
      WebhookAlerts.eventHubsThrottled(prefix, this.entityName),
    );
  }

  private addAlert(
    observability: Observability,
    alert: keyof typeof ALERT_KINDS,
    options: BusAlertOptions,
    definition: (namePrefix: string) => MetricAlertDefinition,
  ): MonitorMetricAlert {
    const [kind, why] = ALERT_KINDS[alert];
    if (this.kind !== kind) {
      throw new Error(
        `${this.node.path}: add${alert} needs kind '${kind}' (received '${this.kind}': ${why})`,
      );
    }
    return observability.addMetricAlert(
      options.id ?? `${this.node.id}${alert}`,
      { ...definition(options.namePrefix ?? this.namespaceName), scopes: [this.namespaceId] },
      options.scope,
    );
  }

  private grant(role: string, principal: IPrincipal): RoleAssignment {
    const id = roleAssignmentId(role, principal);
    const existing = this.grants.get(id);
    if (existing !== undefined) return existing;
    const assignment = grantRole(this, id, { scopeId: this.entityId, roleDefinitionName: role, principal });
    this.grants.set(id, assignment);
    return assignment;
  }
}
