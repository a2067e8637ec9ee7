/**
 * The seam between the HTTP layer and a broker. The HTTP layer builds an {@link OutboundMessage}
 * per accepted webhook and hands it to a {@link Publisher}; the publisher resolves only once the
 * broker has acknowledged it (Kafka acks=all, Service Bus settled send). A broker adapter only
 * implements {@link BrokerSender}: batching, bounds and time-outs are shared (see ./batcher.ts).
 */

/** CloudEvents 1.0 context attributes carried in binary mode beside the JSON body. */
export interface CloudEventAttributes {
  readonly specversion: '1.0';
  /** Unique per event: the correlationId. */
  readonly id: string;
  /** URI-reference of the producer, e.g. `/webhooks/standard-webhooks`. */
  readonly source: string;
  /** Reverse-DNS event type, e.g. `com.cdktf-azure-webhooks.webhook.received`. */
  readonly type: string;
  /** RFC 3339 time the webhook was received. */
  readonly time: string;
  /** The clientId, so consumers can route without parsing the body. */
  readonly subject: string;
  readonly datacontenttype: 'application/json';
}

/** One accepted webhook, ready for any broker. */
export interface OutboundMessage {
  /** Partition / session key: the clientId (per-client ordering on Kafka). */
  readonly key: string;
  /**
   * Broker-level message id: the sender's delivery id when present (a named source's prefixed
   * `<name>:`), else the correlationId.
   */
  readonly messageId: string;
  /** Generated per request (UUID v4); also the CloudEvents id, unless a named source's delivery id is. */
  readonly correlationId: string;
  /**
   * The sender's bytes exactly as received and verified (UTF-8 JSON `{clientId, opportunity, ...}`):
   * never re-serialised. The correlationId and the receive time travel beside it, as the CloudEvents
   * `id` and `time`.
   */
  readonly body: Buffer;
  readonly cloudEvent: CloudEventAttributes;
  /**
   * A named source's name (`POST /webhooks/<name>`); absent for `POST /webhook`. Its messages carry
   * `messageId` = CloudEvents `id` = `<name>:<deliveryId>` (else the correlationId), and on Kafka the
   * `webhook_delivery_id` and `correlation_id` headers (./message-size.ts).
   */
  readonly source?: string;
  /** A named source's delivery id as the sender sent it (its retries send the same). */
  readonly deliveryId?: string;
}

/** A batch the broker took except for messages it can never take. */
export interface BatchOutcome {
  /**
   * Messages larger than the broker's max message size: never sent, and no retry can send them.
   * Every other message of the batch was acknowledged.
   */
  readonly tooLarge: readonly OutboundMessage[];
}

/** What a broker adapter (Kafka, Service Bus) implements. */
export interface BrokerSender {
  /** Short name for logs and metrics: `kafka` | `servicebus`. */
  readonly name: string;
  /** Opens the connection; rejects if the broker cannot be reached. Called once at start. */
  connect(): Promise<void>;
  /**
   * Sends the messages and resolves only when the broker acknowledged every one of them, except
   * those it reports as too large (a message no broker could take must not fail its neighbours);
   * rejects otherwise (nothing in a rejected batch may be assumed stored). The signal aborts a
   * send that has outlived the publish time-out.
   */
  sendBatch(messages: readonly OutboundMessage[], signal: AbortSignal): Promise<void | BatchOutcome>;
  /**
   * The message's size as this broker counts it against its max message size: body, key and every
   * header or property the adapter adds (./message-size.ts). @default the larger of the Kafka and
   * Service Bus counts
   */
  messageBytes?(message: OutboundMessage): number;
  /** True while the adapter believes it can publish (drives /readyz). */
  isConnected(): boolean;
  /** Flushes nothing new; closes the connection. */
  close(): Promise<void>;
}

/** What the HTTP layer depends on: one message in, resolved once acknowledged. */
export interface Publisher {
  /**
   * Resolves when the broker acknowledged `message`. Rejects with a {@link PublishError} when it
   * was not (broker down, time-out, in-flight bound reached, draining, or too large for the broker).
   * `bytes` is the message's `messageBytes` when the caller already counted it (it is not counted
   * again on the hot path).
   */
  publish(message: OutboundMessage, bytes?: number): Promise<void>;
  /** The message's size as the broker counts it (the sender's count): compared to MAX_MESSAGE_BYTES. */
  messageBytes(message: OutboundMessage): number;
  /** True when connected and not draining. */
  isReady(): boolean;
  /** Stops accepting, waits for in-flight publishes (bounded by the signal), closes the broker. */
  close(signal?: AbortSignal): Promise<void>;
}

export type PublishFailure = 'unavailable' | 'timeout' | 'overloaded' | 'draining' | 'too-large';

/**
 * A publish that did not reach the broker: the HTTP layer answers 503 with Retry-After, or 413 for
 * `too-large` (the broker can never take that message; a retry cannot succeed).
 */
export class PublishError extends Error {
  constructor(
    readonly reason: PublishFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PublishError';
  }
}
