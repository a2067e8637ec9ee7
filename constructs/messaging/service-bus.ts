/** Service Bus resources of `MessageBus`: namespace and the queue or topic, with their rules. */
import type { Construct } from 'constructs';
import { ServicebusNamespace } from '@cdktf/provider-azurerm/lib/servicebus-namespace';
import { ServicebusQueue } from '@cdktf/provider-azurerm/lib/servicebus-queue';
import { ServicebusTopic } from '@cdktf/provider-azurerm/lib/servicebus-topic';
import { check, durationInRange, intInRange, matches, oneOf, type Rule } from '../core/validation';
import type { ServiceBusEntityType } from './message-bus-base';
import type { MessageBusProps } from './message-bus';

const STANDARD_SIZES = [1024, 2048, 3072, 4096, 5120];

export function serviceBusRules(props: MessageBusProps): Rule[] {
  const o = props.serviceBus ?? {};
  const sku = o.sku ?? 'Standard';
  const premium = sku === 'Premium';
  const size = o.maxSizeInMegabytes;
  const partitions = premium ? (o.premiumMessagingPartitions ?? 1) : 1;
  return [
    oneOf('serviceBus.sku', sku, ['Standard', 'Premium']),
    check(
      'serviceBus.capacity',
      premium || o.capacity === undefined,
      "absent unless sku is 'Premium'",
      o.capacity,
    ),
    oneOf('serviceBus.capacity', o.capacity, [1, 2, 4, 8, 16]),
    check(
      'serviceBus.premiumMessagingPartitions',
      premium || o.premiumMessagingPartitions === undefined,
      "absent unless sku is 'Premium'",
      o.premiumMessagingPartitions,
    ),
    oneOf('serviceBus.premiumMessagingPartitions', o.premiumMessagingPartitions, [1, 2, 4]),
    check(
      'serviceBus.capacity',
      (o.capacity ?? 1) % partitions === 0,
      `a multiple of premiumMessagingPartitions (${partitions}): messaging units are spread equally over partitions`,
      o.capacity ?? 1,
    ),
    check(
      'serviceBus.partitioningEnabled',
      !premium || o.partitioningEnabled === undefined || o.partitioningEnabled === partitions > 1,
      `${partitions > 1} on Premium with ${partitions} messaging partition(s): a Premium namespace's entities are partitioned exactly when the namespace is`,
      o.partitioningEnabled,
    ),
    check(
      'privateEndpoint',
      premium || props.privateEndpoint === undefined,
      "used only with serviceBus.sku 'Premium' (Service Bus private endpoints are Premium-only)",
      sku,
    ),
    check(
      'publicNetworkAccessEnabled',
      props.publicNetworkAccessEnabled !== false || props.privateEndpoint !== undefined,
      'true unless a privateEndpoint is given (otherwise nothing can reach the namespace)',
      props.publicNetworkAccessEnabled,
    ),
    oneOf('serviceBus.entityType', o.entityType, ['queue', 'topic']),
    matches(
      'serviceBus.entityName',
      o.entityName,
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,258}[A-Za-z0-9_]$|^[A-Za-z0-9]$/,
      '1-260 letters, digits, . _ -',
    ),
    durationInRange('serviceBus.duplicateDetectionWindow', o.duplicateDetectionWindow, 'PT20S', 'P7D'),
    check(
      'serviceBus.duplicateDetectionWindow',
      o.duplicateDetection !== false || o.duplicateDetectionWindow === undefined,
      'absent when duplicateDetection is false',
      o.duplicateDetectionWindow,
    ),
    intInRange('serviceBus.maxDeliveryCount', o.maxDeliveryCount, 1, 2000),
    durationInRange('serviceBus.lockDuration', o.lockDuration, 'PT5S', 'PT5M'),
    durationInRange('serviceBus.defaultMessageTtl', o.defaultMessageTtl, 'PT1S', 'P10675199D'),
    premium
      ? check(
          'serviceBus.maxSizeInMegabytes',
          size === undefined || (Number.isInteger(size / 1024) && size >= 1024 && size <= 81920),
          'a multiple of 1024 from 1024 to 81920 on Premium',
          size,
        )
      : oneOf('serviceBus.maxSizeInMegabytes', size, STANDARD_SIZES),
    check(
      'serviceBus.customerManagedKey',
      premium || o.customerManagedKey === undefined,
      "absent unless sku is 'Premium' (customer-managed keys are Premium-only)",
      sku,
    ),
    matches(
      'serviceBus.customerManagedKey.keyVaultKeyId',
      o.customerManagedKey?.keyVaultKeyId,
      /^https:\/\/[A-Za-z0-9-]{3,24}\.(vault|managedhsm)\.azure\.(net|cn|us)\/keys\/[A-Za-z0-9-]{1,127}$/,
      'a versionless key id https://<vault>.vault.azure.net/keys/<name> (no version: rotation is followed)',
    ),
    matches(
      'serviceBus.customerManagedKey.userAssignedIdentityId',
      o.customerManagedKey?.userAssignedIdentityId,
      /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/i,
      'the resource id of a user-assigned identity',
    ),
    check(
      'serviceBus',
      o.entityType !== 'topic' || (o.maxDeliveryCount === undefined && o.lockDuration === undefined),
      'free of maxDeliveryCount and lockDuration when entityType is topic (set them per addSubscription)',
      'given',
    ),
  ];
}

export interface ServiceBusResources {
  readonly namespace: ServicebusNamespace;
  readonly entityType: ServiceBusEntityType;
  readonly entityName: string;
  readonly queue?: ServicebusQueue;
  readonly topic?: ServicebusTopic;
}

export function createServiceBus(
  scope: Construct,
  props: MessageBusProps,
  publicNetworkAccessEnabled: boolean,
): ServiceBusResources {
  const o = props.serviceBus ?? {};
  const premium = (o.sku ?? 'Standard') === 'Premium';
  const cmk = o.customerManagedKey;
  const namespace = new ServicebusNamespace(scope, 'Resource', {
    name: props.name,
    resourceGroupName: props.resourceGroupName,
    location: props.location,
    sku: o.sku ?? 'Standard',
    capacity: premium ? (o.capacity ?? 1) : undefined,
    premiumMessagingPartitions: premium ? (o.premiumMessagingPartitions ?? 1) : undefined,
    localAuthEnabled: false,
    minimumTlsVersion: '1.2',
    publicNetworkAccessEnabled,
    identity:
      cmk === undefined ? undefined : { type: 'UserAssigned', identityIds: [cmk.userAssignedIdentityId] },
    customerManagedKey:
      cmk === undefined
        ? undefined
        : {
            keyVaultKeyId: cmk.keyVaultKeyId,
            identityId: cmk.userAssignedIdentityId,
            infrastructureEncryptionEnabled: cmk.infrastructureEncryptionEnabled ?? true,
          },
    tags: props.tags,
  });
  const entityType = o.entityType ?? 'queue';
  const entityName = o.entityName ?? 'webhooks';
  const duplicateDetection = o.duplicateDetection ?? true;
  const shared = {
    name: entityName,
    namespaceId: namespace.id,
    requiresDuplicateDetection: duplicateDetection,
    duplicateDetectionHistoryTimeWindow: duplicateDetection
      ? (o.duplicateDetectionWindow ?? 'PT10M')
      : undefined,
    defaultMessageTtl: o.defaultMessageTtl ?? 'P14D',
    maxSizeInMegabytes: o.maxSizeInMegabytes ?? 1024,
    // On Premium, entities follow the namespace: partitioned iff it has more than one partition.
    partitioningEnabled: o.partitioningEnabled ?? (premium && (o.premiumMessagingPartitions ?? 1) > 1),
  };
  if (entityType === 'topic') {
    const topic = new ServicebusTopic(scope, 'Topic', {
      name: shared.name,
      namespaceId: shared.namespaceId,
      requiresDuplicateDetection: shared.requiresDuplicateDetection,
      duplicateDetectionHistoryTimeWindow: shared.duplicateDetectionHistoryTimeWindow,
      defaultMessageTtl: shared.defaultMessageTtl,
      maxSizeInMegabytes: shared.maxSizeInMegabytes,
      partitioningEnabled: shared.partitioningEnabled,
    });
    return { namespace, entityType, entityName, topic };
  }
  const queue = new ServicebusQueue(scope, 'Queue', {
    name: shared.name,
    namespaceId: shared.namespaceId,
    requiresDuplicateDetection: shared.requiresDuplicateDetection,
    duplicateDetectionHistoryTimeWindow: shared.duplicateDetectionHistoryTimeWindow,
    defaultMessageTtl: shared.defaultMessageTtl,
    maxSizeInMegabytes: shared.maxSizeInMegabytes,
    partitioningEnabled: shared.partitioningEnabled,
    deadLetteringOnMessageExpiration: o.deadLetteringOnMessageExpiration ?? true,
    maxDeliveryCount: o.maxDeliveryCount ?? 10,
    lockDuration: o.lockDuration ?? 'PT1M',
  });
  return { namespace, entityType, entityName, queue };
}
