/**
 * An AMQP 1.0 TEST PEER that stands in for Azure Service Bus in tests. It is not an emulator and
 * never ships: it implements only what the real `@azure/service-bus` SDK does when it SENDS —
 * SASL ANONYMOUS on plain TCP (what the SDK uses with `UseDevelopmentEmulator=true`), the CBS
 * put-token exchange on `$cbs` (checking the SAS signature against its key), sender links to a
 * queue/topic address (refused without a valid token for that entity, as the service does), and
 * a `<entity>/$management` responder. Every accepted message is decoded, recorded and enqueued, so the
 * SDK's RECEIVER works too: receiver links on `<queue>`, `<topic>/Subscriptions/<sub>` and their
 * `/$DeadLetterQueue` sub-queues, peekLock settlement (complete removes, abandon redelivers,
 * dead-letter moves the message to the DLQ with its reason), lock expiry, and the management
 * operations the receiver calls (peek, renew-lock, update-disposition). `deadLetter()` seeds dead
 * letters; `duplicateDetection` drops a message whose messageId the entity saw within the window.
 *
 * Fault controls: `refuse()` rejects transfers with an AMQP error, `stall()` never settles them,
 * `dropConnections()` destroys the sockets, `goOffline()` also stops listening (connection refused)
 * and `recover()` returns to normal on the same port. See docs/decisions/0003-servicebus-test-peer.md.
 */
import type { AddressInfo, Server, Socket } from 'node:net';
import {
  create_container,
  message as amqpMessage,
  type Connection,
  type Delivery,
  type EventContext,
  type Message,
  type Receiver,
  type Sender,
} from 'rhea';
import { toAmqpMessage } from './outbound';
import { decodeDelivery, type ReceivedMessage } from './decode';
import {
  handleCbsRequest,
  handleManagementRequest,
  type CbsRequest,
  type ManagementRequest,
} from './requests';
import { EntityStore, parentPath, type Settlement, type StoredMessage } from './store';
import type {
  PeerMode,
  SeedMessage,
  ServiceBusTestPeer,
  ServiceBusTestPeerOptions,
  TransferRecord,
} from './types';

export type { ReceivedMessage } from './decode';
export type { CbsRequest, ManagementRequest } from './requests';
export type {
  PeerMode,
  SeedMessage,
  ServiceBusTestPeer,
  ServiceBusTestPeerOptions,
  TransferRecord,
} from './types';
export type { DeadLetterInfo, StoredMessage } from './store';

const DEFAULT_KEY = 'dGVzdC1wZWVyLWtleS1ub3QtYS1zZWNyZXQ=';

class Peer implements ServiceBusTestPeer {
  readonly host = '127.0.0.1';
  port = 0;
  readonly received: ReceivedMessage[] = [];
  readonly transfers: TransferRecord[] = [];
  readonly cbsRequests: CbsRequest[] = [];
  readonly managementRequests: ManagementRequest[] = [];
  connectionCount = 0;
  mode: PeerMode = 'accept';
  private refusal = { condition: 'amqp:internal-error', description: 'refused by the test peer' };
  private readonly container = create_container({
    id: 'servicebus-test-peer',
    autoaccept: false,
    tcp_no_delay: true,
    // Abandon is a `modified` outcome: keep it apart from `released`.
    treat_modified_as_released: false,
  });
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Entities each connection holds a valid CBS token for. */
  private readonly authorized = new WeakMap<Connection, Set<string>>();
  /** Per connection, the peer-side senders that carry CBS/management responses. */
  private readonly responders = new WeakMap<Connection, Sender[]>();
  private readonly waiters = new Set<() => void>();
  private readonly keyName: string;
  private readonly key: string;
  private readonly maxMessageSize: number;
  private readonly entities: ReadonlySet<string> | undefined;
  private readonly store: EntityStore;
  private readonly duplicateWindowMs: number | undefined;
  /** Per entity, messageId → when the entity accepted it (duplicate detection). */
  private readonly seenIds = new Map<string, Map<string, number>>();
  /** What each delivery on a receiving link carries, to settle it when the client answers. */
  private readonly deliveries = new WeakMap<
    Delivery,
    { address: string; message: StoredMessage; tag: Buffer }
  >();
  duplicatesDropped = 0;
  private readonly openConnections = new Set<Connection>();
  /** Senders that just sent and wait for rhea to take the credit before sending more. */
  private readonly pumping = new WeakSet<Sender>();

  constructor(options: ServiceBusTestPeerOptions) {
    this.keyName = options.keyName ?? 'RootManageSharedAccessKey';
    this.key = options.key ?? DEFAULT_KEY;
    this.maxMessageSize = options.maxMessageSize ?? 256 * 1024;
    this.entities = options.entities === undefined ? undefined : new Set(options.entities);
    this.store = new EntityStore(options.subscriptions ?? {}, options.lockDurationMs ?? 30_000);
    const dedup = options.duplicateDetection;
    this.duplicateWindowMs =
      dedup === undefined || dedup === false ? undefined : dedup === true ? 600_000 : dedup.windowMs;
    this.port = options.port ?? 0;
    this.container.sasl_server_mechanisms.enable_anonymous();
    this.container.on('connection_open', (ctx: EventContext) => {
      this.connectionCount += 1;
      this.openConnections.add(ctx.connection);
    });
    for (const gone of ['connection_close', 'disconnected'] as const) {
      this.container.on(gone, (ctx: EventContext) => this.openConnections.delete(ctx.connection));
    }
    this.container.on('receiver_open', (ctx: EventContext) => this.onReceiverOpen(ctx));
    this.container.on('sender_open', (ctx: EventContext) => this.onSenderOpen(ctx));
    this.container.on('message', (ctx: EventContext) => this.onMessage(ctx));
    this.container.on('sendable', (ctx: EventContext) => this.pump(ctx.sender as Sender));
    this.container.on('sender_draining', (ctx: EventContext) => this.pump(ctx.sender as Sender));
    for (const outcome of ['accepted', 'rejected', 'modified', 'released'] as const) {
      this.container.on(outcome, (ctx: EventContext) => this.onOutcome(outcome, ctx));
    }
    // A client vanishing mid-frame is expected (drop tests); never let it crash the test process.
    this.container.on('error', () => undefined);
  }

  get connectionString(): string {
    return (
      `Endpoint=sb://${this.host}:${this.port};SharedAccessKeyName=${this.keyName};` +
      `SharedAccessKey=${this.key};UseDevelopmentEmulator=true`
    );
  }

  async listen(): Promise<void> {
    const server = this.container.listen({ host: this.host, port: this.port });
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    this.port = (server.address() as AddressInfo).port;
  }

  refuse(condition = 'amqp:internal-error', description = 'refused by the test peer'): void {
    this.mode = 'refuse';
    this.refusal = { condition, description };
  }

  stall(): void {
    this.mode = 'stall';
  }

  dropConnections(): void {
    // Destroy WITH an error: rhea learns of a dead socket only from 'error' or 'end', and without
    // one it would keep arming heartbeat timers for a connection that no longer exists.
    for (const socket of this.sockets) socket.destroy(new Error('connection dropped by the test peer'));
    this.sockets.clear();
  }

  async goOffline(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async recover(): Promise<void> {
    this.mode = 'accept';
    if (!this.server) await this.listen();
  }

  waitForMessages(count: number, timeoutMs = 5000): Promise<readonly ReceivedMessage[]> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.received.length >= count) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(this.received);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`test peer holds ${this.received.length} messages, expected ${count}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    await this.goOffline();
  }

  /** The client opened a SENDER: our end is a receiver (CBS/management requests or entity sends). */
  private onReceiverOpen(ctx: EventContext): void {
    const receiver = ctx.receiver as Receiver;
    const address = String(receiver.target?.address ?? '');
    if (address === '$cbs') return;
    if (address.endsWith('/$management')) {
      if (!this.exists(address.slice(0, -'/$management'.length))) {
        receiver.close({
          condition: 'amqp:not-found',
          description: `The messaging entity '${address}' could not be found.`,
        });
      }
      return;
    }
    if (!this.exists(address)) {
      receiver.close({
        condition: 'amqp:not-found',
        description: `The messaging entity '${address}' could not be found.`,
      });
      return;
    }
    if (!this.isAuthorized(ctx.connection, address)) {
      receiver.close({
        condition: 'amqp:unauthorized-access',
        description: `No valid CBS token for '${address}' on this connection.`,
      });
      return;
    }
    // Our attach frame is written after this handler returns, so the advertised size applies.
    (
      receiver as unknown as { local: { attach: { max_message_size: number } } }
    ).local.attach.max_message_size = this.maxMessageSize;
  }

  /**
   * The client opened a RECEIVER: our end is the sender that carries CBS/management responses, or
   * the messages of a queue, subscription or dead-letter queue (then it needs a token, as a sender).
   */
  private onSenderOpen(ctx: EventContext): void {
    const sender = ctx.sender as Sender;
    const address = String(sender.source?.address ?? '');
    if (address.endsWith('/$management') && !this.exists(address.slice(0, -'/$management'.length))) {
      sender.close({
        condition: 'amqp:not-found',
        description: `The messaging entity '${address}' could not be found.`,
      });
      return;
    }
    if (address !== '$cbs' && !address.endsWith('/$management')) {
      if (!this.exists(address)) {
        sender.close({
          condition: 'amqp:not-found',
          description: `The messaging entity '${address}' could not be found.`,
        });
      } else if (!this.isAuthorized(ctx.connection, address)) {
        sender.close({
          condition: 'amqp:unauthorized-access',
          description: `No valid CBS token for '${address}' on this connection.`,
        });
      }
      return; // messages flow from pump() once the client grants credit
    }
    const list = this.responders.get(ctx.connection) ?? [];
    list.push(sender);
    this.responders.set(ctx.connection, list);
  }

  private onMessage(ctx: EventContext): void {
    const receiver = ctx.receiver as Receiver;
    const delivery = ctx.delivery as Delivery;
    const address = String(receiver.target?.address ?? '');
    const request = ctx.message as Message;
    if (address === '$cbs') {
      const response = handleCbsRequest(request, this.keyName, this.key, this.cbsRequests);
      if (response.entity !== undefined) this.authorize(ctx.connection, response.entity);
      delivery.accept();
      this.reply(ctx.connection, address, request, response.message);
      return;
    }
    if (address.endsWith('/$management')) {
      delivery.accept();
      this.reply(
        ctx.connection,
        address,
        request,
        handleManagementRequest(address, request, this.managementRequests, this.store),
      );
      return;
    }
    this.onEntityTransfer(ctx, address, delivery);
  }

  private onEntityTransfer(ctx: EventContext, entity: string, delivery: Delivery): void {
    const format = delivery.format;
    const payload = (ctx as EventContext & { message: Message | Buffer }).message;
    const index = this.transfers.length;
    const messages = decodeDelivery(payload, format, entity, index);
    const bytes = Buffer.isBuffer(payload) ? payload.length : 0;
    const outcome = this.mode === 'accept' ? 'accepted' : this.mode === 'refuse' ? 'rejected' : 'stalled';
    this.transfers.push({ index, entity, format, messageCount: messages.length, bytes, outcome });
    if (outcome === 'rejected') {
      delivery.reject(this.refusal);
    } else if (outcome === 'accepted') {
      const fresh = messages.filter((m) => !this.isDuplicate(entity, m));
      this.duplicatesDropped += messages.length - fresh.length;
      this.received.push(...fresh);
      for (const message of fresh) {
        for (const path of this.store.targetsOf(entity)) this.store.enqueue(path, message);
      }
      delivery.accept(); // a duplicate is accepted too, and dropped, as the service does
      for (const waiter of [...this.waiters]) waiter();
      this.pumpAll();
    }
    // 'stalled': never settled; the delivery dies with its connection.
  }

  /** Seeds a dead letter on a queue or `<topic>/Subscriptions/<sub>`, as if a receiver had dead-lettered it. */
  deadLetter(path: string, message: SeedMessage, reason: string, description?: string): StoredMessage {
    const record: ReceivedMessage = {
      entity: path,
      transfer: -1,
      body: Buffer.isBuffer(message.body) ? message.body : Buffer.from(message.body),
      messageId: message.messageId,
      correlationId: message.correlationId,
      subject: message.subject,
      contentType: message.contentType,
      applicationProperties: { ...message.applicationProperties },
      messageAnnotations: {},
    };
    const info = description === undefined ? { reason } : { reason, description };
    const stored = this.store.deadLetter(path, record, info, message.enqueuedTime);
    this.pumpAll();
    return stored;
  }

  /** The messages an address (`q`, `q/$DeadLetterQueue`, `t/Subscriptions/s`…) holds now. */
  messages(address: string): readonly StoredMessage[] {
    return this.store.messages(address);
  }

  /** A queue, topic, subscription or one of their dead-letter queues that this peer serves. */
  private exists(address: string): boolean {
    const path = parentPath(address);
    const match = /^(.+)\/Subscriptions\/[^/]+$/i.exec(path);
    if (match !== null) return this.store.isSubscriptionOf(match[1] ?? '', path);
    return this.entities === undefined || this.entities.has(path) || this.store.isTopic(path);
  }

  /** A SAS token covers its resource and every path below it, as on the service. */
  private isAuthorized(connection: Connection, address: string): boolean {
    for (const entity of this.authorized.get(connection) ?? []) {
      if (address === entity || address.startsWith(`${entity}/`)) return true;
    }
    return false;
  }

  private isDuplicate(entity: string, message: ReceivedMessage): boolean {
    if (this.duplicateWindowMs === undefined || message.messageId === undefined) return false;
    const now = Date.now();
    const seen = this.seenIds.get(entity) ?? new Map<string, number>();
    this.seenIds.set(entity, seen);
    const id = String(message.messageId);
    const at = seen.get(id);
    if (at !== undefined && now - at < this.duplicateWindowMs) return true;
    seen.set(id, now);
    return false;
  }

  /** Every open delivering link gets what it has credit for. */
  private pumpAll(): void {
    for (const connection of this.openConnections) {
      connection.each_link((link: Sender | Receiver) => {
        if (link.is_sender()) this.pump(link as Sender);
      });
    }
  }

  /**
   * Sends free messages of the link's address while the client grants credit: peekLock (unsettled
   * sends) locks each, receiveAndDelete (settled sends) removes it. A drain request with nothing
   * left is answered by giving the credit back, which ends the SDK's receiveMessages wait.
   */
  private pump(sender: Sender): void {
    const address = String(sender.source?.address ?? '');
    if (!sender.is_open() || address === '$cbs' || address.endsWith('/$management')) return;
    if (this.pumping.has(sender)) return;
    const settled = sender.snd_settle_mode === 1;
    // rhea takes the credit only when it writes the transfers (next tick): count it down here.
    let budget = (sender as unknown as { credit: number }).credit;
    let sent = 0;
    while (budget > 0 && sender.sendable()) {
      const message = this.store.lockNext(address);
      if (message === undefined) break;
      const tag = message.lockTag ?? Buffer.alloc(16);
      if (settled) {
        this.store.remove(address, message);
        sender.send(toAmqpMessage(message), tag);
      } else {
        const delivery = sender.send(toAmqpMessage(message), tag);
        this.deliveries.set(delivery, { address, message, tag });
      }
      budget -= 1;
      sent += 1;
    }
    if (sent > 0) {
      this.pumping.add(sender);
      setImmediate(() => {
        this.pumping.delete(sender);
        this.pump(sender);
      });
      return;
    }
    sender.set_drained(true); // only answered while the client drains
  }

  /** The client settled (or answered) a delivery we sent: apply it, then settle our end. */
  private onOutcome(outcome: string, ctx: EventContext): void {
    const delivery = ctx.delivery as Delivery;
    const held = this.deliveries.get(delivery);
    if (held === undefined || delivery.settled) return;
    this.deliveries.delete(delivery);
    const settlement = settlementOf(outcome, delivery);
    // A lock that expired and was taken again since is not this delivery's lock any more.
    const ok = held.message.lockTag === held.tag && this.store.settle(held.address, held.message, settlement);
    // Our end settles (receiver-settle-mode second); the SDK resolves on it, and fails on an error.
    const answer = !ok
      ? outcomes.rejected({
          error: {
            condition: 'com.microsoft:message-lock-lost',
            description: 'The lock supplied is invalid: it expired or the message was already removed.',
          },
        })
      : settlement.kind === 'complete'
        ? outcomes.accepted()
        : settlement.kind === 'abandon'
          ? outcomes.released()
          : outcomes.rejected({});
    delivery.update(true, answer.described());
    this.pump(delivery.link as Sender);
  }

  private authorize(connection: Connection, entity: string): void {
    const set = this.authorized.get(connection) ?? new Set<string>();
    set.add(entity);
    this.authorized.set(connection, set);
  }

  /** Sends a response on the client's receiver link that listens to `node` under `reply_to`. */
  private reply(connection: Connection, node: string, request: Message, response: Message): void {
    const replyTo = String(request.reply_to ?? '');
    const link = (this.responders.get(connection) ?? []).find(
      (sender) =>
        sender.is_open() &&
        sender.source?.address === node &&
        (sender.name === replyTo || sender.target?.address === replyTo),
    );
    if (!link) return; // the client will time out, as it would against the service
    link.send({ ...response, to: replyTo, correlation_id: request.message_id });
  }
}

/** rhea defines its outcome constructors at run time (`message.accepted()` …); its typings omit them. */
const outcomes = amqpMessage as unknown as Record<
  'accepted' | 'released' | 'rejected',
  (fields?: object) => { described(): unknown }
>;

/**
 * What the client's disposition asks for: accepted = complete; rejected with
 * `com.microsoft:dead-letter` = dead-letter (reason and description in its info); modified or
 * released = abandon (the lock is given up and the message delivered again).
 */
function settlementOf(event: string, delivery: Delivery): Settlement {
  if (event === 'accepted') return { kind: 'complete' };
  if (event === 'rejected') {
    const state = (delivery as unknown as { remote_state?: { error?: { info?: Record<string, unknown> } } })
      .remote_state;
    const info = state?.error?.info ?? {};
    const description = info.DeadLetterErrorDescription;
    return {
      kind: 'deadLetter',
      info: {
        reason: String(info.DeadLetterReason ?? ''),
        ...(description === undefined || description === null ? {} : { description: String(description) }),
      },
    };
  }
  return { kind: 'abandon' };
}

/** Starts a test peer on 127.0.0.1 and resolves once it listens. */
export async function startServiceBusTestPeer(
  options: ServiceBusTestPeerOptions = {},
): Promise<ServiceBusTestPeer> {
  const peer = new Peer(options);
  await peer.listen();
  return peer;
}
