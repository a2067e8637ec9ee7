/**
 * The runtime's configuration, read from the environment once at start (fail fast). `loadConfig` is
 * pure: it throws a {@link ConfigError} naming every invalid or missing variable, and the entry
 * (./main.ts) prints that as one JSON log line and exits 1. Secret values are never echoed.
 *
 * The broker option objects are, field for field, `KafkaSenderOptions` (./publish/kafka.ts) and
 * `ServiceBusSenderOptions` (./publish/servicebus.ts); main.ts passes them through unchanged, so the
 * compiler checks that the shapes agree.
 */
// zod/mini: the same validators as zod, ~18 KB instead of ~580 KB on the start path.
import type { PublisherOptions } from './publish/batcher';
import { parseSecretList, secretProblem } from './verify/secrets';
import * as z from 'zod/mini';

export const VERIFY_SCHEMES = [
  'standard-webhooks',
  'github',
  'stripe',
  'shopify',
  'api-key',
  'none',
] as const;
export type VerifyScheme = (typeof VERIFY_SCHEMES)[number];

export interface KafkaBusOptions {
  brokers: string[];
  topic: string;
  clientId: string;
  ssl: boolean;
  sasl?: { mechanism: 'plain'; username: string; password: string } | { mechanism: 'oauthbearer' };
  requestTimeoutMs: number;
}

export interface ServiceBusBusOptions {
  connection:
    | { kind: 'connectionString'; connectionString: string }
    | { kind: 'namespace'; fullyQualifiedNamespace: string };
  entityName: string;
  /** PUBLISH_TIMEOUT_MS: bounds one SDK attempt and `connect()`. */
  timeoutMs: number;
}

export type BusConfig =
  { kind: 'kafka'; options: KafkaBusOptions } | { kind: 'servicebus'; options: ServiceBusBusOptions };

/** The publisher's options (publish/batcher.ts), fixed here once from the environment. */
export type PublisherConfig = PublisherOptions;

/** node:http server limits (./server.ts). Fixed, not read from the environment: see the constants. */
export interface HttpServerConfig {
  /** Node's `requestTimeout`: the whole request, headers and body, within this; else 408 and closed. */
  requestTimeoutMs: number;
  /** Node's `headersTimeout`: the headers within this. Never above `requestTimeoutMs`. */
  headersTimeoutMs: number;
  /** Node's `keepAliveTimeout`: an idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Node's `connectionsCheckingInterval`: the two time-outs above are enforced this late at most. */
  connectionsCheckingIntervalMs: number;
  /** While draining, a keep-alive connection idle this long is closed (see ./server.ts). */
  drainIdleTimeoutMs: number;
}

export interface Config {
  port: number;
  host: string;
  bus: BusConfig;
  verify: { scheme: VerifyScheme; secrets: string[] };
  maxBodyBytes: number;
  /**
   * MAX_MESSAGE_BYTES: the largest serialized message body the bus can ever take; a bigger one is
   * answered 413 before publishing (no retry could succeed). Default per bus, see below.
   */
  maxMessageBytes: number;
  publisher: PublisherConfig;
  http: HttpServerConfig;
  shutdownTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Set → OpenTelemetry traces and metrics to Azure Monitor; unset → telemetry not even loaded. */
  applicationInsightsConnectionString?: string;
}

/** Thrown by {@link loadConfig}; `variables` lists every offending environment variable. */
export class ConfigError extends Error {
  constructor(
    readonly variables: string[],
    readonly problems: string[],
  ) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Event Hubs recommends a Kafka request time-out above 20 s (60 s). A publish is still bounded by
 * PUBLISH_TIMEOUT_MS: the batcher aborts the send, so this only keeps kafkajs from giving up early.
 */
export const KAFKA_REQUEST_TIMEOUT_MS = 30_000;
/**
 * Linger of an idle publisher: enough to coalesce concurrent requests, invisible next to a broker
 * round trip. Under load batches grow with the round trip instead (publish/batcher.ts, adaptive).
 */
export const PUBLISH_LINGER_MS = 2;
/**
 * Sends waiting for the broker at once. Kafka: 1 — a session sends one produce request at a time
 * (idempotent, ordered per key) and would only queue more. Service Bus: a few sends share the AMQP
 * link without ordering promises.
 */
export const PUBLISH_MAX_CONCURRENT_BATCHES = { kafka: 1, servicebus: 4 } as const;
export const PUBLISH_MAX_BATCH_MESSAGES = 256;
/** Below Event Hubs' Kafka max.request.size (1,046,528 B); the Service Bus adapter splits further. */
export const PUBLISH_MAX_BATCH_BYTES = 900_000;

/**
 * Default MAX_MESSAGE_BYTES for Service Bus: a Standard message is at most 262,144 bytes including
 * its AMQP header and properties (~0.5 KiB here); 4 KiB of headroom for them. Premium entities allow
 * more: raise MAX_MESSAGE_BYTES to the entity's max message size less headroom.
 */
export const SERVICEBUS_MAX_MESSAGE_BYTES = 258_048;
/**
 * Default MAX_MESSAGE_BYTES for Kafka / Event Hubs: max request 1,046,528 bytes; the record's key,
 * CloudEvents headers and batch framing take well under 46 KiB. A message above
 * PUBLISH_MAX_BATCH_BYTES still travels alone in its own batch.
 */
export const KAFKA_MAX_MESSAGE_BYTES = 1_000_000;

/**
 * A request, body included, must arrive within 30 s (a sender's own time-out is 5–10 s; NGINX reads
 * the whole body before it forwards, so this only bounds clients that reach a runtime directly).
 */
export const HTTP_REQUEST_TIMEOUT_MS = 30_000;
/** Headers within 10 s: at most the request time-out, or Node would apply the two swapped. */
export const HTTP_HEADERS_TIMEOUT_MS = 10_000;
/**
 * Idle keep-alive connections live 65 s: above NGINX's default upstream keepalive_timeout (60 s;
 * nginx.conf.template sets 4 s), so the proxy closes an idle connection before the runtime does and
 * never sends a request on one the runtime is closing.
 */
export const HTTP_KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Node checks the time-outs above every second (its default, 30 s, would let them run 30 s late). */
export const HTTP_CONNECTIONS_CHECKING_INTERVAL_MS = 1000;
/**
 * While draining, a keep-alive connection that has been idle for 5 s is closed: longer than NGINX
 * keeps an idle upstream connection (4 s), so NGINX never sends on a connection as it is closed.
 * Busy connections are not cut: each response during the drain carries `Connection: close`.
 */
export const HTTP_DRAIN_IDLE_TIMEOUT_MS = 5000;

type Ctx = z.core.ParsePayload;

/**
 * WEBHOOK_SECRET: one secret or a JSON array of secrets (`parseSecretList`, ./verify/secrets.ts). A
 * secret that itself starts with `[` is written as a one-element array. The problem never quotes
 * the value: not even JSON.parse's message, which does.
 */
function secretList() {
  return z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, ctx: Ctx): string[] | undefined => {
      if (value === undefined) return undefined;
      const secrets = parseSecretList(value);
      if (secrets === undefined) {
        return fail(
          ctx,
          '[redacted]',
          'must be a JSON array of non-empty strings when it starts with "[" (several secrets), e.g. ["whsec_…","whsec_…"]',
        );
      }
      return secrets;
    }),
  );
}

function fail(ctx: Ctx, input: unknown, message: string): never {
  ctx.issues.push({ code: 'custom', message, input });
  return z.NEVER;
}

function int(def: number, min: number, max: number) {
  return z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, ctx: Ctx) => {
      if (value === undefined) return def;
      const n = Number(value);
      if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
        return fail(ctx, value, `must be an integer from ${min} to ${max}, received "${value}"`);
      }
      return n;
    }),
  );
}

function oneOf<const T extends readonly string[]>(values: T, def?: T[number]) {
  return z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, ctx: Ctx): T[number] => {
      const v = value?.trim().toLowerCase() ?? def;
      if (v === undefined) return fail(ctx, value, `is required, one of ${values.join(' | ')}`);
      if (!values.includes(v)) {
        return fail(ctx, value, `must be one of ${values.join(' | ')}, received "${value}"`);
      }
      return v;
    }),
  );
}

/** An integer variable without a fixed default (`undefined` when unset). */
function optionalInt(min: number, max: number) {
  return z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, ctx: Ctx): number | undefined => {
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
        return fail(ctx, value, `must be an integer from ${min} to ${max}, received "${value}"`);
      }
      return n;
    }),
  );
}

const bool = (def: boolean) =>
  z.pipe(
    oneOf(['true', 'false'] as const, def ? 'true' : 'false'),
    z.transform((v: 'true' | 'false') => v === 'true'),
  );

const text = () => z.optional(z.string().check(z.trim(), z.minLength(1)));

const envSchema = z.object({
  PORT: int(8000, 0, 65535),
  HOST: text(),
  BUS: oneOf(['servicebus', 'kafka'] as const),
  SERVICEBUS_NAMESPACE: text(),
  SERVICEBUS_CONNECTION_STRING: text(),
  SERVICEBUS_QUEUE: text(),
  SERVICEBUS_TOPIC: text(),
  KAFKA_BROKERS: text(),
  KAFKA_TOPIC: text(),
  KAFKA_CLIENT_ID: text(),
  KAFKA_SSL: bool(true),
  KAFKA_SASL_MECHANISM: oneOf(['plain', 'oauthbearer', 'none'] as const, 'none'),
  KAFKA_SASL_USERNAME: text(),
  KAFKA_SASL_PASSWORD: text(),
  WEBHOOK_VERIFY: oneOf(VERIFY_SCHEMES),
  WEBHOOK_SECRET: secretList(),
  MAX_BODY_BYTES: int(1_048_576, 2, 100 * 1_048_576),
  MAX_MESSAGE_BYTES: optionalInt(1024, 100 * 1_048_576),
  PUBLISH_TIMEOUT_MS: int(4000, 100, 120_000),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 600_000),
  MAX_IN_FLIGHT: int(1000, 1, 1_000_000),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, 'info'),
  APPLICATIONINSIGHTS_CONNECTION_STRING: text(),
});

type Env = z.output<typeof envSchema>;

/** Parses `env` (normally `process.env`). Empty strings count as unset. Throws {@link ConfigError}. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') cleaned[key] = value;
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`);
    const variables = parsed.error.issues.map((i) => String(i.path[0]));
    throw new ConfigError([...new Set(variables)], problems);
  }
  const e = parsed.data;
  /** [variable, problem, what the sentence names when not the variable itself (an array entry)]. */
  const problems: Array<[string, string, string?]> = [];
  const bus = e.BUS === 'kafka' ? kafkaBus(e, problems) : serviceBus(e, problems);
  const secrets = e.WEBHOOK_SECRET ?? [];
  if (e.WEBHOOK_VERIFY !== 'none') {
    if (secrets.length === 0) {
      problems.push([
        'WEBHOOK_SECRET',
        `is required when WEBHOOK_VERIFY=${e.WEBHOOK_VERIFY} (one secret, or a JSON array of secrets)`,
      ]);
    }
    const listed = cleaned['WEBHOOK_SECRET']?.trim().startsWith('[') === true;
    secrets.forEach((secret, i) => {
      const problem = secretProblem(e.WEBHOOK_VERIFY, secret);
      if (problem !== undefined) {
        problems.push(['WEBHOOK_SECRET', problem, listed ? `WEBHOOK_SECRET[${i}]` : undefined]);
      }
    });
  }
  if (problems.length > 0) {
    throw new ConfigError(
      [...new Set(problems.map(([v]) => v))],
      problems.map(([v, m, subject]) => `${subject ?? v} ${m}`),
    );
  }
  const config: Config = {
    port: e.PORT,
    host: e.HOST ?? '0.0.0.0',
    bus,
    verify: { scheme: e.WEBHOOK_VERIFY, secrets },
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxMessageBytes:
      e.MAX_MESSAGE_BYTES ?? (bus.kind === 'kafka' ? KAFKA_MAX_MESSAGE_BYTES : SERVICEBUS_MAX_MESSAGE_BYTES),
    publisher: {
      lingerMs: PUBLISH_LINGER_MS,
      maxConcurrentBatches: PUBLISH_MAX_CONCURRENT_BATCHES[bus.kind],
      maxBatchMessages: PUBLISH_MAX_BATCH_MESSAGES,
      maxBatchBytes: PUBLISH_MAX_BATCH_BYTES,
      maxInFlight: e.MAX_IN_FLIGHT,
      timeoutMs: e.PUBLISH_TIMEOUT_MS,
    },
    http: {
      requestTimeoutMs: HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: HTTP_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: HTTP_KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingIntervalMs: HTTP_CONNECTIONS_CHECKING_INTERVAL_MS,
      drainIdleTimeoutMs: HTTP_DRAIN_IDLE_TIMEOUT_MS,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
  };
  if (e.APPLICATIONINSIGHTS_CONNECTION_STRING !== undefined) {
    config.applicationInsightsConnectionString = e.APPLICATIONINSIGHTS_CONNECTION_STRING;
  }
  return config;
}

function kafkaBus(e: Env, problems: Array<[string, string, string?]>): BusConfig {
  const brokers = (e.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0) {
    problems.push(['KAFKA_BROKERS', 'is required when BUS=kafka (comma-separated host:port list)']);
  }
  for (const b of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) {
      problems.push(['KAFKA_BROKERS', `must be host:port entries, received "${b}"`]);
    }
  }
  const options: KafkaBusOptions = {
    brokers,
    topic: e.KAFKA_TOPIC ?? 'webhook_topic',
    clientId: e.KAFKA_CLIENT_ID ?? 'webhook-runtime',
    ssl: e.KAFKA_SSL,
    requestTimeoutMs: KAFKA_REQUEST_TIMEOUT_MS,
  };
  if (e.KAFKA_SASL_MECHANISM === 'plain') {
    if (e.KAFKA_SASL_USERNAME === undefined) {
      problems.push(['KAFKA_SASL_USERNAME', 'is required when KAFKA_SASL_MECHANISM=plain']);
    }
    if (e.KAFKA_SASL_PASSWORD === undefined) {
      problems.push(['KAFKA_SASL_PASSWORD', 'is required when KAFKA_SASL_MECHANISM=plain']);
    }
    options.sasl = {
      mechanism: 'plain',
      username: e.KAFKA_SASL_USERNAME ?? '',
      password: e.KAFKA_SASL_PASSWORD ?? '',
    };
  } else if (e.KAFKA_SASL_MECHANISM === 'oauthbearer') {
    options.sasl = { mechanism: 'oauthbearer' };
  }
  return { kind: 'kafka', options };
}

function serviceBus(e: Env, problems: Array<[string, string, string?]>): BusConfig {
  const entity = e.SERVICEBUS_QUEUE ?? e.SERVICEBUS_TOPIC;
  if ((e.SERVICEBUS_QUEUE === undefined) === (e.SERVICEBUS_TOPIC === undefined)) {
    problems.push(['SERVICEBUS_QUEUE', 'or SERVICEBUS_TOPIC: set exactly one when BUS=servicebus']);
  }
  let connection: ServiceBusBusOptions['connection'] = {
    kind: 'namespace',
    fullyQualifiedNamespace: e.SERVICEBUS_NAMESPACE ?? '',
  };
  if ((e.SERVICEBUS_NAMESPACE === undefined) === (e.SERVICEBUS_CONNECTION_STRING === undefined)) {
    problems.push([
      'SERVICEBUS_NAMESPACE',
      'or SERVICEBUS_CONNECTION_STRING: set exactly one when BUS=servicebus (the namespace for managed identity)',
    ]);
  } else if (e.SERVICEBUS_CONNECTION_STRING !== undefined) {
    connection = { kind: 'connectionString', connectionString: e.SERVICEBUS_CONNECTION_STRING };
    if (!/Endpoint=/i.test(e.SERVICEBUS_CONNECTION_STRING)) {
      problems.push(['SERVICEBUS_CONNECTION_STRING', 'must contain Endpoint=sb://…']);
    }
  } else if (!/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(e.SERVICEBUS_NAMESPACE ?? '')) {
    problems.push([
      'SERVICEBUS_NAMESPACE',
      `must be a fully qualified namespace like contoso.servicebus.windows.net, received "${e.SERVICEBUS_NAMESPACE}"`,
    ]);
  }
  return {
    kind: 'servicebus',
    options: { connection, entityName: entity ?? '', timeoutMs: e.PUBLISH_TIMEOUT_MS },
  };
}
