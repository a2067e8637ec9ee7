/**
 * The Service Bus side of the admin CLI: the client (namespace → DefaultAzureCredential, never a
 * secret; a connection string only for local tests), the dead-letter receiver and the sender back
 * to the entity the dead letters came from.
 */
import { ServiceBusClient, type ServiceBusReceiver, type ServiceBusSender } from '@azure/service-bus';
import { lazyDefaultAzureCredential, normalizeNamespace } from '../publish/servicebus';
import type { ServiceBusTarget } from './args';

export interface DeadLetterSession {
  readonly client: ServiceBusClient;
  /** The entity's `$DeadLetterQueue`, peekLock, bodies as raw bytes (never re-serialised). */
  readonly receiver: ServiceBusReceiver;
  /** The queue, or the topic of the subscription (every subscription of the topic gets a re-send). */
  readonly sender: ServiceBusSender;
  /** `namespace/queue` or `namespace/topic/Subscriptions/sub`, for messages. */
  readonly where: string;
  close(): Promise<void>;
}

export function openDeadLetters(target: ServiceBusTarget): DeadLetterSession {
  const retryOptions = { maxRetries: 2, retryDelayInMs: 500, timeoutInMs: 15_000 };
  const connection = target.connection;
  const client =
    connection.kind === 'connectionString'
      ? new ServiceBusClient(connection.connectionString, { retryOptions })
      : new ServiceBusClient(
          normalizeNamespace(connection.fullyQualifiedNamespace),
          lazyDefaultAzureCredential(),
          {
            retryOptions,
          },
        );
  const options = {
    subQueueType: 'deadLetter',
    receiveMode: 'peekLock',
    skipParsingBodyAsJson: true,
  } as const;
  const entity = target.entity;
  const receiver =
    entity.kind === 'queue'
      ? client.createReceiver(entity.queue, options)
      : client.createReceiver(entity.topic, entity.subscription, options);
  const sender = client.createSender(entity.kind === 'queue' ? entity.queue : entity.topic);
  const path =
    entity.kind === 'queue' ? entity.queue : `${entity.topic}/Subscriptions/${entity.subscription}`;
  return {
    client,
    receiver,
    sender,
    where: `${client.fullyQualifiedNamespace}/${path}`,
    close: () => client.close(),
  };
}
