/**
 * Kafka adapter for the shared publisher (./batcher.ts): Apache Kafka, or the Event Hubs Kafka
 * endpoint (SASL_SSL with PLAIN `$ConnectionString` or OAUTHBEARER with an Entra token).
 *
 * - One `producer.send` per batch: idempotent producer, acks=-1 (all in-sync replicas), gzip (the
 *   only codec Event Hubs accepts), key = clientId, value = the JSON body, CloudEvents 1.0 Kafka
 *   binary mode headers (`ce_*` + `content-type`). Partitioned as Java clients partition
 *   (./kafka-partitioner.ts: murmur2 on 32-bit integers, linear in the key). A message counts as
 *   the Java producer counts it (`messageBytes`, ./message-size.ts) for the 413 guard and batching.
 * - Connection semantics: `connect()` makes one bounded attempt (shared with any attempt already
 *   running) and rejects fast when the broker or the topic cannot be reached; it never relies on
 *   topic auto-creation (Event Hubs cannot create topics from Kafka). From the first `connect()` on,
 *   a supervisor reconnects in the background with backoff, and checks an idle connection with a
 *   metadata request, so `isConnected()` turns false when the broker goes away and true when it is
 *   back, without a restart. A send while disconnected first joins a reconnect attempt.
 * - Idempotence: one produce in flight per session, and a session whose send ended with an unknown
 *   outcome (failed after retries, or aborted by the publish time-out) is retired; the reconnect
 *   gets a fresh producer id (see ./kafka-session.ts for the kafkajs sequence hazard this avoids).
 *   Such a send may still have been stored: delivery is at-least-once (a sender's retry can
 *   duplicate it), never "acknowledged but lost". A batch aborted before it was sent is not sent.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { KafkaSession, type SendEntry } from './kafka-session';
import { brokerRefused, forwardLog, saslOptions, type KafkaSasl } from './kafka-support';
import { kafkaRecordBytes } from './message-size';
import type { BrokerSender, OutboundMessage } from './types';

export { toKafkaMessage } from './kafka-support';

export interface KafkaSenderOptions {
  /** Bootstrap `host:port` list (Event Hubs: `<namespace>.servicebus.windows.net:9093`). */
  brokers: string[];
  /** Must exist: it is checked on connect and never auto-created. */
  topic: string;
  clientId: string;
  ssl: boolean;
  sasl?: KafkaSasl;
  /** Kafka request time-out (Event Hubs recommends > 20 s); a publish is still bounded by its signal. */
  requestTimeoutMs: number;
  /**
   * How long the connection may stay idle before a metadata request checks it.
   * @default 5000
   */
  healthCheckIntervalMs?: number;
  /**
   * Upper bound of the reconnect backoff (it starts at 250 ms and doubles).
   * @default 5000
   */
  reconnectMaxDelayMs?: number;
  /**
   * TCP (and TLS) connect time-out per broker; a whole connect attempt (connection, SASL, topic
   * metadata, InitProducerId) is bounded by twice this.
   * @default 5000
   */
  connectionTimeoutMs?: number;
  /**
   * Batches waiting while a send is in flight are merged into one produce request up to this size
   * (Event Hubs' Kafka max.request.size is 1,046,528 bytes); a larger single batch travels alone.
   * @default 900000
   */
  maxRequestBytes?: number;
}

export function createKafkaSender(options: KafkaSenderOptions, logger: Logger): BrokerSender {
  validate(options);
  const log = logger.child({ bus: 'kafka', topic: options.topic });
  const healthCheckIntervalMs = options.healthCheckIntervalMs ?? 5000;
  const reconnectMaxDelayMs = options.reconnectMaxDelayMs ?? 5000;
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 5000;
  // A broker that accepts TCP but never answers would otherwise hold an attempt for requestTimeoutMs.
  const connectAttemptMs = 2 * connectionTimeoutMs;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ssl: options.ssl,
    ...(options.sasl === undefined ? {} : { sasl: saslOptions(options.sasl, options.brokers, log) }),
    connectionTimeout: connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    // Failures surface fast; the supervisor below does the patient reconnecting.
    retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.INFO,
    logCreator: () => (entry) => forwardLog(log, entry),
  });

  /** The current session, if connected. */
  let session: KafkaSession | undefined;
  /** Every session not yet closed: the current one and retired ones whose sends still settle. */
  const sessions = new Set<KafkaSession>();
  let connecting: Promise<KafkaSession> | undefined;
  let lastOkAt = 0;
  let supervisor: NodeJS.Timeout | undefined;
  let supervising = false;
  let reconnectDelay = 250;
  let closed = false;
  let failuresLogged = 0;

  const settings = {
    topic: options.topic,
    requestTimeoutMs: options.requestTimeoutMs,
    maxRequestBytes: options.maxRequestBytes ?? 900_000,
    onResult: (s: KafkaSession, error?: unknown) => {
      if (error === undefined) lastOkAt = Date.now();
      // The broker answered "no" (e.g. MESSAGE_TOO_LARGE): nothing stored, the session is sound.
      else if (!brokerRefused(error)) retire(s, 'send failed');
    },
  };

  /** One attempt at a time; every caller shares it. */
  const ensureSession = (): Promise<KafkaSession> => {
    if (session !== undefined) return Promise.resolve(session);
    connecting ??= KafkaSession.open(kafka, settings, connectAttemptMs)
      .then((s) => {
        sessions.add(s);
        void s.closed.then(() => sessions.delete(s));
        if (closed) {
          void s.shut();
          throw new Error('Kafka sender is closed');
        }
        session = s;
        lastOkAt = Date.now();
        reconnectDelay = 250;
        if (failuresLogged > 0) log.info('kafka connected again');
        failuresLogged = 0;
        return s;
      })
      .catch((err: unknown) => {
        // The first failure of a streak is a warning, the repeats are debug: no log flood while down.
        if (failuresLogged === 0) log.warn({ err }, 'kafka connect failed; reconnecting in the background');
        else log.debug({ err }, 'kafka connect failed again');
        failuresLogged += 1;
        throw err;
      })
      .finally(() => {
        connecting = undefined;
      });
    return connecting;
  };

  /** Stops using a session; its unsent batches go to the next one. */
  const retire = (s: KafkaSession, reason: string): void => {
    if (s.retired) return;
    if (session === s) session = undefined;
    const unsent = s.retire();
    log.debug({ reason, inFlight: s.inFlight, requeued: unsent.length }, 'kafka session retired');
    for (const entry of unsent) dispatch(entry);
  };

  /** Puts an entry on the current session's queue, connecting first when needed. */
  const dispatch = (entry: SendEntry): void => {
    ensureSession().then(
      (s) => {
        if (entry.state !== 'waiting') return; // aborted meanwhile
        if (s.retired)
          dispatch(entry); // lost before its turn: to the next session
        else s.enqueue(entry);
      },
      (err: unknown) => entry.finish(err),
    );
  };

  /** Reconnects while disconnected; checks an idle connection. Runs from the first connect() to close(). */
  const tick = async (): Promise<number> => {
    const s = session;
    if (s === undefined) {
      const delay = reconnectDelay;
      reconnectDelay = Math.min(reconnectDelay * 2, reconnectMaxDelayMs);
      await ensureSession().catch(() => undefined);
      return session === undefined ? delay : healthCheckIntervalMs;
    }
    const idleMs = Date.now() - lastOkAt;
    if (idleMs < healthCheckIntervalMs) return healthCheckIntervalMs - idleMs;
    try {
      await s.check(healthCheckIntervalMs);
      lastOkAt = Date.now();
      return healthCheckIntervalMs;
    } catch (err) {
      log.warn({ err }, 'kafka health check failed; reconnecting');
      retire(s, 'health check failed');
      return 0;
    }
  };
  const schedule = (ms: number): void => {
    if (closed) return;
    supervisor = setTimeout(() => void tick().then(schedule), ms);
    supervisor.unref();
  };

  const connect = async (): Promise<void> => {
    if (closed) throw new Error('Kafka sender is closed');
    if (!supervising) {
      supervising = true;
      schedule(healthCheckIntervalMs);
    }
    await ensureSession();
  };

  const sendBatch = (messages: readonly OutboundMessage[], signal: AbortSignal): Promise<void> => {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (closed) return Promise.reject(new Error('Kafka sender is closed'));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        // Queued: withdrawn, never sent. Sending: the outcome is unknown, so the session is retired.
        if (entry.state === 'queued') entry.session?.withdraw(entry);
        else if (entry.state === 'sending' && entry.session !== undefined)
          retire(entry.session, 'send aborted');
        entry.finish(signal.reason);
      };
      const entry: SendEntry = {
        messages,
        bytes: messages.reduce((n, m) => n + kafkaRecordBytes(m), 0),
        state: 'waiting',
        finish: (error?: unknown) => {
          if (entry.state === 'done') return;
          entry.state = 'done';
          signal.removeEventListener('abort', onAbort);
          if (error === undefined) resolve();
          else reject(error instanceof Error ? error : new Error(String(error)));
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      dispatch(entry);
    });
  };

  const close = async (): Promise<void> => {
    closed = true;
    if (supervisor !== undefined) clearTimeout(supervisor);
    supervisor = undefined;
    await connecting?.catch(() => undefined);
    session = undefined;
    // Shutdown: the publisher already waited for its sends (bounded), so close everything now.
    await Promise.all([...sessions].map((s) => s.shut()));
  };

  return {
    name: 'kafka',
    connect,
    sendBatch,
    isConnected: () => session !== undefined,
    close,
    messageBytes: kafkaRecordBytes,
  };
}

function validate(o: KafkaSenderOptions): void {
  if (o.brokers.length === 0)
    throw new RangeError('createKafkaSender: brokers must list at least one host:port');
  for (const b of o.brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) {
      throw new RangeError(`createKafkaSender: brokers entries must be host:port, received "${b}"`);
    }
  }
  if (o.topic.trim() === '') throw new RangeError('createKafkaSender: topic must be a non-empty string');
  const ints: Array<[keyof KafkaSenderOptions, number | undefined, number, number]> = [
    ['requestTimeoutMs', o.requestTimeoutMs, 100, 600_000],
    ['healthCheckIntervalMs', o.healthCheckIntervalMs, 100, 600_000],
    ['reconnectMaxDelayMs', o.reconnectMaxDelayMs, 100, 600_000],
    ['connectionTimeoutMs', o.connectionTimeoutMs, 100, 600_000],
    ['maxRequestBytes', o.maxRequestBytes, 1024, 100 * 1_048_576],
  ];
  for (const [field, v, min, max] of ints) {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max)) {
      throw new RangeError(
        `createKafkaSender: ${field} must be an integer from ${min} to ${max}, received ${v}`,
      );
    }
  }
}
