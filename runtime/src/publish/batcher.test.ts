import pino from 'pino';
import { createPublisher, type PublisherOptions } from './batcher';
import { RecordingSender } from './test-sender';
import { PublishError, type OutboundMessage } from './types';

const logger = pino({ level: 'silent' });

function message(i: number, bytes = 10): OutboundMessage {
  const id = `id-${i}`;
  return {
    key: 'client',
    messageId: id,
    correlationId: id,
    body: Buffer.alloc(bytes, 'a'),
    cloudEvent: {
      specversion: '1.0',
      id,
      source: '/webhooks/test',
      type: 'test',
      time: new Date(0).toISOString(),
      subject: 'client',
      datacontenttype: 'application/json',
    },
  };
}

const options: PublisherOptions = {
  lingerMs: 5,
  maxConcurrentBatches: 1,
  maxBatchMessages: 10,
  maxBatchBytes: 1000,
  maxInFlight: 100,
  timeoutMs: 200,
};

async function batchesSent(sender: RecordingSender, n: number): Promise<void> {
  while (sender.batches.length < n) await new Promise((r) => setTimeout(r, 1));
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof PublishError ? err.reason : `other: ${String(err)}`;
  }
}

describe('createPublisher coalescing', () => {
  it('coalesces concurrent publishes into one batch and resolves each once acknowledged', async () => {
    const sender = new RecordingSender();
    const publisher = createPublisher(sender, options, logger);
    await Promise.all([1, 2, 3, 4].map((i) => publisher.publish(message(i))));
    expect(sender.batches).toHaveLength(1);
    expect(sender.batches[0]?.map((m) => m.messageId)).toEqual(['id-1', 'id-2', 'id-3', 'id-4']);
  });

  it('flushes at once when maxBatchMessages is reached, without waiting for the linger', async () => {
    const sender = new RecordingSender();
    const publisher = createPublisher(sender, { ...options, lingerMs: 1000, maxBatchMessages: 3 }, logger);
    const all = Promise.all([1, 2, 3, 4, 5, 6].map((i) => publisher.publish(message(i))));
    await all; // would take 1 s if the count bound did not flush
    expect(sender.batches.map((b) => b.length)).toEqual([3, 3]);
  });

  it('never lets a batch exceed maxBatchBytes; an oversized message travels alone', async () => {
    const sender = new RecordingSender();
    const publisher = createPublisher(sender, { ...options, maxBatchBytes: 100 }, logger);
    await Promise.all([
      publisher.publish(message(1, 60)),
      publisher.publish(message(2, 60)),
      publisher.publish(message(3, 500)),
      publisher.publish(message(4, 30)),
    ]);
    expect(sender.batches.map((b) => b.map((m) => m.messageId))).toEqual([
      ['id-1'],
      ['id-2'],
      ['id-3'],
      ['id-4'],
    ]);
  });

  it('counts each message as its broker does (body, key and headers) against maxBatchBytes', async () => {
    const sender = new RecordingSender();
    sender.messageBytes = (m) => m.body.length + 100; // e.g. the key and headers
    const publisher = createPublisher(sender, { ...options, maxBatchBytes: 300 }, logger);
    expect(publisher.messageBytes(message(1, 50))).toBe(150);
    await Promise.all([1, 2, 3].map((i) => publisher.publish(message(i, 50))));
    expect(sender.batches.map((b) => b.map((m) => m.messageId))).toEqual([['id-1', 'id-2'], ['id-3']]);
  });

  it('does not resolve a publish before its batch is acknowledged', async () => {
    const sender = new RecordingSender();
    sender.mode = 'hang';
    const publisher = createPublisher(sender, { ...options, timeoutMs: 5000 }, logger);
    let done = false;
    const p = publisher.publish(message(1)).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(sender.batches).toHaveLength(1);
    expect(done).toBe(false);
    sender.releaseAll();
    await p;
    expect(done).toBe(true);
  });
});

describe('createPublisher adaptive batching under load', () => {
  it('with maxConcurrentBatches sends waiting, gathers past the linger and sends the rest at once when one returns', async () => {
    const sender = new RecordingSender();
    sender.mode = 'hang';
    const publisher = createPublisher(sender, { ...options, timeoutMs: 5000 }, logger);
    const first = publisher.publish(message(1));
    await batchesSent(sender, 1);
    const rest = [2, 3, 4].map((i) => publisher.publish(message(i)));
    await new Promise((r) => setTimeout(r, 4 * options.lingerMs)); // several lingers pass
    expect(sender.batches).toHaveLength(1); // nothing flushed while the one send slot was taken
    sender.mode = 'ack';
    sender.releaseAll();
    await Promise.all([first, ...rest]);
    expect(sender.batches.map((b) => b.map((m) => m.messageId))).toEqual([
      ['id-1'],
      ['id-2', 'id-3', 'id-4'],
    ]);
  });

  it('with a free send slot, flushes on the linger even while another send waits', async () => {
    const sender = new RecordingSender();
    sender.mode = 'hang';
    const publisher = createPublisher(
      sender,
      { ...options, maxConcurrentBatches: 2, timeoutMs: 5000 },
      logger,
    );
    const first = publisher.publish(message(1));
    await batchesSent(sender, 1);
    const second = publisher.publish(message(2));
    await batchesSent(sender, 2);
    expect(sender.batches.map((b) => b.length)).toEqual([1, 1]);
    sender.releaseAll();
    await Promise.all([first, second]);
  });

  it('still flushes a full batch at once while the send slot is taken', async () => {
    const sender = new RecordingSender();
    sender.mode = 'hang';
    const publisher = createPublisher(sender, { ...options, maxBatchMessages: 2, timeoutMs: 5000 }, logger);
    const all = [1, 2, 3, 4].map((i) => publisher.publish(message(i)));
    await batchesSent(sender, 2);
    expect(sender.batches.map((b) => b.length)).toEqual([2, 2]);
    sender.releaseAll();
    await Promise.all(all);
  });

  it('a message gathered behind a send that never returns still rejects by its own deadline', async () => {
    const sender = new RecordingSender();
    sender.mode = 'hang';
    const publisher = createPublisher(sender, { ...options, timeoutMs: 100 }, logger);
    const first = reason(publisher.publish(message(1)));
    await batchesSent(sender, 1);
    const started = Date.now();
    const behind = reason(publisher.publish(message(2)));
    expect(await first).toBe('timeout');
    expect(await behind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('createPublisher failures', () => {
  it('rejects every message of a failed batch with unavailable', async () => {
    const sender = new RecordingSender();
    sender.mode = 'fail';
    const publisher = createPublisher(sender, options, logger);
    const results = await Promise.all([1, 2].map((i) => reason(publisher.publish(message(i)))));
    expect(results).toEqual(['unavailable', 'unavailable']);
  });

  it('rejects only the message the broker can never take (too-large); the others of its batch resolve', async () => {
    const sender = new RecordingSender();
    sender.tooLarge = (m) => m.messageId === 'id-2';
    const publisher = createPublisher(sender, options, logger);
    const results = await Promise.all([1, 2, 3].map((i) => reason(publisher.publish(message(i)))));
    expect(sender.batches).toHaveLength(1);
    expect(results).toEqual(['resolved', 'too-large', 'resolved']);
    expect(publisher.isReady()).toBe(true);
  });

  it('rejects with timeout after timeoutMs and aborts the sender signal', async () => {
    const sender = new RecordingSender();
    sender.mode = 'hang';
    const publisher = createPublisher(sender, { ...options, timeoutMs: 100 }, logger);
    const started = Date.now();
    expect(await reason(publisher.publish(message(1)))).toBe('timeout');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1000);
    expect(sender.signals[0]?.aborted).toBe(true);
  });

  it('rejects at once with overloaded when maxInFlight messages are held', async () => {
    const sender = new RecordingSender();
    sender.mode = 'hang';
    const publisher = createPublisher(sender, { ...options, maxInFlight: 2, timeoutMs: 5000 }, logger);
    const held = [publisher.publish(message(1)), publisher.publish(message(2))];
    expect(await reason(publisher.publish(message(3)))).toBe('overloaded');
    await batchesSent(sender, 1);
    sender.releaseAll();
    await Promise.all(held);
    // Capacity is given back once the sender returned.
    sender.mode = 'ack';
    await expect(publisher.publish(message(4))).resolves.toBeUndefined();
  });

  it('recovers after failures: the next batch is sent and acknowledged', async () => {
    const sender = new RecordingSender();
    const publisher = createPublisher(sender, options, logger);
    sender.mode = 'fail';
    expect(await reason(publisher.publish(message(1)))).toBe('unavailable');
    sender.mode = 'ack';
    expect(await reason(publisher.publish(message(2)))).toBe('resolved');
  });

  it('while disconnected lets one probe batch through and rejects the rest at once', async () => {
    const sender = new RecordingSender();
    sender.connected = false;
    sender.mode = 'hang';
    const publisher = createPublisher(sender, { ...options, timeoutMs: 5000 }, logger);
    expect(publisher.isReady()).toBe(false);
    const probe = publisher.publish(message(1));
    expect(await reason(publisher.publish(message(2)))).toBe('unavailable');
    sender.connected = true;
    await batchesSent(sender, 1);
    sender.releaseAll();
    await expect(probe).resolves.toBeUndefined();
    expect(publisher.isReady()).toBe(true);
  });
});

describe('createPublisher draining', () => {
  it('finishes in-flight publishes on close, then rejects new ones with draining and closes the sender', async () => {
    const sender = new RecordingSender();
    sender.mode = 'hang';
    const publisher = createPublisher(sender, { ...options, lingerMs: 1000, timeoutMs: 5000 }, logger);
    const inFlight = publisher.publish(message(1));
    const closing = publisher.close();
    expect(publisher.isReady()).toBe(false);
    expect(await reason(publisher.publish(message(2)))).toBe('draining');
    expect(sender.batches).toHaveLength(1); // the lingering buffer was flushed by close()
    expect(sender.closed).toBe(false);
    sender.releaseAll();
    await closing;
    await expect(inFlight).resolves.toBeUndefined();
    expect(sender.closed).toBe(true);
  });

  it('stops waiting when the close signal aborts, rejecting what is still unacknowledged', async () => {
    const sender = new RecordingSender();
    sender.mode = 'hang';
    const publisher = createPublisher(sender, { ...options, timeoutMs: 60_000 }, logger);
    const stuck = publisher.publish(message(1));
    await new Promise((r) => setTimeout(r, 20));
    await publisher.close(AbortSignal.timeout(50));
    expect(await reason(stuck)).toBe('draining');
    expect(sender.closed).toBe(true);
  });
});

describe('createPublisher validation', () => {
  it('fails if an option is out of range, naming the field, range and value', () => {
    expect(() => createPublisher(new RecordingSender(), { ...options, maxInFlight: 0 }, logger)).toThrow(
      'createPublisher: maxInFlight must be an integer from 1 to 10000000, received 0',
    );
  });
});
