/**
 * `dlq redrive`: each dead letter is re-sent to its entity with its ORIGINAL messageId, body bytes,
 * content type, correlation id, subject and application properties (plus `deadLetterReason` and
 * `deadLetterErrorDescription`), and completed only once that send was acknowledged. Killed half-way,
 * nothing is lost: a dead letter whose re-send was not acknowledged stays; one re-sent but not yet
 * completed comes back when its lock expires and its second re-send is dropped by the entity's
 * duplicate detection (same messageId), so a re-run re-sends nothing twice.
 *
 * The same duplicate detection would drop a re-send of a message first sent less than one window
 * ago — and completing its dead letter would then lose it — so such dead letters are skipped
 * (`--duplicate-window`, 0 for an entity without duplicate detection). Dead letters that are skipped
 * or failed stay locked until the end (so a batch never returns them again) and are then abandoned:
 * they remain in the dead-letter queue.
 */
import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import { bodyBytes, peekAll } from './dlq';
import type { DeadLetterSession } from './servicebus';

/** `--filter`: a property equality (`key=value`) or a substring of the dead-letter reason/description. */
export type RedriveFilter =
  | { readonly kind: 'property'; readonly key: string; readonly value: string }
  | { readonly kind: 'reason'; readonly text: string };

export interface RedriveOptions {
  readonly filter?: RedriveFilter;
  readonly max?: number;
  readonly ratePerSecond?: number;
  readonly dryRun: boolean;
  /** Dead letters first enqueued less than this long ago are skipped (duplicate detection would drop the re-send). */
  readonly duplicateWindowMs: number;
  /** How long one receive waits for dead letters before the queue counts as drained. */
  readonly waitMs: number;
  readonly now?: () => number;
}

export interface RedriveSummary {
  redriven: number;
  skipped: number;
  failed: number;
}

export function matches(message: ServiceBusReceivedMessage, filter: RedriveFilter | undefined): boolean {
  if (filter === undefined) return true;
  if (filter.kind === 'property') {
    const value = message.applicationProperties?.[filter.key];
    return value !== undefined && String(value) === filter.value;
  }
  const text = filter.text.toLowerCase();
  return [message.deadLetterReason, message.deadLetterErrorDescription].some(
    (field) => field !== undefined && field.toLowerCase().includes(text),
  );
}

/** The re-send: the original identity and payload; the dead-letter reason moves to plain properties. */
export function redriveMessage(message: ServiceBusReceivedMessage): ServiceBusMessage {
  const {
    DeadLetterReason: _reason,
    DeadLetterErrorDescription: _description,
    ...properties
  } = message.applicationProperties ?? {};
  const out: ServiceBusMessage = {
    body: bodyBytes(message),
    applicationProperties: {
      ...properties,
      ...(message.deadLetterReason === undefined ? {} : { deadLetterReason: message.deadLetterReason }),
      ...(message.deadLetterErrorDescription === undefined
        ? {}
        : { deadLetterErrorDescription: message.deadLetterErrorDescription }),
    },
  };
  if (message.messageId !== undefined) out.messageId = message.messageId;
  if (message.contentType !== undefined) out.contentType = message.contentType;
  if (message.correlationId !== undefined) out.correlationId = message.correlationId;
  if (message.subject !== undefined) out.subject = message.subject;
  if (message.partitionKey !== undefined) out.partitionKey = message.partitionKey;
  if (message.sessionId !== undefined) out.sessionId = message.sessionId;
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Why a dead letter is left where it is, or undefined to re-drive it. */
function skipReason(
  message: ServiceBusReceivedMessage,
  options: RedriveOptions,
  now: number,
): string | undefined {
  if (!matches(message, options.filter)) return 'filter';
  const enqueued = message.enqueuedTimeUtc?.getTime() ?? 0;
  if (now - enqueued < options.duplicateWindowMs) return 'inside the duplicate detection window';
  return undefined;
}

export async function redrive(
  session: DeadLetterSession,
  options: RedriveOptions,
  progress: (summary: Readonly<RedriveSummary>) => void,
): Promise<RedriveSummary> {
  const now = options.now ?? Date.now;
  const summary: RedriveSummary = { redriven: 0, skipped: 0, failed: 0 };
  const max = options.max ?? Infinity;
  if (options.dryRun) {
    for await (const message of peekAll(session.receiver)) {
      if (summary.redriven >= max) break;
      if (skipReason(message, options, now()) === undefined) summary.redriven += 1;
      else summary.skipped += 1;
      progress(summary);
    }
    return summary;
  }
  const held: ServiceBusReceivedMessage[] = [];
  const started = now();
  try {
    while (summary.redriven < max) {
      const batch = await session.receiver.receiveMessages(Math.min(10, max - summary.redriven), {
        maxWaitTimeInMs: options.waitMs,
      });
      if (batch.length === 0) break;
      for (const message of batch) {
        if (summary.redriven >= max || skipReason(message, options, now()) !== undefined) {
          if (summary.redriven < max) summary.skipped += 1;
          held.push(message);
          continue;
        }
        if (options.ratePerSecond !== undefined) {
          const due = started + (summary.redriven / options.ratePerSecond) * 1000;
          if (due > now()) await sleep(due - now());
        }
        try {
          await session.sender.sendMessages(redriveMessage(message));
        } catch (err) {
          summary.failed += 1;
          held.push(message);
          progress(summary);
          if ((err as { code?: string }).code === 'UnauthorizedAccess') throw err;
          continue;
        }
        // Only now: the re-send is acknowledged, so the dead letter may go.
        await session.receiver.completeMessage(message);
        summary.redriven += 1;
        progress(summary);
      }
    }
  } finally {
    for (const message of held) {
      await session.receiver.abandonMessage(message).catch(() => undefined); // its lock expires anyway
    }
  }
  return summary;
}
