/**
 * Turns what arrives on a test-peer receiver link into plain records. The Service Bus SDK sends a
 * batch as ONE AMQP message of message-format 0x80013700 whose body is a list of data sections,
 * each one a complete encoded AMQP message (the Azure "batched message" format); a single message
 * uses format 0.
 */
import { message as amqpMessage, type Message } from 'rhea';

/** What `message.decode` returns (typed more loosely than a received Message). */
type DecodedMessage = ReturnType<typeof amqpMessage.decode>;

/** The Azure Service Bus batch message-format code (vendor 0x80013700). */
export const BATCH_MESSAGE_FORMAT = 0x80013700;

/** One message as the peer stored it, decoded from AMQP. */
export interface ReceivedMessage {
  /** The queue or topic address of the link it arrived on. */
  readonly entity: string;
  /** Index of the transfer (delivery) it arrived in; equal indexes = same batch. */
  readonly transfer: number;
  /** The data-section bytes, exactly as sent. */
  readonly body: Buffer;
  readonly messageId: unknown;
  readonly correlationId: unknown;
  readonly subject: unknown;
  readonly contentType: unknown;
  readonly applicationProperties: Readonly<Record<string, unknown>>;
  readonly messageAnnotations: Readonly<Record<string, unknown>>;
}

interface Section {
  readonly typecode: number;
  readonly content: unknown;
  readonly multiple?: boolean;
}

function isSection(value: unknown): value is Section {
  return typeof value === 'object' && value !== null && 'typecode' in value && 'content' in value;
}

/** The data sections of a message body, in order (0x75 = amqp:data:binary). */
export function dataSections(body: unknown): Buffer[] {
  if (!isSection(body) || body.typecode !== 0x75) {
    throw new Error(`expected a data-section body, got ${JSON.stringify(body)}`);
  }
  const parts = body.multiple === true ? (body.content as unknown[]) : [body.content];
  return parts.map((part) => {
    if (!Buffer.isBuffer(part)) throw new Error('data section is not binary');
    return part;
  });
}

function toRecord(message: Message | DecodedMessage, entity: string, transfer: number): ReceivedMessage {
  const sections = dataSections(message.body);
  const body: Buffer = sections.length === 1 ? (sections[0] as Buffer) : Buffer.concat(sections);
  return {
    entity,
    transfer,
    body,
    messageId: message.message_id,
    correlationId: message.correlation_id,
    subject: message.subject,
    contentType: message.content_type,
    applicationProperties: { ...(message.application_properties as Record<string, unknown> | undefined) },
    messageAnnotations: { ...(message.message_annotations as Record<string, unknown> | undefined) },
  };
}

/**
 * Decodes one delivery: `payload` is rhea's decoded message (format 0) or the raw bytes (any other
 * format, which rhea leaves undecoded).
 */
export function decodeDelivery(
  payload: Message | Buffer,
  format: number,
  entity: string,
  transfer: number,
): ReceivedMessage[] {
  if (format === 0) return [toRecord(payload as Message, entity, transfer)];
  if (format !== BATCH_MESSAGE_FORMAT || !Buffer.isBuffer(payload)) {
    throw new Error(`unsupported message format 0x${format.toString(16)}`);
  }
  const envelope = amqpMessage.decode(payload);
  return dataSections(envelope.body).map((encoded) =>
    toRecord(amqpMessage.decode(encoded), entity, transfer),
  );
}
