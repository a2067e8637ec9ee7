/**
 * The shared publisher: coalesces concurrent publishes into `sender.sendBatch` calls and resolves
 * each publish only when its own batch was acknowledged by the broker.
 *
 * - Linger: the first message of an empty buffer starts a `lingerMs` timer; the buffer is flushed
 *   when the timer fires, or at once when `maxBatchMessages` or `maxBatchBytes` would be exceeded
 *   (a message counts as its broker counts it, `sender.messageBytes`: body, key and headers or
 *   properties; a single message larger than `maxBatchBytes` travels alone; the broker decides).
 * - Adaptive: while `maxConcurrentBatches` sends are already waiting for the broker, the timer does
 *   not flush; the buffer keeps filling and goes out the moment a send returns. So under load a
 *   batch holds what arrived during one broker round trip: one sendBatch call, one deadline timer
 *   and one abort controller per round trip instead of one per linger. (The Kafka session also
 *   merges batches queued behind its single produce request; Service Bus sends concurrently, and
 *   this bounds how many.)
 * - Bound: at most `maxInFlight` messages are held (buffered or being sent, until the sender
 *   returns); beyond that a publish rejects at once with `overloaded`, never queues.
 * - Time-out: a batch's deadline is its oldest message's publish time + `timeoutMs`; at the deadline
 *   every message in it rejects with `timeout` and the sender's signal is aborted.
 * - Too large: a message the sender reports it can never send (bigger than the broker's max message
 *   size) rejects alone with `too-large`; the rest of its batch resolves as acknowledged.
 * - Unavailable: a failed send rejects its messages with `unavailable`. While the sender reports
 *   itself disconnected, one batch at a time is still let through as a probe (so a sender that
 *   reconnects lazily can recover) and other publishes reject at once instead of waiting.
 * - Draining: after `close()` began, publishes reject with `draining`; buffered and in-flight
 *   batches finish (bounded by the close signal), then the sender is closed.
 */
import type { Logger } from 'pino';
import { estimatedMessageBytes } from './message-size';
import { PublishError, type BrokerSender, type OutboundMessage, type Publisher } from './types';

export interface PublisherOptions {
  lingerMs: number;
  /** Sends waiting for the broker at once before the buffer waits for one to return. */
  maxConcurrentBatches: number;
  maxBatchMessages: number;
  maxBatchBytes: number;
  maxInFlight: number;
  timeoutMs: number;
}

/** Optional observers for metrics (./telemetry); called off the request's critical path. */
export interface PublisherHooks {
  onBatch?(info: { size: number; bytes: number; durationMs: number; ok: boolean }): void;
  onInFlight?(inFlight: number): void;
}

interface Entry {
  readonly message: OutboundMessage;
  readonly enqueuedAt: number;
  settled: boolean;
  resolve(): void;
  reject(error: PublishError): void;
}

export function createPublisher(
  sender: BrokerSender,
  options: PublisherOptions,
  logger: Logger,
  hooks: PublisherHooks = {},
): Publisher {
  validate(options);
  const { lingerMs, maxConcurrentBatches, maxBatchMessages, maxBatchBytes, maxInFlight, timeoutMs } = options;
  /** Sizes as the broker counts them (body, key, headers/properties), for the batch bound too. */
  const messageBytes = (m: OutboundMessage): number =>
    sender.messageBytes === undefined ? estimatedMessageBytes(m) : sender.messageBytes(m);
  let buffer: Entry[] = [];
  let bufferBytes = 0;
  let lingerTimer: NodeJS.Timeout | undefined;
  let inFlight = 0;
  let draining = false;
  let closePromise: Promise<void> | undefined;
  const sending = new Set<Promise<void>>();
  const controllers = new Map<AbortController, Entry[]>();

  const settle = (entry: Entry, error?: PublishError): void => {
    if (entry.settled) return;
    entry.settled = true;
    if (error === undefined) entry.resolve();
    else entry.reject(error);
  };

  /** The linger timer's flush: only when a send slot is free; else a returning send flushes. */
  const lingered = (): void => {
    lingerTimer = undefined;
    if (sending.size < maxConcurrentBatches) flush();
  };

  const flush = (): void => {
    if (lingerTimer !== undefined) {
      clearTimeout(lingerTimer);
      lingerTimer = undefined;
    }
    if (buffer.length === 0) return;
    const batch = buffer;
    const bytes = bufferBytes;
    buffer = [];
    bufferBytes = 0;
    const task = send(batch, bytes);
    sending.add(task);
    void task.finally(() => {
      sending.delete(task);
      // What gathered while this send waited for the broker goes now, without another linger.
      if (buffer.length > 0 && sending.size < maxConcurrentBatches) flush();
    });
  };

  const send = async (batch: Entry[], bytes: number): Promise<void> => {
    const controller = new AbortController();
    controllers.set(controller, batch);
    const started = Date.now();
    const oldest = batch[0]?.enqueuedAt ?? started;
    const deadline = setTimeout(
      () => {
        controller.abort(new PublishError('timeout', `broker did not acknowledge within ${timeoutMs} ms`));
        for (const entry of batch) {
          settle(entry, new PublishError('timeout', `broker did not acknowledge within ${timeoutMs} ms`));
        }
      },
      Math.max(0, oldest + timeoutMs - started),
    );
    let ok = false;
    try {
      const outcome = await sender.sendBatch(
        batch.map((e) => e.message),
        controller.signal,
      );
      ok = true;
      // A message the broker can never take fails alone; the rest of its batch was acknowledged.
      const tooLarge = new Set(outcome?.tooLarge ?? []);
      for (const entry of batch) {
        if (!tooLarge.has(entry.message)) settle(entry);
        else {
          settle(
            entry,
            new PublishError('too-large', `larger than the broker's max message size (${sender.name})`),
          );
        }
      }
    } catch (cause) {
      const reason = controller.signal.aborted ? 'timeout' : 'unavailable';
      logger.warn(
        { err: cause, bus: sender.name, batchSize: batch.length, reason },
        'broker send failed; publishes rejected',
      );
      for (const entry of batch) {
        settle(entry, new PublishError(reason, `broker send failed (${sender.name})`, { cause }));
      }
    } finally {
      clearTimeout(deadline);
      controllers.delete(controller);
      inFlight -= batch.length;
      hooks.onInFlight?.(inFlight);
      hooks.onBatch?.({ size: batch.length, bytes, durationMs: Date.now() - started, ok });
    }
  };

  const publish = (message: OutboundMessage, bytes?: number): Promise<void> => {
    if (draining) {
      return Promise.reject(new PublishError('draining', 'shutting down; not accepting new messages'));
    }
    if (inFlight >= maxInFlight) {
      return Promise.reject(new PublishError('overloaded', `in-flight limit of ${maxInFlight} reached`));
    }
    if (!sender.isConnected() && (sending.size > 0 || buffer.length > 0)) {
      return Promise.reject(new PublishError('unavailable', `broker disconnected (${sender.name})`));
    }
    return new Promise<void>((resolve, reject) => {
      const size = bytes ?? messageBytes(message);
      if (buffer.length > 0 && bufferBytes + size > maxBatchBytes) flush();
      buffer.push({ message, enqueuedAt: Date.now(), settled: false, resolve, reject });
      bufferBytes += size;
      inFlight += 1;
      hooks.onInFlight?.(inFlight);
      if (buffer.length >= maxBatchMessages || bufferBytes >= maxBatchBytes) flush();
      else lingerTimer ??= setTimeout(lingered, lingerMs);
    });
  };

  const close = (signal?: AbortSignal): Promise<void> => {
    closePromise ??= (async () => {
      draining = true;
      flush();
      const drained = Promise.allSettled([...sending]);
      if (signal !== undefined && !signal.aborted) {
        let onAbort: (() => void) | undefined;
        const aborted = new Promise<void>((resolve) => {
          onAbort = resolve;
          signal.addEventListener('abort', onAbort, { once: true });
        });
        await Promise.race([drained, aborted]);
        if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
      } else if (signal === undefined) {
        await drained;
      }
      if (sending.size > 0) {
        logger.warn(
          { batches: sending.size },
          'shutdown deadline reached with sends in flight; aborting them',
        );
        for (const [c, batch] of controllers) {
          const error = new PublishError(
            'draining',
            'shutdown deadline reached before the broker acknowledged',
          );
          c.abort(error);
          for (const entry of batch) settle(entry, error);
        }
      }
      try {
        await sender.close();
      } catch (err) {
        logger.warn({ err, bus: sender.name }, 'closing the broker connection failed');
      }
    })();
    return closePromise;
  };

  return {
    publish,
    close,
    messageBytes,
    isReady: () => !draining && sender.isConnected(),
  };
}

function validate(o: PublisherOptions): void {
  const rules: Array<[keyof PublisherOptions, number, number]> = [
    ['lingerMs', 0, 1000],
    ['maxConcurrentBatches', 1, 64],
    ['maxBatchMessages', 1, 100_000],
    ['maxBatchBytes', 1, 100 * 1_048_576],
    ['maxInFlight', 1, 10_000_000],
    ['timeoutMs', 1, 600_000],
  ];
  for (const [field, min, max] of rules) {
    const v = o[field];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(
        `createPublisher: ${field} must be an integer from ${min} to ${max}, received ${v}`,
      );
    }
  }
}
