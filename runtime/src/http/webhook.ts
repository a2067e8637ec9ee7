/**
 * POST /webhook: content type → size-capped raw body → signature → JSON → schema → publish → 202.
 * 202 is sent only after the publisher resolved, i.e. after the broker acknowledged; every failure
 * answers a problem document, and a failed publish answers 503 + Retry-After (senders retry 5xx,
 * never 4xx), so a request that got a non-2xx was not published. A message bigger than the bus's
 * max message size (MAX_MESSAGE_BYTES) answers 413 before publishing.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import { PublishError, type OutboundMessage, type Publisher } from '../publish/types';
import type { Verifier } from '../verify';
import { readBodyCapped } from './body';
import { headerReader } from './headers';
import type { AppEnv } from './env';
import { messageBody, parsePayload } from './payload';
import { problem } from './problem';

export const CLOUDEVENT_TYPE = 'com.cdktf-azure-webhooks.webhook.received';

export interface WebhookHandlerOptions {
  maxBodyBytes: number;
  /** Largest message body the bus can ever take (MAX_MESSAGE_BYTES); bigger → 413, not published. */
  maxMessageBytes: number;
  verifier: Verifier;
  publisher: Publisher;
  /** Root logger: only to check the level before building a request's child logger. */
  logger: Logger;
  isDraining: () => boolean;
  now: () => number;
  /** Observer for metrics (./telemetry); `undefined` costs nothing. */
  onPublished?: (durationMs: number, ok: boolean) => void;
  /** Wraps the publish (tracing); `undefined` costs nothing. */
  tracePublish?: (message: OutboundMessage, publish: () => Promise<void>) => Promise<void>;
}

/** Seconds a sender should wait before retrying, by failure. */
const RETRY_AFTER: Record<PublishError['reason'], string> = {
  unavailable: '5',
  timeout: '5',
  overloaded: '1',
  draining: '1',
};

const JSON_TYPE = /^application\/json\s*(;|$)/i;

export function webhookHandler(options: WebhookHandlerOptions) {
  const { maxBodyBytes, maxMessageBytes, verifier, publisher, logger, isDraining, now } = options;
  const { onPublished, tracePublish } = options;
  const source = `/webhooks/${verifier.scheme}`;

  return async function webhook(c: Context<AppEnv>): Promise<Response> {
    const correlationId = randomUUID();
    const header = headerReader(c);
    c.set('correlationId', correlationId);
    c.get('logContext')['correlationId'] = correlationId;
    const log = c.get('log');
    const headers = { 'x-correlation-id': correlationId };
    const extras = { headers, correlationId };

    if (isDraining()) {
      throw problem(503, 'shutting down; retry against another instance', {
        ...extras,
        headers: { ...headers, 'retry-after': '1', connection: 'close' },
        reason: 'draining',
      });
    }
    if (!JSON_TYPE.test(header('content-type') ?? '')) {
      throw problem(415, 'Content-Type must be application/json', extras);
    }
    const rawBody = await readBodyCapped(c, header, maxBodyBytes, headers);
    const receivedMs = now();
    const verified = verifier.verify({ header, rawBody, now: receivedMs });
    if (!verified.ok) {
      log().info({ reason: verified.reason, scheme: verifier.scheme }, 'signature rejected');
      throw problem(401, `invalid or missing signature (${verifier.scheme})`, extras);
    }
    const parsed = parsePayload(rawBody);
    if (!parsed.ok) {
      throw problem(
        parsed.status,
        parsed.detail,
        parsed.errors ? { ...extras, errors: parsed.errors } : extras,
      );
    }
    const payload = parsed.payload;
    const receivedAt = new Date(receivedMs).toISOString();
    const message: OutboundMessage = {
      key: payload.clientId,
      messageId: verified.deliveryId ?? verifier.deliveryIdFromBody?.(payload) ?? correlationId,
      correlationId,
      body: messageBody(rawBody, payload, correlationId, receivedAt),
      cloudEvent: {
        specversion: '1.0',
        id: correlationId,
        source,
        type: CLOUDEVENT_TYPE,
        time: receivedAt,
        subject: payload.clientId,
        datacontenttype: 'application/json',
      },
    };
    // Checked here, per message, so one message no broker could ever take is answered 413 (a retry
    // cannot succeed) and never reaches a batch, where it would fail the other webhooks sent with it.
    if (message.body.length > maxMessageBytes) {
      log().info(
        { messageBytes: message.body.length, maxMessageBytes, messageId: message.messageId },
        'message larger than the bus accepts; answering 413',
      );
      throw problem(
        413,
        `the message (${message.body.length} bytes with the added correlationId and receivedAt) exceeds the bus's maximum message size of ${maxMessageBytes} bytes`,
        { ...extras, reason: 'message-too-large', maxMessageBytes },
      );
    }
    const started = performance.now();
    try {
      if (tracePublish === undefined) await publisher.publish(message);
      else await tracePublish(message, () => publisher.publish(message));
      onPublished?.(performance.now() - started, true);
    } catch (err) {
      onPublished?.(performance.now() - started, false);
      const reason = err instanceof PublishError ? err.reason : 'unavailable';
      log().warn({ err, reason, messageId: message.messageId }, 'publish failed; answering 503');
      throw problem(503, `the message broker did not accept the webhook (${reason}); retry later`, {
        ...extras,
        headers: { ...headers, 'retry-after': RETRY_AFTER[reason] },
        reason,
      });
    }
    if (logger.isLevelEnabled('debug')) {
      log().debug({ messageId: message.messageId, clientId: payload.clientId }, 'published');
    }
    return c.json({ status: 'accepted', correlationId }, 202, headers);
  };
}
