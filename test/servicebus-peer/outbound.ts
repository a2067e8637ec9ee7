/**
 * A stored message as the peer hands it to a receiver (transfer) or a peek (encoded bytes): the
 * fields the sender set, plus the broker annotations the SDK reads into a `ServiceBusReceivedMessage`
 * (`x-opt-sequence-number`, `x-opt-enqueued-time`, `x-opt-locked-until`) and the AMQP header's
 * delivery count.
 */
import { message as amqpMessage, types, type Message } from 'rhea';
import type { StoredMessage } from './store';

export function toAmqpMessage(stored: StoredMessage): Message {
  const record = stored.record;
  const annotations: Record<string, unknown> = {
    ...record.messageAnnotations,
    'x-opt-sequence-number': types.wrap_long(stored.sequenceNumber),
    'x-opt-enqueued-time': stored.enqueuedTime,
  };
  if (stored.lockedUntil !== undefined) annotations['x-opt-locked-until'] = stored.lockedUntil;
  const message: Message = {
    body: amqpMessage.data_section(record.body),
    application_properties: { ...record.applicationProperties },
    message_annotations: annotations,
    delivery_count: stored.deliveryCount,
  };
  if (record.messageId !== undefined) message.message_id = record.messageId as Message['message_id'];
  if (record.correlationId !== undefined)
    message.correlation_id = record.correlationId as Message['correlation_id'];
  if (record.subject !== undefined) message.subject = String(record.subject);
  if (record.contentType !== undefined) message.content_type = String(record.contentType);
  return message;
}

/** The bytes of one message in a peek response (`{ messages: [{ message: <bytes> }] }`). */
export function encodeForPeek(stored: StoredMessage): Buffer {
  return amqpMessage.encode(toAmqpMessage(stored));
}
