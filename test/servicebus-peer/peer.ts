/**
 * An AMQP 1.0 TEST PEER that stands in for Azure Service Bus in tests. It is not an emulator and
 * never ships: it implements only what the real `@azure/service-bus` SDK does when it SENDS —
 * SASL ANONYMOUS on plain TCP (what the SDK uses with `UseDevelopmentEmulator=true`), the CBS
 * put-token exchange on `$cbs` (checking the SAS signature against its key), sender links to a
 * queue/topic address (refused without a valid token for that entity, as the service does), and
 * a minimal `<entity>/$management` responder. Every accepted message is decoded and recorded.
 *
 * Fault controls: `refuse()` rejects transfers with an AMQP error, `stall()` never settles them,
 * `dropConnections()` destroys the sockets, `goOffline()` also stops listening (connection refused)
 * and `recover()` returns to normal on the same port. See docs/decisions/0003-servicebus-test-peer.md.
 */
import type { AddressInfo, Server, Socket } from 'node:net';
import {
  create_container,
  type Connection,
  type Delivery,
  type EventContext,
  type Message,
  type Receiver,
  type Sender,
} from 'rhea';
import { decodeDelivery, type ReceivedMessage } from './decode';
import {
  handleCbsRequest,
  handleManagementRequest,
  type CbsRequest,
  type ManagementRequest,
} from './requests';
import type { PeerMode, ServiceBusTestPeer, ServiceBusTestPeerOptions, TransferRecord } from './types';

export type { ReceivedMessage } from './decode';
export type { CbsRequest, ManagementRequest } from './requests';
export type { PeerMode, ServiceBusTestPeer, ServiceBusTestPeerOptions, TransferRecord } from './types';

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

  constructor(options: ServiceBusTestPeerOptions) {
    this.keyName = options.keyName ?? 'RootManageSharedAccessKey';
    this.key = options.key ?? DEFAULT_KEY;
    this.maxMessageSize = options.maxMessageSize ?? 256 * 1024;
    this.entities = options.entities === undefined ? undefined : new Set(options.entities);
    this.port = options.port ?? 0;
    this.container.sasl_server_mechanisms.enable_anonymous();
    this.container.on('connection_open', () => {
      this.connectionCount += 1;
    });
    this.container.on('receiver_open', (ctx: EventContext) => this.onReceiverOpen(ctx));
    this.container.on('sender_open', (ctx: EventContext) => this.onSenderOpen(ctx));
    this.container.on('message', (ctx: EventContext) => this.onMessage(ctx));
    // A client vanishing mid-frame is expected (drop tests); never let it crash the test process.
    this.container.on('error', () => undefined);
    this.container.on('disconnected', () => undefined);
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
    if (address === '$cbs' || address.endsWith('/$management')) return;
    if (this.entities !== undefined && !this.entities.has(address)) {
      receiver.close({
        condition: 'amqp:not-found',
        description: `The messaging entity '${address}' could not be found.`,
      });
      return;
    }
    if (!this.authorized.get(ctx.connection)?.has(address)) {
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

  /** The client opened a RECEIVER: our end is the sender that carries CBS/management responses. */
  private onSenderOpen(ctx: EventContext): void {
    const sender = ctx.sender as Sender;
    const address = String(sender.source?.address ?? '');
    if (address !== '$cbs' && !address.endsWith('/$management')) {
      sender.close({
        condition: 'amqp:not-implemented',
        description: 'the test peer does not deliver messages',
      });
      return;
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
        handleManagementRequest(address, request, this.managementRequests),
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
      this.received.push(...messages);
      delivery.accept();
      for (const waiter of [...this.waiters]) waiter();
    }
    // 'stalled': never settled; the delivery dies with its connection.
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

/** Starts a test peer on 127.0.0.1 and resolves once it listens. */
export async function startServiceBusTestPeer(
  options: ServiceBusTestPeerOptions = {},
): Promise<ServiceBusTestPeer> {
  const peer = new Peer(options);
  await peer.listen();
  return peer;
}
