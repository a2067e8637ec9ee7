/**
 * The test peer's entities, so receivers have something to receive: every message the peer accepts
 * is enqueued on its entity (for a topic, on each declared subscription), and each queue or
 * subscription has its dead-letter sub-queue `<path>/$DeadLetterQueue`. A peekLock delivery locks a
 * message until it is settled or its lock expires (then it is delivered again, its delivery count
 * one higher) — as the service does, a lock survives a client that vanished; it only expires.
 *
 * Sequence numbers are per store and increase with each enqueue; a dead-lettered message keeps its
 * sequence number (the service gives the dead-letter queue its own, which nothing here depends on).
 */
import { randomBytes } from 'node:crypto';
import type { ReceivedMessage } from './decode';

export const DEAD_LETTER_QUEUE = '$DeadLetterQueue';

/** What a dead letter carries, as the service stores it (application properties). */
export interface DeadLetterInfo {
  readonly reason: string;
  readonly description?: string;
}

/** One message held by an entity, as the peer delivers it. */
export interface StoredMessage {
  readonly sequenceNumber: number;
  readonly enqueuedTime: Date;
  /** Body, ids, content type and application properties (incl. DeadLetterReason in a DLQ). */
  readonly record: ReceivedMessage;
  /** How often it was delivered under a lock. */
  deliveryCount: number;
  /** The delivery tag of the current lock (the SDK derives the lock token from it). */
  lockTag?: Buffer;
  lockedUntil?: Date;
}

export type Settlement =
  | { readonly kind: 'complete' }
  | { readonly kind: 'abandon' }
  | { readonly kind: 'deadLetter'; readonly info: DeadLetterInfo };

/**
 * The bytes of a lock token as the SDK sends it back (renew-lock, update-disposition): the SDK reads
 * the delivery tag as a .NET GUID and reorders its first eight bytes (`reorderLockToken`).
 */
export function lockTokenKey(tag: Buffer): string {
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Buffer.from(order.map((i) => tag[i] ?? 0)).toString('hex');
}

/** Queue or subscription path of an address (`q`, `t/Subscriptions/s`), without the DLQ suffix. */
export function parentPath(address: string): string {
  const suffix = `/${DEAD_LETTER_QUEUE}`;
  return address.endsWith(suffix) ? address.slice(0, -suffix.length) : address;
}

export class EntityStore {
  private sequence = 0;
  private readonly queues = new Map<string, StoredMessage[]>();

  constructor(
    /** Topic name → its subscription names: a message sent to the topic lands in each. */
    private readonly subscriptions: Readonly<Record<string, readonly string[]>>,
    private readonly lockDurationMs: number,
  ) {}

  /** True when `address` is a declared subscription (or its DLQ) of `topic`. */
  isSubscriptionOf(topic: string, address: string): boolean {
    const path = parentPath(address);
    return (this.subscriptions[topic] ?? []).some((sub) => path === `${topic}/Subscriptions/${sub}`);
  }

  isTopic(name: string): boolean {
    return this.subscriptions[name] !== undefined;
  }

  /** The paths a message sent to `entity` lands in: each subscription of a topic, else the entity. */
  targetsOf(entity: string): string[] {
    const subs = this.subscriptions[entity];
    return subs === undefined ? [entity] : subs.map((sub) => `${entity}/Subscriptions/${sub}`);
  }

  enqueue(path: string, record: ReceivedMessage, enqueuedTime = new Date()): StoredMessage {
    this.sequence += 1;
    const stored: StoredMessage = { sequenceNumber: this.sequence, enqueuedTime, record, deliveryCount: 0 };
    this.queueOf(path).push(stored);
    return stored;
  }

  /** Puts a message straight into `<path>/$DeadLetterQueue` with the reason the service records. */
  deadLetter(
    path: string,
    record: ReceivedMessage,
    info: DeadLetterInfo,
    enqueuedTime?: Date,
  ): StoredMessage {
    return this.enqueue(`${path}/${DEAD_LETTER_QUEUE}`, withDeadLetterInfo(record, info), enqueuedTime);
  }

  /** Every message of an address, locked or not, in sequence order. */
  messages(address: string): readonly StoredMessage[] {
    return this.queueOf(address);
  }

  /** Locks the first message that is free (never locked, or its lock expired) and returns it. */
  lockNext(address: string, now = Date.now()): StoredMessage | undefined {
    const next = this.queueOf(address).find(
      (m) => m.lockedUntil === undefined || m.lockedUntil.getTime() <= now,
    );
    if (next === undefined) return undefined;
    next.deliveryCount += 1;
    next.lockTag = randomBytes(16);
    next.lockedUntil = new Date(now + this.lockDurationMs);
    return next;
  }

  /** Removes a message delivered without a lock (receiveAndDelete). */
  remove(address: string, message: StoredMessage): void {
    const queue = this.queueOf(address);
    const index = queue.indexOf(message);
    if (index >= 0) queue.splice(index, 1);
  }

  /** The locked message whose lock token (as the SDK sends it) is `key`, if its lock still holds. */
  byLockToken(address: string, key: string, now = Date.now()): StoredMessage | undefined {
    return this.queueOf(address).find(
      (m) =>
        m.lockTag !== undefined &&
        lockTokenKey(m.lockTag) === key &&
        m.lockedUntil !== undefined &&
        m.lockedUntil.getTime() > now,
    );
  }

  /** Applies a settlement to a message this address locked; false when the lock was lost. */
  settle(address: string, message: StoredMessage, settlement: Settlement, now = Date.now()): boolean {
    const queue = this.queueOf(address);
    const index = queue.indexOf(message);
    if (index < 0 || message.lockedUntil === undefined || message.lockedUntil.getTime() <= now) return false;
    if (settlement.kind === 'abandon') {
      delete message.lockTag;
      delete message.lockedUntil;
      return true;
    }
    queue.splice(index, 1);
    if (settlement.kind === 'deadLetter') {
      this.queueOf(`${parentPath(address)}/${DEAD_LETTER_QUEUE}`).push({
        sequenceNumber: message.sequenceNumber,
        enqueuedTime: message.enqueuedTime,
        record: withDeadLetterInfo(message.record, settlement.info),
        deliveryCount: message.deliveryCount,
      });
    }
    return true;
  }

  /** Extends a lock by the lock duration; undefined when the lock was already lost. */
  renew(address: string, key: string, now = Date.now()): Date | undefined {
    const message = this.byLockToken(address, key, now);
    if (message === undefined) return undefined;
    message.lockedUntil = new Date(now + this.lockDurationMs);
    return message.lockedUntil;
  }

  /** Up to `count` messages from `fromSequenceNumber` on, locked or not (peek never locks). */
  peek(address: string, fromSequenceNumber: number, count: number): StoredMessage[] {
    return this.queueOf(address)
      .filter((m) => m.sequenceNumber >= fromSequenceNumber)
      .sort((a, b) => a.sequenceNumber - b.sequenceNumber)
      .slice(0, count);
  }

  private queueOf(address: string): StoredMessage[] {
    let queue = this.queues.get(address);
    if (queue === undefined) {
      queue = [];
      this.queues.set(address, queue);
    }
    return queue;
  }
}

function withDeadLetterInfo(record: ReceivedMessage, info: DeadLetterInfo): ReceivedMessage {
  return {
    ...record,
    applicationProperties: {
      ...record.applicationProperties,
      DeadLetterReason: info.reason,
      ...(info.description === undefined ? {} : { DeadLetterErrorDescription: info.description }),
    },
  };
}
