/**
 * POST /webhook: content type → size-capped raw body → signature → JSON → schema → publish → 202.
 * 202 is sent only after the publisher resolved, i.e. after the broker acknowledged; every failure
 * answers a problem document, and a failed publish answers 503 + Retry-After (senders retry 5xx,
 * never 4xx), so a request that got a non-2xx was not published. A message bigger than the bus's
 * max message size (MAX_MESSAGE_BYTES), counted as the broker counts it (body, key and every
 * header or property: `publisher.messageBytes`), answers 413 before publishing; so does one the
 * broker itself reports too large (`too-large`), alone, never its batch neighbours.
 *
 * The message body is the sender's bytes exactly as verified (never re-serialised); the
 * correlationId and the receive time travel as the CloudEvents `id` and `time` beside it.
 *
 * One core per source (../sources): `POST /webhook` is the default source, `POST /webhooks/<name>`
 * a named one, whose message id and CloudEvents id are `<name>:<delivery id>` when the sender gave
 * one (so a provider's retry is the same message to the broker's duplicate detection), whose body
 * may be any JSON passed through, and which answers a GitHub `ping` 200 without publishing.
 *
 * The core (`webhookCore`) knows no framework: it takes a header reader, a capped body reader and
 * the request's log context, resolves with the correlationId once published, and throws a problem
 * otherwise. Two adapters serve it: the Hono route (`webhookHandler`, used by `app.request`, Azure
 * Functions and every other route's app) and the Node listener (./node-listener.ts, production).
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import { PublishError, type OutboundMessage, type Publisher } from '../publish/types';
import type { Source } from '../sources';
import { contextBodyReader, type BodyReader } from './body';
import { headerReader, type HeaderReader } from './headers';
import type { AppEnv } from './env';
import { problem } from './problem';

export const CLOUDEVENT_TYPE = 'com.cdktf-azure-webhooks.webhook.received';

export interface WebhookHandlerOptions {
  maxBodyBytes: number;
  /**
   * Largest message the bus can ever take (MAX_MESSAGE_BYTES), as `publisher.messageBytes` counts
   * it: body, key and headers/properties; bigger → 413, not published.
   */
  maxMessageBytes: number;
  /** The route's source: its verifier, body rule, key and delivery id (../sources). */
  source: Source;
  publisher: Publisher;
  /** Root logger: only to check the level before building a request's child logger. */
  logger: Logger;
  isDraining: () => boolean;
  now: () => number;
  /** Observer for metrics (./telemetry); `undefined` costs nothing. */
  onPublished?: (durationMs: number, ok: boolean, source: string) => void;
  /** Wraps the publish (tracing); `undefined` costs nothing. */
  tracePublish?: (message: OutboundMessage, publish: () => Promise<void>) => Promise<void>;
}

/** One request, as the core sees it. */
export interface WebhookInput {
  header: HeaderReader;
  readBody: BodyReader;
  /** Fields bound to every line about the request; the core adds the correlationId. */
  logContext: Record<string, string>;
  /** The request's logger (built on first use). */
  log: () => Logger;
}

/**
 * The request's correlationId, and whether it was published (202) or was a GitHub ping answered
 * without publishing (200 `pong`).
 */
export interface WebhookOutcome {
  readonly correlationId: string;
  readonly published: boolean;
}

/** Resolves once the broker acknowledged (or a ping was verified); throws a problem otherwise. */
export type WebhookCore = (input: WebhookInput) => Promise<WebhookOutcome>;

/** The 202 body and headers, shared by both adapters. */
export const acceptedBody = (correlationId: string) => JSON.stringify({ status: 'accepted', correlationId });
/** A verified GitHub ping: 200 with this body, nothing published. */
export const PONG_BODY = JSON.stringify({ status: 'pong' });
/** The response status and body of an outcome. */
export const outcomeResponse = (o: WebhookOutcome): { status: 200 | 202; body: string } =>
  o.published ? { status: 202, body: acceptedBody(o.correlationId) } : { status: 200, body: PONG_BODY };
export const acceptedHeaders = (correlationId: string) => ({
  'content-type': 'application/json',
  'x-correlation-id': correlationId,
});

/** Seconds a sender should wait before retrying, by retryable failure. */
const RETRY_AFTER: Record<Exclude<PublishError['reason'], 'too-large'>, string> = {
  unavailable: '5',
  timeout: '5',
  overloaded: '1',
  draining: '1',
};

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** `new Date(ms).toISOString()`, remembered for the last millisecond (a µs each; many per ms at load). */
let lastMs = Number.NaN;
let lastIso = '';
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}

/** The Hono route: the core over the request context, and the 202 as a plain-header Response. */
export function webhookHandler(options: WebhookHandlerOptions) {
  const accept = webhookCore(options);
  return async function webhook(c: Context<AppEnv>): Promise<Response> {
    const header = headerReader(c);
    const outcome = await accept({
      header,
      readBody: contextBodyReader(c, header),
      logContext: c.get('logContext'),
      log: c.get('log'),
    });
    // A string body and a plain header object: @hono/node-server writes it straight to the socket
    // (no WHATWG Headers, no stream); c.json with two headers would build both.
    const { status, body } = outcomeResponse(outcome);
    return new Response(body, { status, headers: acceptedHeaders(outcome.correlationId) });
  };
}

export function webhookCore(options: WebhookHandlerOptions): WebhookCore {
  const { maxBodyBytes, maxMessageBytes, source, publisher, logger, isDraining, now } = options;
  const { onPublished, tracePublish } = options;
  const { verifier, name, named, ceSource, answersPing } = source;

  return async function webhook({
    header,
    readBody,
    logContext,
    log,
  }: WebhookInput): Promise<WebhookOutcome> {
    const correlationId = randomUUID();
    logContext['source'] = name;
    logContext['correlationId'] = correlationId;
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
    const rawBody = await readBody(maxBodyBytes, headers);
    const receivedMs = now();
    const verified = verifier.verify({ header, rawBody, now: receivedMs });
    if (!verified.ok) {
      log().info({ reason: verified.reason, scheme: verifier.scheme }, 'signature rejected');
      throw problem(401, `invalid or missing signature (${verifier.scheme})`, extras);
    }
    // GitHub's ping when a hook is created: proven authentic, but not an event to deliver.
    if (answersPing && header('x-github-event') === 'ping') {
      log().info({ deliveryId: header('x-github-delivery') }, 'github ping answered; not published');
      return { correlationId, published: false };
    }
    const read = source.read(rawBody, header, verified);
    if (!read.ok) {
      throw problem(read.status, read.detail, read.errors ? { ...extras, errors: read.errors } : extras);
    }
    const { key, deliveryId } = read;
    const receivedAt = isoTime(receivedMs);
    // A named source's id is `<name>:<delivery id>`: unique across sources, the same for a retry.
    const eventId = named && deliveryId !== undefined ? `${name}:${deliveryId}` : undefined;
    const cloudEvent = {
      specversion: '1.0',
      id: eventId ?? correlationId,
      source: ceSource,
      type: CLOUDEVENT_TYPE,
      time: receivedAt,
      subject: key,
      datacontenttype: 'application/json',
    } as const;
    // One object shape per route (no spread): the hot path stays monomorphic.
    const message: OutboundMessage = named
      ? {
          key,
          messageId: eventId ?? correlationId,
          correlationId,
          body: rawBody,
          cloudEvent,
          source: name,
          deliveryId,
        }
      : { key, messageId: deliveryId ?? correlationId, correlationId, body: rawBody, cloudEvent };
    // Checked here, per message, so one message no broker could ever take is answered 413 (a retry
    // cannot succeed) and never reaches a batch, where it would fail the other webhooks sent with it.
    const messageBytes = publisher.messageBytes(message);
    if (messageBytes > maxMessageBytes) {
      log().info(
        { messageBytes, maxMessageBytes, messageId: message.messageId },
        'message larger than the bus accepts; answering 413',
      );
      throw problem(
        413,
        `the message (${messageBytes} bytes as the bus counts it: body, key and headers) exceeds the bus's maximum message size of ${maxMessageBytes} bytes`,
        { ...extras, reason: 'message-too-large', maxMessageBytes },
      );
    }
    const started = performance.now();
    try {
      if (tracePublish === undefined) await publisher.publish(message, messageBytes);
      else await tracePublish(message, () => publisher.publish(message, messageBytes));
      onPublished?.(performance.now() - started, true, name);
    } catch (err) {
      onPublished?.(performance.now() - started, false, name);
      const reason = err instanceof PublishError ? err.reason : 'unavailable';
      if (reason === 'too-large') {
        // The broker's own limit is below MAX_MESSAGE_BYTES (set it to the entity's max message size).
        log().warn(
          { err, messageBytes, maxMessageBytes, messageId: message.messageId },
          'broker refused the message as too large; answering 413',
        );
        throw problem(
          413,
          `the message (${messageBytes} bytes as the bus counts it: body, key and headers) exceeds the broker's maximum message size`,
          { ...extras, reason: 'message-too-large', maxMessageBytes },
        );
      }
      log().warn({ err, reason, messageId: message.messageId }, 'publish failed; answering 503');
      throw problem(503, `the message broker did not accept the webhook (${reason}); retry later`, {
        ...extras,
        headers: { ...headers, 'retry-after': RETRY_AFTER[reason] },
        reason,
      });
    }
    if (logger.isLevelEnabled('debug')) {
      log().debug({ messageId: message.messageId, key }, 'published');
    }
    return { correlationId, published: true };
  };
}
