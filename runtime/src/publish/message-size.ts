/**
 * How big a message is as each broker counts it: the body, the key, and every header or property
 * the adapter adds (the clientId travels three times: in the body, as the key or `subject`, and as
 * the CloudEvents `subject`). The webhook core answers 413 above MAX_MESSAGE_BYTES by this count,
 * so a message no broker would take never reaches a batch, where it would fail its neighbours.
 *
 * Pure arithmetic (no SDK import): the HTTP layer and the tests use it without loading a broker's
 * client. Both estimates are upper bounds, checked against the real clients: Kafka's against
 * kafka-clients' own `AbstractRecords.estimateSizeInBytesUpperBound` (kafka-partitioner.int.test.ts),
 * Service Bus's against the SDK's `ServiceBusMessageBatch.sizeInBytes` (servicebus.int.test.ts).
 */
import type { OutboundMessage } from './types';

/**
 * The CloudEvents 1.0 attributes, as Kafka headers (binary mode): `ce_<name>` + `content-type`; a
 * named source's message adds `correlation_id` and, when the sender gave one, `webhook_delivery_id`
 * (its `ce_id` is then `<source>:<delivery id>`, the same on a retry).
 */
export function kafkaHeaders(m: OutboundMessage): Record<string, string> {
  const ce = m.cloudEvent;
  const headers: Record<string, string> = {
    ce_specversion: ce.specversion,
    ce_id: ce.id,
    ce_source: ce.source,
    ce_type: ce.type,
    ce_time: ce.time,
    ce_subject: ce.subject,
    'content-type': ce.datacontenttype,
  };
  if (m.source !== undefined) {
    headers['correlation_id'] = m.correlationId;
    if (m.deliveryId !== undefined) headers['webhook_delivery_id'] = m.deliveryId;
  }
  return headers;
}

/** Bytes of a zig-zag varint (Kafka record format v2) holding the non-negative `n`. */
function varintBytes(n: number): number {
  let zigzag = n * 2;
  let bytes = 1;
  while (zigzag >= 0x80) {
    zigzag = Math.floor(zigzag / 0x80);
    bytes += 1;
  }
  return bytes;
}

/**
 * Kafka: a record batch (format v2) header, fixed, counted once per message because a message may
 * travel alone: baseOffset 8, batchLength 4, partitionLeaderEpoch 4, magic 1, crc 4, attributes 2,
 * lastOffsetDelta 4, firstTimestamp 8, maxTimestamp 8, producerId 8, producerEpoch 2,
 * baseSequence 4, record count 4 (kafka-clients `DefaultRecordBatch.RECORD_BATCH_OVERHEAD`).
 */
export const KAFKA_RECORD_BATCH_OVERHEAD_BYTES = 61;
/**
 * Kafka: a record's own framing at most: length varint 5, attributes 1, timestamp delta varlong 10,
 * offset delta varint 5 (kafka-clients `DefaultRecord.MAX_RECORD_OVERHEAD`). The key, value and
 * header lengths are varints counted exactly below.
 */
export const KAFKA_MAX_RECORD_OVERHEAD_BYTES = 21;

/**
 * The record as the Java producer counts it against `max.request.size` for a record sent alone:
 * exactly `AbstractRecords.estimateSizeInBytesUpperBound(magic 2, key, value, headers)`, i.e. the
 * batch header + record framing + key + value + every header's name and value with their varints.
 * Uncompressed: the broker's `max.message.bytes` counts the compressed batch, never more than this
 * for the text a webhook carries.
 */
export function kafkaRecordBytes(m: OutboundMessage): number {
  const key = Buffer.byteLength(m.key, 'utf8');
  let bytes = KAFKA_RECORD_BATCH_OVERHEAD_BYTES + KAFKA_MAX_RECORD_OVERHEAD_BYTES;
  bytes += varintBytes(key) + key + varintBytes(m.body.length) + m.body.length;
  const headers = kafkaHeaders(m);
  const names = Object.keys(headers);
  bytes += varintBytes(names.length);
  for (const name of names) {
    const n = Buffer.byteLength(name, 'utf8');
    const v = Buffer.byteLength(headers[name] as string, 'utf8');
    bytes += varintBytes(n) + n + varintBytes(v) + v;
  }
  return bytes;
}

/** AMQP 1.0: a string or binary as str8/vbin8 (2-byte header) up to 255 bytes, else str32/vbin32 (5). */
function amqpVariable(bytes: number): number {
  return bytes + (bytes <= 255 ? 2 : 5);
}

/**
 * Service Bus (AMQP 1.0): what does not depend on the message's strings. A described section's
 * descriptor is 3 bytes and a list/map header at most 9; the properties list holds 7 fields up to
 * content-type (absent ones 1 byte each); the empty message-annotations map is 6; the data
 * section's descriptor 3; the SDK's batch adds at most 8 per message; 64 for the batch envelope's
 * own framing. Then 160 for the `Diagnostic-Id` application property (a 55-character W3C
 * traceparent) the SDK adds, to the message and so to the envelope, when a trace is recorded.
 * servicebus.int.test.ts measures the whole: 175 bytes over the SDK's count, 31 with a trace.
 */
export const SERVICEBUS_FIXED_OVERHEAD_BYTES = 3 + 9 + 7 + (3 + 9) + 6 + 3 + 8 + 64 + 160;

/**
 * The message as the @azure/service-bus SDK counts it against the link's max message size when it
 * travels alone (first in its batch): the encoded message plus the batch envelope, which copies the
 * first message's properties and application properties. So every property counts twice:
 * `messageId`, `correlationId`, `subject`, `contentType` and the six `cloudEvents_*` application
 * properties (`cloudEvents_time` as an AMQP timestamp, 9 bytes), each as str8/str32 with its name.
 */
export function serviceBusMessageBytes(m: OutboundMessage): number {
  const ce = m.cloudEvent;
  const str = (s: string) => amqpVariable(Buffer.byteLength(s, 'utf8'));
  // A delivery id over 128 characters is sent as its 64-character hash: counting it whole is an upper bound.
  const properties = str(m.messageId) + str(m.correlationId) + str('webhook') + str(ce.datacontenttype);
  const applicationProperties =
    str('cloudEvents_specversion') +
    str(ce.specversion) +
    str('cloudEvents_id') +
    str(ce.id) +
    str('cloudEvents_source') +
    str(ce.source) +
    str('cloudEvents_type') +
    str(ce.type) +
    str('cloudEvents_time') +
    9 +
    str('cloudEvents_subject') +
    str(ce.subject);
  return (
    amqpVariable(m.body.length) + 2 * (properties + applicationProperties) + SERVICEBUS_FIXED_OVERHEAD_BYTES
  );
}

/** For a sender that does not say how its broker counts: the larger of the two estimates. */
export function estimatedMessageBytes(m: OutboundMessage): number {
  return Math.max(kafkaRecordBytes(m), serviceBusMessageBytes(m));
}
