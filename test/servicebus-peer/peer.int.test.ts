/**
 * The test peer checked with the real @azure/service-bus SDK over a real socket: if the peer
 * drifted from what the SDK expects (sending or receiving), every Service Bus test built on it would
 * prove nothing.
 */
import { ServiceBusClient } from '@azure/service-bus';
import { connect, type Connection, type EventContext } from 'rhea';
import { startServiceBusTestPeer, type ServiceBusTestPeer } from './index';
import { BATCH_MESSAGE_FORMAT } from './decode';

describe('Service Bus test peer with the real SDK', () => {
  let peer: ServiceBusTestPeer;
  let client: ServiceBusClient;

  afterEach(async () => {
    await client.close();
    await peer.close();
  });

  it('answers CBS put-token, attaches the sender and advertises its max message size', async () => {
    peer = await startServiceBusTestPeer({ maxMessageSize: 65536 });
    client = new ServiceBusClient(peer.connectionString);
    const batch = await client.createSender('webhooks').createMessageBatch();
    expect(batch.maxSizeInBytes).toBe(65536);
    expect(peer.cbsRequests).toEqual([
      {
        operation: 'put-token',
        audience: `sb://127.0.0.1:${peer.port}/webhooks`,
        tokenType: 'servicebus.windows.net:sastoken',
        statusCode: 202,
      },
    ]);
  });

  it('records a single message (format 0) and a batch (format 0x80013700) with their fields', async () => {
    peer = await startServiceBusTestPeer();
    client = new ServiceBusClient(peer.connectionString);
    const sender = client.createSender('orders');
    await sender.sendMessages({
      body: Buffer.from('one'),
      messageId: 'm-1',
      subject: 's',
      contentType: 'text/plain',
    });
    const batch = await sender.createMessageBatch();
    batch.tryAddMessage({ body: Buffer.from('two'), messageId: 'm-2', applicationProperties: { a: 'x' } });
    batch.tryAddMessage({ body: Buffer.from('three'), messageId: 'm-3', correlationId: 'c-3' });
    await sender.sendMessages(batch);

    expect(peer.transfers.map((t) => [t.format, t.messageCount, t.outcome])).toEqual([
      [0, 1, 'accepted'],
      [BATCH_MESSAGE_FORMAT, 2, 'accepted'],
    ]);
    expect(peer.received.map((m) => [m.entity, m.transfer, m.body.toString(), m.messageId])).toEqual([
      ['orders', 0, 'one', 'm-1'],
      ['orders', 1, 'two', 'm-2'],
      ['orders', 1, 'three', 'm-3'],
    ]);
    expect(peer.received[0]).toMatchObject({ subject: 's', contentType: 'text/plain' });
    expect(peer.received[1]?.applicationProperties).toEqual({ a: 'x' });
    expect(peer.received[2]?.correlationId).toBe('c-3');
  });

  it('fails the SDK if the connection string carries the wrong key (CBS answers 401)', async () => {
    peer = await startServiceBusTestPeer();
    const wrongKey = peer.connectionString.replace(/SharedAccessKey=[^;]+/, 'SharedAccessKey=d3Jvbmc=');
    client = new ServiceBusClient(wrongKey, { retryOptions: { maxRetries: 0 } });
    await expect(client.createSender('webhooks').createMessageBatch()).rejects.toThrow();
    expect(peer.cbsRequests[0]).toMatchObject({
      statusCode: 401,
      reason: 'signature does not match the key',
    });
    expect(peer.transfers).toHaveLength(0);
  });

  it('fails the SDK if the entity does not exist (amqp:not-found)', async () => {
    peer = await startServiceBusTestPeer({ entities: ['webhooks'] });
    client = new ServiceBusClient(peer.connectionString, { retryOptions: { maxRetries: 0 } });
    await expect(client.createSender('typo').createMessageBatch()).rejects.toMatchObject({
      code: 'MessagingEntityNotFound',
    });
  });

  it('rejects transfers while refusing, accepts again after recover()', async () => {
    peer = await startServiceBusTestPeer();
    client = new ServiceBusClient(peer.connectionString, { retryOptions: { maxRetries: 0 } });
    const sender = client.createSender('webhooks');
    peer.refuse('amqp:resource-limit-exceeded', 'quota');
    await expect(sender.sendMessages({ body: Buffer.from('x') })).rejects.toMatchObject({
      code: 'QuotaExceeded',
    });
    expect(peer.received).toHaveLength(0);
    await peer.recover();
    await sender.sendMessages({ body: Buffer.from('y') });
    expect(peer.received.map((m) => m.body.toString())).toEqual(['y']);
    expect(peer.transfers.map((t) => t.outcome)).toEqual(['rejected', 'accepted']);
  });

  it('never settles while stalled, so only the sender abort ends the send', async () => {
    peer = await startServiceBusTestPeer();
    client = new ServiceBusClient(peer.connectionString, { retryOptions: { maxRetries: 0 } });
    const sender = client.createSender('webhooks');
    await sender.createMessageBatch();
    peer.stall();
    const send = sender.sendMessages({ body: Buffer.from('x') }, { abortSignal: AbortSignal.timeout(300) });
    await expect(send).rejects.toMatchObject({ name: 'AbortError' });
    expect(peer.transfers.map((t) => t.outcome)).toEqual(['stalled']);
    expect(peer.received).toHaveLength(0);
  });

  it('refuses connections while offline and serves the same port after recover()', async () => {
    peer = await startServiceBusTestPeer();
    client = new ServiceBusClient(peer.connectionString, {
      retryOptions: { maxRetries: 0, timeoutInMs: 2000 },
    });
    const sender = client.createSender('webhooks');
    await sender.sendMessages({ body: Buffer.from('before') });
    await peer.goOffline();
    await expect(sender.sendMessages({ body: Buffer.from('lost') })).rejects.toThrow();
    await peer.recover();
    await sender.sendMessages({ body: Buffer.from('after') });
    expect(peer.received.map((m) => m.body.toString())).toEqual(['before', 'after']);
    expect(peer.connectionCount).toBe(2);
  });

  it('answers a $management peek with 204 (no messages)', async () => {
    peer = await startServiceBusTestPeer();
    client = new ServiceBusClient(peer.connectionString);
    const receiver = client.createReceiver('webhooks');
    await expect(receiver.peekMessages(1)).resolves.toEqual([]);
    expect(peer.managementRequests).toEqual([
      { node: 'webhooks/$management', operation: 'com.microsoft:peek-message', statusCode: 204 },
    ]);
  });
});

describe('Service Bus test peer receiving side with the real SDK (peekLock, dead-letter queues)', () => {
  let peer: ServiceBusTestPeer;
  let client: ServiceBusClient;

  afterEach(async () => {
    await client.close();
    await peer.close();
  });

  it('completes, abandons (redelivered, delivery count 2) and dead-letters with reason and description', async () => {
    peer = await startServiceBusTestPeer({ entities: ['q'] });
    client = new ServiceBusClient(peer.connectionString, { retryOptions: { maxRetries: 0 } });
    await client.createSender('q').sendMessages(['a', 'b', 'c'].map((id) => ({ body: id, messageId: id })));
    const receiver = client.createReceiver('q');
    const [a, b, c] = await receiver.receiveMessages(3, { maxWaitTimeInMs: 2000 });
    expect([a?.messageId, b?.messageId, c?.messageId]).toEqual(['a', 'b', 'c']);
    expect(a?.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    await receiver.completeMessage(a!);
    await receiver.abandonMessage(b!);
    await receiver.deadLetterMessage(c!, { deadLetterReason: 'bad', deadLetterErrorDescription: 'very bad' });
    const again = await receiver.receiveMessages(5, { maxWaitTimeInMs: 300 });
    expect(again.map((m) => [m.messageId, m.deliveryCount])).toEqual([['b', 2]]);
    const dlq = client.createReceiver('q', { subQueueType: 'deadLetter' });
    const peeked = await dlq.peekMessages(10);
    expect(peeked.map((m) => [m.messageId, m.deadLetterReason, m.deadLetterErrorDescription])).toEqual([
      ['c', 'bad', 'very bad'],
    ]);
    expect(peer.messages('q/$DeadLetterQueue')).toHaveLength(1);
  });

  it('delivers seeded dead letters of a topic subscription and removes one once completed', async () => {
    peer = await startServiceBusTestPeer({ subscriptions: { events: ['audit'] } });
    client = new ServiceBusClient(peer.connectionString, { retryOptions: { maxRetries: 0 } });
    peer.deadLetter(
      'events/Subscriptions/audit',
      { body: '{"n":1}', messageId: 'm-1' },
      'MaxDeliveryCountExceeded',
    );
    const dlq = client.createReceiver('events', 'audit', { subQueueType: 'deadLetter' });
    const [message] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(message).toMatchObject({ messageId: 'm-1', deadLetterReason: 'MaxDeliveryCountExceeded' });
    await dlq.completeMessage(message!);
    expect(peer.messages('events/Subscriptions/audit/$DeadLetterQueue')).toHaveLength(0);
    await client.createSender('events').sendMessages({ body: 'x', messageId: 'm-2' });
    expect(peer.messages('events/Subscriptions/audit').map((m) => m.record.messageId)).toEqual(['m-2']);
  });

  it('delivers a message again once its lock expired, and refuses the late settlement (lock lost)', async () => {
    peer = await startServiceBusTestPeer({ lockDurationMs: 200 });
    client = new ServiceBusClient(peer.connectionString, { retryOptions: { maxRetries: 0 } });
    await client.createSender('q').sendMessages({ body: 'x', messageId: 'x' });
    const receiver = client.createReceiver('q', { maxAutoLockRenewalDurationInMs: 0 });
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(second).toMatchObject({ messageId: 'x', deliveryCount: 2 });
    await expect(receiver.completeMessage(first!)).rejects.toMatchObject({ code: 'MessageLockLost' });
    await receiver.completeMessage(second!);
    expect(peer.messages('q')).toHaveLength(0);
  });

  it('drops a message whose messageId the entity saw within the duplicate detection window', async () => {
    peer = await startServiceBusTestPeer({ duplicateDetection: true });
    client = new ServiceBusClient(peer.connectionString, { retryOptions: { maxRetries: 0 } });
    const sender = client.createSender('q');
    await sender.sendMessages({ body: 'first', messageId: 'same' });
    await sender.sendMessages({ body: 'retry', messageId: 'same' });
    await sender.sendMessages({ body: 'other', messageId: 'other' });
    expect(peer.received.map((m) => m.messageId)).toEqual(['same', 'other']);
    expect(peer.duplicatesDropped).toBe(1);
    expect(peer.messages('q')).toHaveLength(2);
  });
});

describe('Service Bus test peer with a raw AMQP client (what the SDK never does)', () => {
  let peer: ServiceBusTestPeer;
  let connection: Connection;

  beforeEach(async () => {
    peer = await startServiceBusTestPeer();
    connection = connect({ host: '127.0.0.1', port: peer.port, reconnect: false });
    await new Promise((resolve) => connection.once('connection_open', resolve));
  });

  afterEach(async () => {
    connection.close();
    await peer.close();
  });

  it('refuses a sender link to an entity without a CBS token on the connection', async () => {
    const sender = connection.open_sender('webhooks');
    const ctx = await new Promise<EventContext>((resolve) => sender.once('sender_error', resolve));
    expect(ctx.sender?.error).toMatchObject({ condition: 'amqp:unauthorized-access' });
  });

  it('answers a JWT put-token with 401: it cannot check Entra ID tokens, so it never accepts them', async () => {
    const replyTo = 'cbs-reply';
    connection.open_receiver({ source: { address: '$cbs' }, name: replyTo });
    const request = connection.open_sender({ target: { address: '$cbs' } });
    await new Promise((resolve) => request.once('sendable', resolve));
    const response = new Promise<EventContext>((resolve) => connection.once('message', resolve));
    request.send({
      message_id: 'req-1',
      reply_to: replyTo,
      body: 'eyJhbGciOi.fake.jwt',
      application_properties: {
        operation: 'put-token',
        type: 'jwt',
        name: `sb://127.0.0.1:${peer.port}/webhooks`,
      },
    });
    const reply = (await response).message;
    expect(reply?.correlation_id).toBe('req-1');
    expect(reply?.application_properties).toMatchObject({ 'status-code': 401 });
    expect(peer.cbsRequests).toEqual([expect.objectContaining({ tokenType: 'jwt', statusCode: 401 })]);
  });
});
