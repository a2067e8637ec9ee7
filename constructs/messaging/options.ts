/** The option groups of `MessageBusProps` (Service Bus, Kafka, customer-managed key) and their defaults. */
import type { ServiceBusEntityType } from './message-bus-base';

/** Service Bus settings of a `MessageBus` of kind `serviceBus`. */
export interface ServiceBusOptions {
  /**
   * `Standard` or `Premium` (Basic has no duplicate detection or topics). Changing to Premium
   * replaces the namespace.
   * @default 'Standard'
   */
  readonly sku?: 'Standard' | 'Premium';
  /**
   * Premium messaging units: 1, 2, 4, 8 or 16 (Premium only).
   * @default 1 on Premium
   */
  readonly capacity?: number;
  /**
   * Premium messaging partitions: 1, 2 or 4 (Premium only, fixed at creation).
   * @default 1 on Premium
   */
  readonly premiumMessagingPartitions?: number;
  /**
   * Publish to a queue, or to a topic that downstream apps subscribe to (`addSubscription`).
   * @default 'queue'
   */
  readonly entityType?: ServiceBusEntityType;
  /**
   * Queue or topic name.
   * @default 'webhooks'
   */
  readonly entityName?: string;
  /**
   * Drop a message whose MessageId was already seen within the window (the runtime sets the
   * sender's delivery id as MessageId, so a sender retry is not enqueued twice). Forces a new entity.
   * @default true
   */
  readonly duplicateDetection?: boolean;
  /**
   * Duplicate detection window, PT20S to P7D.
   * @default 'PT10M'
   */
  readonly duplicateDetectionWindow?: string;
  /**
   * Deliveries before a message is dead-lettered (queue), 1-2000.
   * @default 10
   */
  readonly maxDeliveryCount?: number;
  /**
   * Peek-lock duration (queue), PT5S to PT5M.
   * @default 'PT1M'
   */
  readonly lockDuration?: string;
  /**
   * Message time-to-live.
   * @default 'P14D'
   */
  readonly defaultMessageTtl?: string;
  /**
   * Dead-letter (queue) messages that expire instead of dropping them.
   * @default true
   */
  readonly deadLetteringOnMessageExpiration?: boolean;
  /**
   * Entity size in MB: 1024-5120 in steps of 1024 on Standard; up to 81920 on Premium.
   * @default 1024
   */
  readonly maxSizeInMegabytes?: number;
  /**
   * Partitioned entity (forces a new entity).
   * @default false
   */
  readonly partitioningEnabled?: boolean;
  /**
   * Encrypt the namespace at rest with your Key Vault key instead of a Microsoft-managed one
   * (Premium only; cannot be removed once set).
   * @default - Microsoft-managed keys
   */
  readonly customerManagedKey?: CustomerManagedKeyOptions;
}

/**
 * A customer-managed key for Service Bus Premium. The key lives in a vault with soft delete and
 * purge protection (`SecretStore` has both); the platform team creates and rotates it.
 */
export interface CustomerManagedKeyOptions {
  /**
   * Versionless key id, `https://<vault>.vault.azure.net/keys/<name>`: the namespace then follows
   * key rotation by itself.
   */
  readonly keyVaultKeyId: string;
  /**
   * Resource id of the user-assigned identity the namespace reads the key with. It needs the
   * `Key Vault Crypto Service Encryption User` role on the key (or its vault) before apply.
   */
  readonly userAssignedIdentityId: string;
  /**
   * Also encrypt at the infrastructure layer with a second, platform-managed key (forces a new
   * namespace).
   * @default true
   */
  readonly infrastructureEncryptionEnabled?: boolean;
}

/** Event Hubs settings of a `MessageBus` of kind `kafka`. */
export interface KafkaOptions {
  /**
   * `Standard` or `Premium`: Basic has no Kafka endpoint.
   * @default 'Standard'
   */
  readonly sku?: 'Standard' | 'Premium';
  /**
   * Throughput units (Standard, 1-40) or processing units (Premium: 1, 2, 4, 8, 16).
   * @default 1
   */
  readonly capacity?: number;
  /**
   * Auto-inflate up to this many throughput units (Standard only, capacity-40).
   * @default - auto-inflate off
   */
  readonly autoInflateMaximumThroughputUnits?: number;
  /**
   * Event hub (Kafka topic) name.
   * @default 'webhooks'
   */
  readonly topicName?: string;
  /**
   * Partitions: 1-32 on Standard, 1-100 on Premium. Cannot be lowered later.
   * @default 4
   */
  readonly partitionCount?: number;
  /**
   * Retention in days (`message_retention`): 1-7 on Standard, 1-90 on Premium. Mutually
   * exclusive with `retentionHours`.
   * @default 1 (when retentionHours is not set)
   */
  readonly messageRetentionDays?: number;
  /**
   * Retention in hours with the `Delete` cleanup policy (`retention_description`). Mutually
   * exclusive with `messageRetentionDays`.
   * @default - messageRetentionDays is used
   */
  readonly retentionHours?: number;
}
