/**
 * The bus the webhook runtime publishes to: Azure Service Bus (default) or Event Hubs through its
 * Kafka endpoint. Secure by default: local (SAS key) authentication off, TLS 1.2, identities get
 * entity-scoped data roles, and nothing here ever exposes a key or connection string.
 */
import { Token } from 'cdktf';
import type { Construct } from 'constructs';
import { EventhubConsumerGroup } from '@cdktf/provider-azurerm/lib/eventhub-consumer-group';
import type { Eventhub } from '@cdktf/provider-azurerm/lib/eventhub';
import type { EventhubNamespace } from '@cdktf/provider-azurerm/lib/eventhub-namespace';
import type { ServicebusNamespace } from '@cdktf/provider-azurerm/lib/servicebus-namespace';
import type { ServicebusQueue } from '@cdktf/provider-azurerm/lib/servicebus-queue';
import { ServicebusSubscription } from '@cdktf/provider-azurerm/lib/servicebus-subscription';
import type { ServicebusTopic } from '@cdktf/provider-azurerm/lib/servicebus-topic';
import { addDiagnosticSettings } from '../core/diagnostics';
import { validateResourceName } from '../core/naming';
import { check, durationInRange, intInRange, matches, oneOf, validate } from '../core/validation';
import { PrivateLink, type PrivateEndpointOptions } from '../shared/private-link';
import { createEventHubs } from './event-hubs';
import {
  MessageBusBase,
  type IMessageBus,
  type MessageBusKind,
  type ServiceBusEntityType,
} from './message-bus-base';
import type { KafkaOptions, ServiceBusOptions } from './options';
import { createServiceBus, serviceBusRules } from './service-bus';
import { kafkaRules } from './event-hubs';

/** Props of `MessageBus`. */
export interface MessageBusProps {
  /** Namespace name: 6-50 letters, digits and -, globally unique (see `resourceName(..., { unique: true })`). */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * Azure Service Bus (AMQP) or Event Hubs through its Kafka endpoint.
   * @default 'serviceBus'
   */
  readonly kind?: MessageBusKind;
  /** @default - the defaults of each option */
  readonly serviceBus?: ServiceBusOptions;
  /** @default - the defaults of each option */
  readonly kafka?: KafkaOptions;
  /**
   * A private endpoint (subresource `namespace`, zone `privatelink.servicebus.windows.net`).
   * Service Bus: Premium only.
   * @default - none
   */
  readonly privateEndpoint?: PrivateEndpointOptions;
  /**
   * Public network access to the namespace.
   * @default - false when `privateEndpoint` is given, else true (Standard has no private endpoint)
   */
  readonly publicNetworkAccessEnabled?: boolean;
  /**
   * Send the namespace's logs and metrics to this workspace.
   * @default - no diagnostic settings
   */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * Tags on the namespace (and private endpoint).
   * @default - no tags
   */
  readonly tags?: Record<string, string>;
}

/** Attributes of an existing namespace for `MessageBus.fromNamespaceId`. */
export interface MessageBusAttributes {
  /** Resource id of the Service Bus or Event Hubs namespace. */
  readonly namespaceId: string;
  /** @default 'serviceBus' */
  readonly kind?: MessageBusKind;
  /** Queue, topic or event hub the runtime publishes to. */
  readonly entityName: string;
  /**
   * Service Bus entity type.
   * @default 'queue'
   */
  readonly entityType?: ServiceBusEntityType;
  /**
   * Namespace name, required when `namespaceId` is a token (unknown at synth).
   * @default - the last segment of `namespaceId`
   */
  readonly namespaceName?: string;
}

/** Settings of a topic subscription (`MessageBus.addSubscription`). */
export interface SubscriptionProps {
  /**
   * Deliveries before a message is dead-lettered (required by the provider), 1-2000.
   * @default 10
   */
  readonly maxDeliveryCount?: number;
  /** @default 'PT1M' */
  readonly lockDuration?: string;
  /** @default true */
  readonly deadLetteringOnMessageExpiration?: boolean;
  /** @default true */
  readonly deadLetteringOnFilterEvaluationError?: boolean;
  /**
   * Queue or topic that receives this subscription's dead letters.
   * @default - the subscription's own dead-letter queue
   */
  readonly forwardDeadLetteredMessagesTo?: string;
}

const DNS_SUFFIX = 'servicebus.windows.net';
const ENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,258}[A-Za-z0-9_]$|^[A-Za-z0-9]$/;
const NAMESPACE_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.(ServiceBus|EventHub)\/namespaces\/([^/]+)$/i;

/**
 * The `MessageBus` construct.
 *
 * @example
 * ```ts
 * const bus = new MessageBus(this, 'Bus', {
 *   name: 'sbns-orders-prod-weu-7f3a',
 *   resourceGroupName: 'rg-orders-prod-weu',
 *   location: 'westeurope',
 *   serviceBus: { entityType: 'topic', entityName: 'orders' },
 * });
 * bus.addSubscription('billing');
 * bus.grantSend(publisher); // Data Sender on the topic, never the namespace
 * ```
 */
export class MessageBus extends MessageBusBase {
  /** An existing namespace and entity, with the same grants, environment and alerts. */
  public static fromNamespaceId(
    scope: Construct,
    id: string,
    attrs: MessageBusAttributes,
  ): IMessageBus & MessageBusBase {
    const kind = attrs.kind ?? 'serviceBus';
    const entityType: ServiceBusEntityType | undefined =
      kind === 'serviceBus' ? (attrs.entityType ?? 'queue') : undefined;
    const literalId = !Token.isUnresolved(attrs.namespaceId);
    const parsed = literalId ? NAMESPACE_ID.exec(attrs.namespaceId) : null;
    const expectedProvider = kind === 'serviceBus' ? 'ServiceBus' : 'EventHub';
    validate(`MessageBus.fromNamespaceId '${scope.node.path}/${id}'`, [
      check(
        'namespaceId',
        !literalId || (parsed !== null && parsed[1]?.toLowerCase() === expectedProvider.toLowerCase()),
        `a Microsoft.${expectedProvider}/namespaces resource id (kind '${kind}')`,
        attrs.namespaceId,
      ),
      check(
        'namespaceName',
        literalId || attrs.namespaceName !== undefined,
        'given when namespaceId is a token',
        attrs.namespaceName,
      ),
      matches(
        'entityName',
        attrs.entityName,
        ENTITY_NAME,
        'a queue/topic/event hub name (1-260 letters, digits, . _ -)',
      ),
      check(
        'entityType',
        kind === 'serviceBus' || attrs.entityType === undefined,
        "absent on kind 'kafka'",
        attrs.entityType,
      ),
    ]);
    const namespaceName = attrs.namespaceName ?? parsed?.[2] ?? '';
    const collection = kind === 'kafka' ? 'eventhubs' : entityType === 'topic' ? 'topics' : 'queues';
    class Imported extends MessageBusBase {
      public readonly kind = kind;
      public readonly namespaceId = attrs.namespaceId;
      public readonly namespaceName = namespaceName;
      public readonly namespaceFqdn = `${namespaceName}.${DNS_SUFFIX}`;
      public readonly entityName = attrs.entityName;
      public readonly entityId = `${attrs.namespaceId}/${collection}/${attrs.entityName}`;
      public readonly entityType = entityType;
    }
    return new Imported(scope, id);
  }

  public readonly kind: MessageBusKind;
  public readonly namespaceId: string;
  public readonly namespaceName: string;
  public readonly namespaceFqdn: string;
  public readonly entityName: string;
  public readonly entityId: string;
  public readonly entityType?: ServiceBusEntityType;
  /** The Service Bus namespace (kind `serviceBus`). */
  public readonly serviceBusNamespace?: ServicebusNamespace;
  /** The queue the runtime publishes to (Service Bus, entityType `queue`). */
  public readonly queue?: ServicebusQueue;
  /** The topic the runtime publishes to (Service Bus, entityType `topic`). */
  public readonly topic?: ServicebusTopic;
  /** The Event Hubs namespace (kind `kafka`). */
  public readonly eventHubNamespace?: EventhubNamespace;
  /** The event hub = Kafka topic (kind `kafka`). */
  public readonly eventHub?: Eventhub;
  /** The private endpoint, when `privateEndpoint` was given. */
  public readonly privateLink?: PrivateLink;
  private readonly children = new Set<string>();

  constructor(scope: Construct, id: string, props: MessageBusProps) {
    super(scope, id);
    this.kind = props.kind ?? 'serviceBus';
    const owner = `MessageBus '${this.node.path}'`;
    validateResourceName(this.kind === 'kafka' ? 'eventHubNamespace' : 'serviceBusNamespace', props.name);
    validate(owner, [
      oneOf('kind', this.kind, ['serviceBus', 'kafka']),
      check(
        'serviceBus',
        this.kind === 'serviceBus' || props.serviceBus === undefined,
        "absent on kind 'kafka'",
        'given',
      ),
      check(
        'kafka',
        this.kind === 'kafka' || props.kafka === undefined,
        "absent on kind 'serviceBus'",
        'given',
      ),
      ...(this.kind === 'serviceBus' ? serviceBusRules(props) : kafkaRules(props)),
    ]);
    const publicNetworkAccessEnabled =
      props.publicNetworkAccessEnabled ?? props.privateEndpoint === undefined;

    this.namespaceName = props.name;
    this.namespaceFqdn = `${props.name}.${DNS_SUFFIX}`;
    if (this.kind === 'serviceBus') {
      const sb = createServiceBus(this, props, publicNetworkAccessEnabled);
      this.serviceBusNamespace = sb.namespace;
      this.queue = sb.queue;
      this.topic = sb.topic;
      this.entityType = sb.entityType;
      this.namespaceId = sb.namespace.id;
      this.entityName = sb.entityName;
      this.entityId = (sb.queue ?? sb.topic)?.id ?? '';
    } else {
      const eh = createEventHubs(this, props, publicNetworkAccessEnabled);
      this.eventHubNamespace = eh.namespace;
      this.eventHub = eh.eventHub;
      this.namespaceId = eh.namespace.id;
      this.entityName = eh.topicName;
      this.entityId = eh.eventHub.id;
    }

    if (props.privateEndpoint !== undefined) {
      this.privateLink = new PrivateLink(this, 'PrivateLink', {
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        targetResourceId: this.namespaceId,
        endpointName: `pe-${props.name}`,
        subresourceName: 'namespace',
        privateDnsZoneName: `privatelink.${DNS_SUFFIX}`,
        endpoint: props.privateEndpoint,
        tags: props.tags,
      });
    }
    if (props.logAnalyticsWorkspaceId !== undefined) {
      addDiagnosticSettings(this, 'Diagnostics', {
        targetResourceId: this.namespaceId,
        logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      });
    }
  }

  /** Adds a subscription to the topic (Service Bus, entityType `topic`), with its own dead-letter settings. */
  public addSubscription(name: string, props: SubscriptionProps = {}): ServicebusSubscription {
    validate(`MessageBus '${this.node.path}' subscription`, [
      check(
        'entityType',
        this.topic !== undefined,
        "'topic' for subscriptions",
        this.entityType ?? this.kind,
      ),
      matches(
        'name',
        name,
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,48}[A-Za-z0-9_]$|^[A-Za-z0-9]$/,
        '1-50 letters, digits, . _ -',
      ),
      check('name', !this.children.has(`sub:${name}`), 'unique among this topic’s subscriptions', name),
      intInRange('maxDeliveryCount', props.maxDeliveryCount, 1, 2000),
      durationInRange('lockDuration', props.lockDuration, 'PT5S', 'PT5M'),
    ]);
    this.children.add(`sub:${name}`);
    return new ServicebusSubscription(this, `Subscription-${name}`, {
      name,
      topicId: this.topic?.id ?? '',
      maxDeliveryCount: props.maxDeliveryCount ?? 10,
      lockDuration: props.lockDuration ?? 'PT1M',
      deadLetteringOnMessageExpiration: props.deadLetteringOnMessageExpiration ?? true,
      deadLetteringOnFilterEvaluationError: props.deadLetteringOnFilterEvaluationError ?? true,
      forwardDeadLetteredMessagesTo: props.forwardDeadLetteredMessagesTo,
    });
  }

  /** Adds a consumer group for a downstream app (kind `kafka`). Refuses duplicates and `$Default`. */
  public addConsumerGroup(name: string, userMetadata?: string): EventhubConsumerGroup {
    validate(`MessageBus '${this.node.path}' consumer group`, [
      check('kind', this.eventHub !== undefined, "'kafka' for consumer groups", this.kind),
      matches(
        'name',
        name,
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,48}[A-Za-z0-9]$|^[A-Za-z0-9]$/,
        '1-50 letters, digits, . _ -',
      ),
      check(
        'name',
        !this.children.has(`cg:${name.toLowerCase()}`),
        'unique among this event hub’s consumer groups',
        name,
      ),
    ]);
    this.children.add(`cg:${name.toLowerCase()}`);
    return new EventhubConsumerGroup(this, `ConsumerGroup-${name}`, {
      name,
      namespaceName: this.eventHubNamespace?.name ?? '',
      eventhubName: this.eventHub?.name ?? '',
      resourceGroupName: this.eventHubNamespace?.resourceGroupName ?? '',
      userMetadata,
    });
  }
}
