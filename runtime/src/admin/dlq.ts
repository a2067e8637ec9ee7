/**
 * `dlq list` and `dlq show`: read the dead-letter queue by peeking (no lock, nothing changes).
 */
import type { ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';

/** One dead letter as the CLI prints it (JSON). */
export interface DeadLetterView {
  readonly sequenceNumber: string;
  readonly messageId: string | undefined;
  readonly enqueuedTime: string | undefined;
  readonly deadLetterReason: string | undefined;
  readonly deadLetterErrorDescription: string | undefined;
  readonly deliveryCount: number | undefined;
  readonly contentType: string | undefined;
  readonly correlationId: string | undefined;
  readonly applicationProperties: Record<string, unknown>;
  readonly bodyBytes: number;
}

export interface DeadLetterDetail extends DeadLetterView {
  /** The body as UTF-8 text (webhook bodies are JSON). */
  readonly body: string;
}

const PAGE = 100;

function bodyBytes(message: ServiceBusReceivedMessage): Buffer {
  const body: unknown = message.body;
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  return Buffer.from(typeof body === 'string' ? body : (JSON.stringify(body) ?? ''));
}

export function view(message: ServiceBusReceivedMessage): DeadLetterView {
  return {
    sequenceNumber: String(message.sequenceNumber ?? ''),
    messageId: message.messageId === undefined ? undefined : String(message.messageId),
    enqueuedTime: message.enqueuedTimeUtc?.toISOString(),
    deadLetterReason: message.deadLetterReason,
    deadLetterErrorDescription: message.deadLetterErrorDescription,
    deliveryCount: message.deliveryCount,
    contentType: message.contentType,
    correlationId: message.correlationId === undefined ? undefined : String(message.correlationId),
    applicationProperties: { ...message.applicationProperties },
    bodyBytes: bodyBytes(message).length,
  };
}

/** Every dead letter (up to `max`), in sequence order, page by page. */
export async function* peekAll(
  receiver: ServiceBusReceiver,
  max = Infinity,
): AsyncGenerator<ServiceBusReceivedMessage> {
  let seen = 0;
  let from: ServiceBusReceivedMessage['sequenceNumber'];
  for (;;) {
    const page = await receiver.peekMessages(
      Math.min(PAGE, max - seen),
      from === undefined ? {} : { fromSequenceNumber: from.add(1) },
    );
    if (page.length === 0) return;
    for (const message of page) {
      yield message;
      seen += 1;
      from = message.sequenceNumber;
      if (seen >= max) return;
    }
  }
}

/** A dead letter by sequence number (all digits) or else by message id. */
export async function findDeadLetter(
  receiver: ServiceBusReceiver,
  id: string,
): Promise<DeadLetterDetail | undefined> {
  for await (const message of peekAll(receiver)) {
    if (String(message.sequenceNumber) === id || message.messageId === id) {
      return { ...view(message), body: bodyBytes(message).toString('utf8') };
    }
  }
  return undefined;
}

export { bodyBytes };
