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
  /** Broker-level message id: the sender's delivery id when present, else the correlationId. */
  readonly messageId: string;
  /** Generated per request (UUID v4); also the CloudEvents id. */
  readonly correlationId: string;
  /** UTF-8 JSON `{clientId, opportunity, correlationId, receivedAt, ...other fields}`. */
  readonly body: Buffer;
  readonly cloudEvent: CloudEventAttributes;
}

/** What a broker adapter (Kafka, Service Bus) implements. */
export interface BrokerSender {
  /** Short name for logs and metrics: `kafka` | `servicebus`. */
  readonly name: string;
  /** Opens the connection; rejects if the broker cannot be reached. Called once at start. */
  connect(): Promise<void>;
  /**
   * Sends the messages and resolves only when the broker acknowledged every one of them;
   * rejects otherwise (nothing in a rejected batch may be assumed stored). The signal aborts
   * a send that has outlived the publish time-out.
   */
  sendBatch(messages: readonly OutboundMessage[], signal: AbortSignal): Promise<void>;
  /** True while the adapter believes it can publish (drives /readyz). */
  isConnected(): boolean;
  /** Flushes nothing new; closes the connection. */
  close(): Promise<void>;
}

/** What the HTTP layer depends on: one message in, resolved once acknowledged. */
export interface Publisher {
  /**
   * Resolves when the broker acknowledged `message`. Rejects with a {@link PublishError} when it
   * was not (broker down, time-out, in-flight bound reached, draining).
   */
  publish(message: OutboundMessage): Promise<void>;
  /** True when connected and not draining. */
  isReady(): boolean;
  /** Stops accepting, waits for in-flight publishes (bounded by the signal), closes the broker. */
  close(signal?: AbortSignal): Promise<void>;
}

export type PublishFailure = 'unavailable' | 'timeout' | 'overloaded' | 'draining';

/** A publish that did not reach the broker: the HTTP layer answers 503 with Retry-After. */
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
