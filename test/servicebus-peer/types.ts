/** The public shape of the Service Bus AMQP test peer (./peer.ts). */
import type { ReceivedMessage } from './decode';
import type { CbsRequest, ManagementRequest } from './requests';
import type { StoredMessage } from './store';

export interface ServiceBusTestPeerOptions {
  /** Port on 127.0.0.1. @default 0 (an ephemeral port, reported as `port`) */
  readonly port?: number;
  /**
   * `max-message-size` advertised on the peer's end of each sender link; the SDK sizes its
   * batches from it. @default 262144 (256 KiB, the Service Bus Standard tier limit)
   */
  readonly maxMessageSize?: number;
  /** Entity names that exist; attaching to another one fails with `amqp:not-found`. @default any */
  readonly entities?: readonly string[];
  /** @default 'RootManageSharedAccessKey' */
  readonly keyName?: string;
  /** @default a fixed test key (base64 text, used as-is as the HMAC key, like the service) */
  readonly key?: string;
  /**
   * Topic name → its subscriptions: a message sent to the topic is enqueued on each, and receivers
   * may attach to `<topic>/Subscriptions/<sub>` (and its `/$DeadLetterQueue`). @default no topics
   */
  readonly subscriptions?: Readonly<Record<string, readonly string[]>>;
  /** How long a peekLock delivery stays locked unless renewed or settled. @default 30000 */
  readonly lockDurationMs?: number;
  /**
   * Duplicate detection per entity: a message whose messageId the entity accepted within the window
   * is settled `accepted` and dropped (not recorded, not enqueued), as the service does.
   * `true` = a 10-minute window (the service's default). @default false
   */
  readonly duplicateDetection?: boolean | { readonly windowMs: number };
}

/** A message to seed as a dead letter (`deadLetter()`). */
export interface SeedMessage {
  readonly body: Buffer | string;
  readonly messageId?: string;
  readonly correlationId?: string;
  readonly subject?: string;
  readonly contentType?: string;
  readonly applicationProperties?: Readonly<Record<string, string | number | boolean>>;
  /** When the message was first enqueued. @default now */
  readonly enqueuedTime?: Date;
}

/** One transfer (one `sendMessages` call of the SDK), whatever its outcome. */
export interface TransferRecord {
  readonly index: number;
  readonly entity: string;
  /** 0 for a single message, 0x80013700 for a batch. */
  readonly format: number;
  readonly messageCount: number;
  readonly bytes: number;
  readonly outcome: 'accepted' | 'rejected' | 'stalled';
}

export type PeerMode = 'accept' | 'refuse' | 'stall';

export interface ServiceBusTestPeer {
  readonly host: string;
  readonly port: number;
  /** `Endpoint=sb://127.0.0.1:<port>;SharedAccessKeyName=…;SharedAccessKey=…;UseDevelopmentEmulator=true` */
  readonly connectionString: string;
  /** Messages the peer ACCEPTED (settled with `accepted`), in arrival order. */
  readonly received: readonly ReceivedMessage[];
  /** Every transfer that arrived, with its outcome. */
  readonly transfers: readonly TransferRecord[];
  readonly cbsRequests: readonly CbsRequest[];
  readonly managementRequests: readonly ManagementRequest[];
  /** Messages dropped by duplicate detection so far. */
  readonly duplicatesDropped: number;
  /** Number of AMQP connections accepted so far. */
  readonly connectionCount: number;
  readonly mode: PeerMode;
  /** Reject every following transfer with this AMQP error. */
  refuse(condition?: string, description?: string): void;
  /** Never settle following transfers (the sender must give up on its own). */
  stall(): void;
  /** Destroy every open socket at once (no AMQP close), as a network failure would. */
  dropConnections(): void;
  /** Drop the connections and stop listening: new connections are refused. */
  goOffline(): Promise<void>;
  /** Accept again, listening again on the same port if offline. */
  recover(): Promise<void>;
  /** Resolves once `received` holds at least `count` messages; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<readonly ReceivedMessage[]>;
  /**
   * Seeds a dead letter on `<queue>` or `<topic>/Subscriptions/<sub>` (lands in its
   * `/$DeadLetterQueue` with `DeadLetterReason`/`DeadLetterErrorDescription`).
   */
  deadLetter(path: string, message: SeedMessage, reason: string, description?: string): StoredMessage;
  /** What an address (`q`, `q/$DeadLetterQueue`, `t/Subscriptions/s`…) holds now, locked or not. */
  messages(address: string): readonly StoredMessage[];
  close(): Promise<void>;
}
