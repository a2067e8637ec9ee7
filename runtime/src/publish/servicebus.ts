/**
 * Service Bus adapter: a {@link BrokerSender} on the official `@azure/service-bus` SDK.
 *
 * - Auth: a fully qualified namespace uses `DefaultAzureCredential` (managed identity in Azure, no
 *   secret); a connection string is for local runs and tests.
 * - One `sendBatch` = as few AMQP transfers as the link's max message size allows: messages are
 *   packed with `createMessageBatch`/`tryAddMessage` and a full batch starts the next one. A message
 *   that does not fit even an empty batch (over the link's max message size) is not sent and is
 *   reported as too large alone: it never fails the other webhooks of its batch. `messageBytes`
 *   counts a message as the SDK does (./message-size.ts), for the webhook core's 413 guard.
 * - Each message: `messageId` = the sender's delivery id (a named source's `<source>:<id>`; else
 *   the correlationId) so queue duplicate detection absorbs sender retries; `correlationId`; `subject` `webhook`; `contentType`
 *   `application/json`; the JSON bytes as one data section; CloudEvents 1.0 attributes as
 *   application properties with the AMQP binding's `cloudEvents_` prefix (`datacontenttype` is the
 *   AMQP content-type, per that binding). No partitionKey: on a partitioned entity every message of
 *   a batch must share one, and a batch mixes clients.
 * - Availability: `connect()` opens the sender link and rejects within `timeoutMs` when the
 *   namespace is unreachable; from then on (and after any failed send or detached link)
 *   `isConnected()` is false and a background re-open runs with capped back-off until it succeeds
 *   or `close()` is called, so the process can start while Service Bus is down, answer 503, and
 *   recover without a restart.
 */
import { createHash } from 'node:crypto';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import {
  RetryMode,
  ServiceBusClient,
  type ServiceBusClientOptions,
  type ServiceBusMessage,
  type ServiceBusMessageBatch,
  type ServiceBusSender,
} from '@azure/service-bus';
import type { Logger } from 'pino';
import { serviceBusMessageBytes } from './message-size';
import type { BatchOutcome, BrokerSender, OutboundMessage } from './types';

export interface ServiceBusSenderOptions {
  readonly connection:
    | { readonly kind: 'connectionString'; readonly connectionString: string }
    | { readonly kind: 'namespace'; readonly fullyQualifiedNamespace: string };
  /** Queue or topic name. */
  readonly entityName: string;
  /**
   * Bound on one SDK attempt (link open or send) and on `connect()`; the batcher's abort signal
   * bounds the whole publish anyway. @default 4000 (the runtime's default PUBLISH_TIMEOUT_MS)
   */
  readonly timeoutMs?: number;
}

/** The `subject` of every message: consumers filter on it without parsing the body. */
export const SERVICEBUS_SUBJECT = 'webhook';
/** Service Bus rejects a messageId longer than this (SDK `Constants.maxMessageIdLength`). */
export const MAX_MESSAGE_ID_LENGTH = 128;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5000;

/** The SDK client options: few, short retries; the publish time-out is the real bound. */
export function serviceBusClientOptions(timeoutMs: number): ServiceBusClientOptions {
  return {
    retryOptions: {
      mode: RetryMode.Exponential,
      maxRetries: 2,
      retryDelayInMs: 100,
      maxRetryDelayInMs: 1000,
      timeoutInMs: timeoutMs,
    },
  };
}

/** `sb://ns.servicebus.windows.net/` and `ns.servicebus.windows.net` name the same namespace. */
export function normalizeNamespace(value: string): string {
  return value.replace(/^sb:\/\//i, '').replace(/\/+$/, '');
}

/**
 * A DefaultAzureCredential whose SDK is imported on the first token request, so a process using a
 * connection string (and the servicebus.js bundle's start) never loads @azure/identity.
 */
export function lazyDefaultAzureCredential(): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      credential ??= import('@azure/identity').then((m) => new m.DefaultAzureCredential());
      return (await credential).getToken(scopes, options);
    },
  };
}

/** Builds the SDK client; the namespace form authenticates with DefaultAzureCredential. */
export function createServiceBusClient(options: ServiceBusSenderOptions): ServiceBusClient {
  const clientOptions = serviceBusClientOptions(options.timeoutMs ?? 4000);
  const connection = options.connection;
  if (connection.kind === 'connectionString') {
    return new ServiceBusClient(connection.connectionString, clientOptions);
  }
  return new ServiceBusClient(
    normalizeNamespace(connection.fullyQualifiedNamespace),
    lazyDefaultAzureCredential(),
    clientOptions,
  );
}

/**
 * A delivery id over 128 characters would make the SDK refuse the message; its SHA-256 (hex, 64
 * characters) is just as stable across retries, so duplicate detection still works.
 */
export function serviceBusMessageId(id: string): string {
  return id.length <= MAX_MESSAGE_ID_LENGTH ? id : createHash('sha256').update(id).digest('hex');
}

/**
 * The message's Service Bus `messageId`: a named source's `<source>:<delivery id>`, or when that is
 * over 128 characters `<source>:<SHA-256 of the delivery id, hex>` (at most 97); otherwise
 * {@link serviceBusMessageId} of the message id.
 */
export function messageIdOf(message: OutboundMessage): string {
  const { source, deliveryId, messageId } = message;
  if (source === undefined || deliveryId === undefined || messageId.length <= MAX_MESSAGE_ID_LENGTH) {
    return serviceBusMessageId(messageId);
  }
  return `${source}:${createHash('sha256').update(deliveryId).digest('hex')}`;
}

/** CloudEvents AMQP binding: timestamps travel as AMQP timestamps, everything else as strings. */
function ceTime(time: string): Date | string {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : new Date(ms);
}

export function toServiceBusMessage(message: OutboundMessage): ServiceBusMessage {
  const ce = message.cloudEvent;
  return {
    body: message.body,
    messageId: messageIdOf(message),
    correlationId: message.correlationId,
    subject: SERVICEBUS_SUBJECT,
    contentType: ce.datacontenttype,
    applicationProperties: {
      cloudEvents_specversion: ce.specversion,
      cloudEvents_id: ce.id,
      cloudEvents_source: ce.source,
      cloudEvents_type: ce.type,
      cloudEvents_time: ceTime(ce.time),
      cloudEvents_subject: ce.subject,
    },
  };
}

/**
 * Packs messages into as few SDK batches as the link's max message size allows. A message that does
 * not fit even an empty batch is set aside (returned in `tooLarge`), never sent, and fails no other.
 */
async function packBatches(
  sender: ServiceBusSender,
  messages: readonly OutboundMessage[],
  signal: AbortSignal,
): Promise<{ batches: ServiceBusMessageBatch[]; tooLarge: OutboundMessage[] }> {
  const batches: ServiceBusMessageBatch[] = [];
  const tooLarge: OutboundMessage[] = [];
  let batch = await sender.createMessageBatch({ abortSignal: signal });
  for (const message of messages) {
    const sbMessage = toServiceBusMessage(message);
    if (batch.tryAddMessage(sbMessage)) continue;
    if (batch.count > 0) {
      batches.push(batch);
      batch = await sender.createMessageBatch({ abortSignal: signal });
      if (batch.tryAddMessage(sbMessage)) continue;
    }
    tooLarge.push(message); // too large for an empty batch: for the link itself
  }
  if (batch.count > 0) batches.push(batch);
  return { batches, tooLarge };
}

/**
 * Whether the SDK's AMQP sender link is attached. The SDK detaches it when the connection drops but
 * exposes no public signal for that; this reads its internal `_sender.isOpen()` (pinned SDK
 * version, checked by servicebus.int.test.ts "a dropped connection turns isConnected() false"). If the
 * shape ever changes it answers `undefined` and only failed sends mark the adapter down.
 */
function linkIsOpen(sender: ServiceBusSender): boolean | undefined {
  const internal = (sender as unknown as { _sender?: { isOpen?: () => boolean } })._sender;
  return typeof internal?.isOpen === 'function' ? internal.isOpen() : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function createServiceBusSender(options: ServiceBusSenderOptions, logger: Logger): BrokerSender {
  const timeoutMs = options.timeoutMs ?? 4000;
  const log = logger.child({ broker: 'servicebus', entity: options.entityName });
  const client = createServiceBusClient(options);
  const sender = client.createSender(options.entityName);
  let connected = false;
  let closed = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reconnectDelay = RECONNECT_MIN_MS;

  const markUp = (): void => {
    reconnectDelay = RECONNECT_MIN_MS;
    if (connected) return;
    connected = true;
    log.info('service bus sender link open');
  };

  const markDown = (reason: string): void => {
    if (connected) log.warn({ reason }, 'service bus unavailable; reopening in the background');
    connected = false;
    scheduleReopen();
  };

  /** Opening the link is what createMessageBatch does first (it asks the link's max size). */
  const openLink = async (signal: AbortSignal): Promise<void> => {
    await sender.createMessageBatch({ abortSignal: signal });
  };

  function scheduleReopen(): void {
    if (closed || reconnectTimer !== undefined) return;
    reconnectTimer = setTimeout(() => {
      void (async () => {
        try {
          await openLink(AbortSignal.timeout(timeoutMs));
          reconnectTimer = undefined;
          if (!closed) markUp();
        } catch (error) {
          reconnectTimer = undefined;
          reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS);
          log.debug({ err: errorMessage(error), retryInMs: reconnectDelay }, 'service bus reopen failed');
          scheduleReopen();
        }
      })();
    }, reconnectDelay);
    reconnectTimer.unref();
  }

  return {
    name: 'servicebus',

    async connect(): Promise<void> {
      try {
        await openLink(AbortSignal.timeout(timeoutMs));
        markUp();
      } catch (error) {
        markDown(errorMessage(error));
        throw error;
      }
    },

    async sendBatch(messages: readonly OutboundMessage[], signal: AbortSignal): Promise<void | BatchOutcome> {
      if (closed) throw new Error('service bus sender is closed');
      if (messages.length === 0) return;
      try {
        const { batches, tooLarge } = await packBatches(sender, messages, signal);
        // In order, one at a time: a failure stops the rest, and the caller answers 503 for all of
        // them; any part already stored is de-duplicated on the sender's retry by messageId.
        for (const batch of batches) await sender.sendMessages(batch, { abortSignal: signal });
        markUp();
        if (tooLarge.length === 0) return;
        // Not a broker failure: the webhook core's size guard normally answers these 413 first.
        log.warn(
          { messageIds: tooLarge.map((m) => m.messageId) },
          'messages larger than the link max message size were not sent',
        );
        return { tooLarge };
      } catch (error) {
        markDown(errorMessage(error));
        throw error;
      }
    },

    messageBytes: serviceBusMessageBytes,

    isConnected(): boolean {
      if (connected && linkIsOpen(sender) === false) markDown('sender link detached');
      return connected;
    },

    async close(): Promise<void> {
      closed = true;
      connected = false;
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      await sender.close();
      await client.close();
    },
  };
}
