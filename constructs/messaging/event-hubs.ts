/** Event Hubs resources of `MessageBus` (kind `kafka`): namespace and event hub, with their rules. */
import type { Construct } from 'constructs';
import { Eventhub } from '@cdktf/provider-azurerm/lib/eventhub';
import { EventhubNamespace } from '@cdktf/provider-azurerm/lib/eventhub-namespace';
import { check, intInRange, matches, oneOf, type Rule } from '../core/validation';
import type { MessageBusProps } from './message-bus';

export function kafkaRules(props: MessageBusProps): Rule[] {
  const o = props.kafka ?? {};
  const sku = o.sku ?? 'Standard';
  const premium = sku === 'Premium';
  const capacity = o.capacity ?? 1;
  return [
    check(
      'kafka.sku',
      sku === 'Standard' || sku === 'Premium',
      "'Standard' or 'Premium' (Basic has no Kafka endpoint)",
      sku,
    ),
    premium
      ? oneOf('kafka.capacity', o.capacity, [1, 2, 4, 8, 16])
      : intInRange('kafka.capacity', o.capacity, 1, 40),
    check(
      'kafka.autoInflateMaximumThroughputUnits',
      !premium || o.autoInflateMaximumThroughputUnits === undefined,
      "absent on sku 'Premium' (auto-inflate is a Standard feature)",
      o.autoInflateMaximumThroughputUnits,
    ),
    intInRange('kafka.autoInflateMaximumThroughputUnits', o.autoInflateMaximumThroughputUnits, capacity, 40),
    matches(
      'kafka.topicName',
      o.topicName,
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}[A-Za-z0-9]$|^[A-Za-z0-9]$/,
      '1-256 letters, digits, . _ -',
    ),
    intInRange('kafka.partitionCount', o.partitionCount, 1, premium ? 100 : 32),
    check(
      'kafka.messageRetentionDays',
      o.messageRetentionDays === undefined || o.retentionHours === undefined,
      'absent when retentionHours is set (the provider takes exactly one of message_retention and retention_description)',
      o.messageRetentionDays,
    ),
    intInRange('kafka.messageRetentionDays', o.messageRetentionDays, 1, premium ? 90 : 7),
    intInRange('kafka.retentionHours', o.retentionHours, 1, premium ? 2160 : 168),
    check(
      'publicNetworkAccessEnabled',
      props.publicNetworkAccessEnabled !== false || props.privateEndpoint !== undefined,
      'true unless a privateEndpoint is given (otherwise nothing can reach the namespace)',
      props.publicNetworkAccessEnabled,
    ),
  ];
}

export function createEventHubs(
  scope: Construct,
  props: MessageBusProps,
  publicNetworkAccessEnabled: boolean,
): { namespace: EventhubNamespace; eventHub: Eventhub; topicName: string } {
  const o = props.kafka ?? {};
  const autoInflate = o.autoInflateMaximumThroughputUnits !== undefined;
  const namespace = new EventhubNamespace(scope, 'Resource', {
    name: props.name,
    resourceGroupName: props.resourceGroupName,
    location: props.location,
    sku: o.sku ?? 'Standard',
    capacity: o.capacity ?? 1,
    autoInflateEnabled: autoInflate,
    maximumThroughputUnits: o.autoInflateMaximumThroughputUnits,
    localAuthenticationEnabled: false,
    minimumTlsVersion: '1.2',
    publicNetworkAccessEnabled,
    tags: props.tags,
  });
  // The literal name (not the resource's token) so runtimeEnvironment() stays readable.
  const topicName = o.topicName ?? 'webhooks';
  const eventHub = new Eventhub(scope, 'EventHub', {
    name: topicName,
    namespaceId: namespace.id,
    partitionCount: o.partitionCount ?? 4,
    messageRetention: o.retentionHours === undefined ? (o.messageRetentionDays ?? 1) : undefined,
    retentionDescription:
      o.retentionHours === undefined
        ? undefined
        : { cleanupPolicy: 'Delete', retentionTimeInHours: o.retentionHours },
  });
  return { namespace, eventHub, topicName };
}
