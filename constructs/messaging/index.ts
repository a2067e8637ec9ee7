/**
 * Public surface of the messaging area: `MessageBus` (Service Bus or Event Hubs Kafka), its base
 * shared with imported buses, and its options. The per-service resource builders and their
 * validation rules stay internal.
 */
export {
  KAFKA_PORT,
  MessageBusBase,
  type BusAlertOptions,
  type IMessageBus,
  type MessageBusKind,
  type ServiceBusEntityType,
} from './message-bus-base';
export type { CustomerManagedKeyOptions, KafkaOptions, ServiceBusOptions } from './options';
export {
  MessageBus,
  type MessageBusAttributes,
  type MessageBusProps,
  type SubscriptionProps,
} from './message-bus';
// The runtime's environment contract: `IMessageBus.runtimeEnvironment()` returns one.
export {
  RUNTIME_ENV_NAMES,
  SDK_ENV_NAMES,
  type RuntimeEnvironment,
  type RuntimeEnvName,
  type SdkEnvName,
} from '../../runtime/src/contract';
