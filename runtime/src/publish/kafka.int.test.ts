/**
 * The Kafka adapter against a real Apache Kafka (KRaft, test/kafka/kafka.sh): what is sent is
 * what a consumer reads; failures are reported in time and recovered from without a new sender.
 * Broker loss is played on a private broker so the run's shared broker (ensureKafka) stays up.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { TokenCredential } from '@azure/identity';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import {
  ensureKafka,
  KAFKA_START_TIMEOUT_MS,
  SASL_PLAIN_TEST_USER,
  startPrivateKafka,
  uniqueTopic,
  type PrivateKafka,
} from '../../../test/kafka/ensure-kafka';
import { createTopic, readTopic } from '../../../test/kafka/topic';
import { createRuntime } from '../http/node-listener';
import { SECRET, webhook } from '../http/test-fixtures';
import { createVerifier } from '../verify';
import { createPublisher } from './batcher';
import { createKafkaSender, type KafkaSenderOptions } from './kafka';
import type { BrokerSender, OutboundMessage } from './types';

/** A pino logger whose JSON lines are kept for assertions. */
function captureLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

function message(clientId: string, n: number): OutboundMessage {
  const correlationId = randomUUID();
  const receivedAt = new Date().toISOString();
  // The sender's JSON; the correlationId and receive time travel as the ce_id/ce_time headers.
  const body = { clientId, opportunity: { id: n, name: `deal ${n}` } };
  return {
    key: clientId,
    messageId: correlationId,
    correlationId,
    body: Buffer.from(JSON.stringify(body)),
    cloudEvent: {
      specversion: '1.0',
      id: correlationId,
      source: '/webhooks/test',
      type: 'com.cdktf-azure-webhooks.webhook.received',
      time: receivedAt,
      subject: clientId,
      datacontenttype: 'application/json',
    },
  };
}

function options(
  brokers: string[],
  topic: string,
  extra: Partial<KafkaSenderOptions> = {},
): KafkaSenderOptions {
  return { brokers, topic, clientId: 'kafka-test', ssl: false, requestTimeoutMs: 10_000, ...extra };
}

const senders: BrokerSender[] = [];
function track(sender: BrokerSender): BrokerSender {
  senders.push(sender);
  return sender;
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

afterAll(async () => {
  await Promise.all(senders.map((s) => s.close()));
});

describe('createKafkaSender against the shared broker', () => {
  let brokers: string[];
  beforeAll(async () => {
    ({ brokers } = await ensureKafka());
  }, KAFKA_START_TIMEOUT_MS);

  test('a sent batch is read back by a consumer with the exact key, JSON value and ce_* headers', async () => {
    const topic = uniqueTopic('sender-roundtrip');
    await createTopic(brokers, topic);
    const sender = track(createKafkaSender(options(brokers, topic), pino({ level: 'silent' })));
    await sender.connect();
    expect(sender.isConnected()).toBe(true);

    const sent = [message('client-a', 1), message('client-b', 2), message('client-a', 3)];
    await sender.sendBatch(sent, new AbortController().signal);

    const read = await readTopic(brokers, topic, sent.length);
    expect(read).toHaveLength(sent.length);
    for (const m of sent) {
      const got = read.find((r) => r.headers.ce_id === m.correlationId);
      expect(got).toBeDefined();
      expect(got?.key).toBe(m.key);
      expect(got?.value).toBe(m.body.toString('utf8'));
      expect(JSON.parse(got?.value ?? 'null')).toEqual(JSON.parse(m.body.toString('utf8')));
      expect(got?.headers).toEqual({
        ce_specversion: '1.0',
        ce_id: m.correlationId,
        ce_source: '/webhooks/test',
        ce_type: 'com.cdktf-azure-webhooks.webhook.received',
        ce_time: m.cloudEvent.time,
        ce_subject: m.key,
        'content-type': 'application/json',
      });
    }
    // Same key, same partition: per-client ordering.
    const a = read.filter((r) => r.key === 'client-a');
    expect(new Set(a.map((r) => r.partition)).size).toBe(1);
    expect(
      a.map((r) => (JSON.parse(r.value ?? '{}') as { opportunity: { id: number } }).opportunity.id),
    ).toEqual([1, 3]);
  });

  test('concurrent batches for one key are stored once each, in call order', async () => {
    const topic = uniqueTopic('sender-concurrent');
    await createTopic(brokers, topic);
    const sender = track(createKafkaSender(options(brokers, topic), pino({ level: 'silent' })));
    await sender.connect();
    const batches = Array.from({ length: 40 }, (_, b) => [0, 1, 2].map((i) => message('ordered', b * 3 + i)));
    await Promise.all(batches.map((batch) => sender.sendBatch(batch, AbortSignal.timeout(10_000))));
    const read = await readTopic(brokers, topic, 121, 5000);
    const ids = read.map(
      (r) => (JSON.parse(r.value ?? '{}') as { opportunity: { id: number } }).opportunity.id,
    );
    expect(ids).toEqual(Array.from({ length: 120 }, (_, i) => i));
  });

  test('connect() fails when the topic does not exist, and does not create it', async () => {
    const topic = uniqueTopic('sender-missing');
    const sender = track(createKafkaSender(options(brokers, topic), pino({ level: 'silent' })));
    await expect(sender.connect()).rejects.toThrow(
      `Kafka topic "${topic}" does not exist; it is never auto-created`,
    );
    expect(sender.isConnected()).toBe(false);
    const admin = new Kafka({ clientId: 'kafka-test-admin', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).not.toContain(topic);
  });

  test('a batch the broker refuses (too large) rejects and leaves the sender connected', async () => {
    const topic = uniqueTopic('sender-too-large');
    await createTopic(brokers, topic, 1);
    const sender = track(createKafkaSender(options(brokers, topic), pino({ level: 'silent' })));
    await sender.connect();
    // Random bytes do not compress: over the broker's 1 MiB message.max.bytes even after gzip.
    const huge = {
      ...message('client-big', 1),
      body: Buffer.from(JSON.stringify(randomBytes(1_500_000).toString('base64'))),
    };
    await expect(sender.sendBatch([huge], new AbortController().signal)).rejects.toThrow(
      /too large|MESSAGE_TOO_LARGE|larger than/i,
    );
    expect(sender.isConnected()).toBe(true);
    await sender.sendBatch([message('client-ok', 2)], new AbortController().signal);
    expect(await readTopic(brokers, topic, 1)).toHaveLength(1);
  });

  test("partitions a long key with 32-bit multiplications, linear in the key, not kafkajs' BigInt murmur2", async () => {
    const topic = uniqueTopic('sender-long-key');
    await createTopic(brokers, topic, 3);
    const sender = track(createKafkaSender(options(brokers, topic), pino({ level: 'silent' })));
    await sender.connect();
    const key = 'k'.repeat(64 * 1024);
    const m = message('long', 1);
    const long = { ...m, key, cloudEvent: { ...m.cloudEvent, subject: 'long' } };
    // Counts every Math.imul in the process while the batch is partitioned and sent: Java's murmur2
    // on 32-bit integers makes 3 per 4 bytes of key (kafkajs' own makes none: it multiplies BigInts
    // that grow with the key, quadratic in its length).
    const imul = Math.imul;
    let multiplications = 0;
    Math.imul = (a: number, b: number) => {
      multiplications += 1;
      return imul(a, b);
    };
    try {
      await sender.sendBatch([long], AbortSignal.timeout(10_000));
    } finally {
      Math.imul = imul;
    }
    expect(multiplications).toBeGreaterThanOrEqual((3 * key.length) / 4);
    const [read] = await readTopic(brokers, topic, 1);
    expect(read?.key).toBe(key);
  });

  test('answers 413 for the webhook its key and headers make too large; the 49 others batched with it get 202 and are on the topic', async () => {
    const topic = uniqueTopic('sender-oversized');
    await createTopic(brokers, topic, 3);
    const logger = pino({ level: 'silent' });
    const sender = track(createKafkaSender(options(brokers, topic), logger));
    await sender.connect();
    const publisher = createPublisher(
      sender,
      {
        lingerMs: 20,
        maxConcurrentBatches: 1,
        maxBatchMessages: 256,
        maxBatchBytes: 900_000,
        maxInFlight: 1000,
        timeoutMs: 10_000,
      },
      logger,
    );
    const maxMessageBytes = 20_000;
    const { app } = createRuntime({
      maxBodyBytes: 1_048_576,
      maxMessageBytes,
      verifier: createVerifier('github', [SECRET]),
      publisher,
      logger,
    });
    // The body is 100 bytes under MAX_MESSAGE_BYTES; the 256-character clientId again as the key
    // and as ce_subject, and the other headers, put the record over it.
    const prefix = `{"clientId":"${'k'.repeat(256)}","opportunity":{"pad":"`;
    const oversized = `${prefix}${'x'.repeat(maxMessageBytes - 100 - prefix.length - 3)}"}}`;
    const normal = (i: number) => JSON.stringify({ clientId: `client-${i}`, opportunity: { id: i } });
    const bodies = Array.from({ length: 50 }, (_, i) => (i === 13 ? oversized : normal(i)));
    const statuses = await Promise.all(
      bodies.map(async (body) => (await app.request('/webhook', webhook(body))).status),
    );
    const others = statuses.filter((_, i) => i !== 13);
    expect({ oversized: statuses[13], othersAccepted: others.filter((st) => st === 202).length }).toEqual({
      oversized: 413,
      othersAccepted: 49,
    });
    const read = await readTopic(brokers, topic, 49);
    expect(read.every((r) => r.key?.startsWith('client-'))).toBe(true);
    const admin = new Kafka({ clientId: 'kafka-test-admin', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)).toBe(49);
    await publisher.close();
  });

  test('kafkajs logs go to the pino logger as JSON, tagged with their kafkajs namespace', async () => {
    const { logger, lines } = captureLogger();
    const sender = track(createKafkaSender(options(['127.0.0.1:1'], 'nowhere'), logger));
    await expect(sender.connect()).rejects.toThrow();
    expect(lines.some((l) => typeof l.kafkajs === 'string' && l.bus === 'kafka')).toBe(true);
    expect(
      lines.filter((l) => l.msg === 'kafka connect failed; reconnecting in the background'),
    ).toHaveLength(1);
  });

  test('connect() rejects within the connection time-out when no broker listens', async () => {
    const sender = track(createKafkaSender(options(['127.0.0.1:1'], 'nowhere'), pino({ level: 'silent' })));
    const started = Date.now();
    await expect(sender.connect()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(sender.isConnected()).toBe(false);
  });
});

describe('createKafkaSender when its broker goes away and comes back', () => {
  let broker: PrivateKafka;
  let topic: string;
  let sender: BrokerSender;
  const ok = () => new AbortController().signal;

  beforeAll(async () => {
    broker = await startPrivateKafka('sender-outage', { saslPlain: true });
    topic = uniqueTopic('sender-outage');
    await createTopic(broker.brokers, topic, 1);
    sender = track(
      createKafkaSender(
        options(broker.brokers, topic, { healthCheckIntervalMs: 500, reconnectMaxDelayMs: 500 }),
        pino({ level: 'silent' }),
      ),
    );
    await sender.connect();
  }, KAFKA_START_TIMEOUT_MS);

  afterAll(async () => {
    await sender.close();
    await broker.destroy();
  }, 60_000);

  test('SASL PLAIN with Event Hubs-shaped credentials ($ConnectionString): a batch round-trips', async () => {
    const plain = track(
      createKafkaSender(
        options(broker.saslBrokers, topic, { sasl: { mechanism: 'plain', ...SASL_PLAIN_TEST_USER } }),
        pino({ level: 'silent' }),
      ),
    );
    await plain.connect();
    await plain.sendBatch([message('sasl', -1)], ok());
    await plain.close();
    const read = await readTopic(broker.brokers, topic, 1);
    expect(read.map((r) => r.key)).toEqual(['sasl']);
  }, 60_000);

  test('SASL PLAIN with a wrong password: connect() rejects with the authentication error', async () => {
    const wrong = track(
      createKafkaSender(
        options(broker.saslBrokers, topic, {
          sasl: { mechanism: 'plain', username: SASL_PLAIN_TEST_USER.username, password: 'wrong' },
        }),
        pino({ level: 'silent' }),
      ),
    );
    await expect(wrong.connect()).rejects.toThrow(/SASL PLAIN authentication failed/);
    expect(wrong.isConnected()).toBe(false);
    await wrong.close();
  }, 60_000);

  test('SASL OAUTHBEARER: the credential is asked for the namespace scope and its token is accepted', async () => {
    const scopes: string[] = [];
    // A test double for the Azure credential (Entra ID is unreachable here): it hands out unsigned
    // JWTs, which this broker's unsecured validator checks (sub, exp) like a real token's claims.
    const credential: TokenCredential = {
      getToken: (scope) => {
        scopes.push(...[scope].flat());
        return Promise.resolve({ token: unsecuredJwt(3600), expiresOnTimestamp: Date.now() + 3_600_000 });
      },
    };
    const bearer = track(
      createKafkaSender(
        options(broker.saslBrokers, topic, { sasl: { mechanism: 'oauthbearer', credential } }),
        pino({ level: 'silent' }),
      ),
    );
    await bearer.connect();
    await bearer.sendBatch([message('oauth', -2)], ok());
    await bearer.close();
    expect(new Set(scopes)).toEqual(new Set(['https://127.0.0.1/.default']));
  }, 60_000);

  test('SASL OAUTHBEARER with an expired token: connect() rejects (the broker checked the token)', async () => {
    const credential: TokenCredential = {
      getToken: () => Promise.resolve({ token: unsecuredJwt(-60), expiresOnTimestamp: Date.now() - 60_000 }),
    };
    const expired = track(
      createKafkaSender(
        options(broker.saslBrokers, topic, { sasl: { mechanism: 'oauthbearer', credential } }),
        pino({ level: 'silent' }),
      ),
    );
    // kafkajs surfaces the broker's refusal as a SASL state error on the next request.
    await expect(expired.connect()).rejects.toThrow(/SASL/);
    expect(expired.isConnected()).toBe(false);
    await expired.close();
  }, 60_000);

  test('broker killed: sendBatch rejects within the time-out and isConnected() turns false', async () => {
    await sender.sendBatch([message('before', 0)], ok());
    await broker.stop({ kill: true });
    const started = Date.now();
    await expect(sender.sendBatch([message('during', 1)], AbortSignal.timeout(4000))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(4500);
    expect(sender.isConnected()).toBe(false);
  }, 60_000);

  test(
    'broker restarted: the same sender connects again by itself and sends succeed',
    async () => {
      await broker.start();
      await eventually(() => sender.isConnected(), 20_000);
      await sender.sendBatch([message('after', 2)], AbortSignal.timeout(10_000));
      const read = await readTopic(broker.brokers, topic, 5, 5000);
      expect(read.map((r) => r.key).sort()).toEqual(['after', 'before', 'oauth', 'sasl']);
    },
    KAFKA_START_TIMEOUT_MS,
  );

  test(
    'broker stopped while idle: the health check turns isConnected() false without any send',
    async () => {
      expect(sender.isConnected()).toBe(true);
      await broker.stop();
      await eventually(() => !sender.isConnected(), 5000);
      await broker.start();
      await eventually(() => sender.isConnected(), 20_000);
    },
    KAFKA_START_TIMEOUT_MS,
  );

  test('stalled broker (accepts, never answers): aborted sends reject at once; one queued behind is never sent', async () => {
    await broker.pause();
    try {
      const first = new AbortController();
      const queued = new AbortController();
      const reason = new Error('publish time-out');
      setTimeout(() => queued.abort(reason), 300);
      setTimeout(() => first.abort(reason), 500);
      const started = Date.now();
      const inFlight = sender.sendBatch([message('stalled', 3)], first.signal);
      const behind = sender.sendBatch([message('stalled-queued', 4)], queued.signal);
      await expect(behind).rejects.toBe(reason);
      await expect(inFlight).rejects.toBe(reason);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(sender.isConnected()).toBe(false);
    } finally {
      await broker.resume();
    }
    await eventually(() => sender.isConnected(), 20_000);
    await sender.sendBatch([message('resumed', 5)], AbortSignal.timeout(10_000));
    // The stalled send's outcome was unknown (it may land once the broker resumes); the one queued
    // behind it was withdrawn before it reached the broker, so it must never appear.
    const keys = (await readTopic(broker.brokers, topic, 100, 5000)).map((r) => r.key);
    expect(keys).toContain('resumed');
    expect(keys).not.toContain('stalled-queued');
  }, 60_000);
});

/** An unsigned JWT (alg "none") expiring in `expiresInS` seconds, for Kafka's unsecured validator. */
function unsecuredJwt(expiresInS: number): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ sub: 'webhook-runtime', iat: now - 120, exp: now + expiresInS })}.`;
}
