/**
 * What created and imported buses share (the aws-sqs `QueueBase` pattern): entity-scoped grants,
 * the runtime's environment variables and the alert helpers are implemented once here, so
 * `MessageBus.fromNamespaceId(...)` behaves exactly like a bus created by `new MessageBus(...)`.
 */
import { Construct } from 'constructs';
import type { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { grantRole, roleAssignmentId } from '../core/role-assignment';
import type { IMessageBus, IPrincipal, MessageBusKind } from '../core/types';
import { WebhookAlerts } from '../observability/alerts';
import type { Observability } from '../observability/observability';

/** Where the runtime publishes on Service Bus. */
export type ServiceBusEntityType = 'queue' | 'topic';

/** Event Hubs' Kafka endpoint port (SASL_SSL). */
export const KAFKA_PORT = 9093;

const ROLES: Record<MessageBusKind, { send: string; receive: string }> = {
  serviceBus: { send: 'Azure Service Bus Data Sender', receive: 'Azure Service Bus Data Receiver' },
  kafka: { send: 'Azure Event Hubs Data Sender', receive: 'Azure Event Hubs Data Receiver' },
};

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

  public runtimeEnvironment(): Record<string, string> {
    if (this.kind === 'kafka') {
      return {
        BUS: 'kafka',
        KAFKA_BROKERS: `${this.namespaceFqdn}:${KAFKA_PORT}`,
        KAFKA_TOPIC: this.entityName,
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'oauthbearer',
      };
    }
    return {
      BUS: 'servicebus',
      SERVICEBUS_NAMESPACE: this.namespaceFqdn,
      [this.entityType === 'topic' ? 'SERVICEBUS_TOPIC' : 'SERVICEBUS_QUEUE']: this.entityName,
    };
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
   * Alerts when any message is dead-lettered on the entity (Service Bus only: Event Hubs has no
   * dead-letter queue, so on Kafka this alerts on throttled requests, the signal that publishes fail).
   */
  public addDeadLetterAlert(observability: Observability, prefix = this.namespaceName): MonitorMetricAlert {
    const definition =
      this.kind === 'serviceBus'
        ? WebhookAlerts.serviceBusDeadLetters(prefix, this.entityName)
        : WebhookAlerts.eventHubsThrottled(prefix, this.entityName);
    return observability.addMetricAlert(`${this.node.id}DeadLetterAlert`, {
      ...definition,
      scopes: [this.namespaceId],
    });
  }

  /** Alerts when more than `threshold` messages wait on the entity (Service Bus only). */
  public addBacklogAlert(
    observability: Observability,
    threshold: number,
    prefix = this.namespaceName,
  ): MonitorMetricAlert {
    if (this.kind !== 'serviceBus') {
      throw new Error(
        `${this.node.path}: addBacklogAlert needs kind 'serviceBus' (received 'kafka': Event Hubs exposes no backlog metric; watch consumer lag in the consumer)`,
      );
    }
    return observability.addMetricAlert(`${this.node.id}BacklogAlert`, {
      ...WebhookAlerts.serviceBusBacklog(prefix, threshold, this.entityName),
      scopes: [this.namespaceId],
    });
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
