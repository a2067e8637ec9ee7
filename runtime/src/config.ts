/**
 * The runtime's configuration, read from the environment once at start (fail fast). `loadConfig` is
 * pure: it throws a {@link ConfigError} naming every invalid or missing variable, and the entry
 * (./main.ts) prints that as one JSON log line and exits 1. Secret values are never echoed.
 *
 * ONE zod schema ({@link envSchema}) validates and maps the environment: a discriminated union on
 * `BUS` (each bus's variables and its cross-field rules) intersected with the variables every bus
 * shares (and the WEBHOOK_VERIFY ↔ WEBHOOK_SECRET rules), piped into the {@link Config}. The names
 * are the contract's (./contract.ts), which the constructs that deploy the runtime import too.
 *
 * The broker option objects are, field for field, `KafkaSenderOptions` (./publish/kafka.ts) and
 * `ServiceBusSenderOptions` (./publish/servicebus.ts); main.ts passes them through unchanged, so the
 * compiler checks that the shapes agree.
 */
// zod/mini: the same validators as zod, ~18 KB instead of ~580 KB on the start path.
import {
  BUS_KINDS,
  DEFAULT_PORT,
  KAFKA_MAX_MESSAGE_BYTES,
  KAFKA_SASL_MECHANISMS,
  MAX_BODY_BYTES_DEFAULT,
  MAX_BODY_BYTES_RANGE,
  MAX_MESSAGE_BYTES_RANGE,
  RUNTIME_ENV_NAMES,
  SERVICEBUS_MAX_MESSAGE_BYTES,
  VERIFY_SCHEMES,
  type RuntimeEnvName,
  type VerifyScheme,
} from './contract';
import type { PublisherOptions } from './publish/batcher';
import { sourcesField, sourceSecretVariables, type SourceConfig, type SourcesInput } from './sources/config';
import { parseSecretList, secretProblem } from './verify/secrets';
import * as z from 'zod/mini';

export type { SourceConfig } from './sources/config';
export { KAFKA_MAX_MESSAGE_BYTES, SERVICEBUS_MAX_MESSAGE_BYTES, VERIFY_SCHEMES, type VerifyScheme };

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
  /** `POST /webhook`, the default source: WEBHOOK_VERIFY and WEBHOOK_SECRET. */
  verify: { scheme: VerifyScheme; secrets: string[] };
  /** WEBHOOK_SOURCES: the named sources, `POST /webhooks/<name>` each (./sources/config.ts). */
  sources: SourceConfig[];
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

function fail(ctx: Ctx, input: unknown, message: string): never {
  ctx.issues.push({ code: 'custom', message, input });
  return z.NEVER;
}

/**
 * WEBHOOK_SECRET: one secret or a JSON array of secrets (`parseSecretList`, ./verify/secrets.ts). A
 * secret that itself starts with `[` is written as a one-element array. The problem never quotes
 * the value: not even JSON.parse's message, which does. `listed`: written as an array, so a
 * problem names the entry (`WEBHOOK_SECRET[1]`).
 */
function secretList() {
  return z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, ctx: Ctx) => {
      if (value === undefined) return undefined;
      const secrets = parseSecretList(value);
      if (secrets === undefined) {
        return fail(
          ctx,
          '[redacted]',
          'must be a JSON array of non-empty strings when it starts with "[" (several secrets), e.g. ["whsec_…","whsec_…"]',
        );
      }
      return { secrets, listed: value.trim().startsWith('[') };
    }),
  );
}

/** An integer variable from `min` to `max`, `def` when unset (`undefined` for no default). */
function int<D extends number | undefined>(def: D, min: number, max: number) {
  return z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, ctx: Ctx): number | D => {
      if (value === undefined) return def;
      const n = Number(value);
      if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
        return fail(ctx, value, `must be an integer from ${min} to ${max}, received "${value}"`);
      }
      return n;
    }),
  );
}

/** One of `values`, case-insensitive and trimmed; `def` when unset (required without a default). */
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

const bool = (def: boolean) =>
  z.pipe(
    oneOf(['true', 'false'] as const, def ? 'true' : 'false'),
    z.transform((v: 'true' | 'false') => v === 'true'),
  );

const text = () => z.optional(z.string().check(z.trim(), z.minLength(1)));

/** Optional text that must match `pattern`; `problem` words the refusal (it may quote the value). */
const textMatching = (pattern: RegExp, problem: (value: string) => string) =>
  z.pipe(
    text(),
    z.transform((value: string | undefined, ctx: Ctx) =>
      value === undefined || pattern.test(value) ? value : fail(ctx, value, problem(value)),
    ),
  );

/** KAFKA_BROKERS: comma-separated `host:port` entries, at least one. */
const brokerList = () =>
  z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, ctx: Ctx): string[] => {
      const brokers = (value ?? '')
        .split(',')
        .map((b) => b.trim())
        .filter((b) => b.length > 0);
      if (brokers.length === 0) {
        return fail(ctx, value, 'is required when BUS=kafka (comma-separated host:port list)');
      }
      const malformed = brokers.filter((b) => !/^[^\s:]+:\d{1,5}$/.test(b));
      for (const b of malformed) {
        ctx.issues.push({
          code: 'custom',
          message: `must be host:port entries, received "${b}"`,
          input: value,
        });
      }
      return malformed.length > 0 ? z.NEVER : brokers;
    }),
  );

/**
 * A rule across variables of one object: runs whenever the variables it reads are valid by
 * themselves (so every problem is reported in one start, not one per fix). Its issues carry the
 * offending variable as their path: `[name]`, or `[name, index]` for an entry of a list.
 */
function crossField<T>(
  reads: readonly (keyof T & string)[],
  rule: (env: T, problem: (path: [string, number?], message: string) => void) => void,
) {
  return z.superRefine<T>(
    (env, ctx) =>
      rule(env, (path, message) =>
        ctx.addIssue({
          code: 'custom',
          message,
          path: path.filter((p) => p !== undefined),
          input: undefined,
        }),
      ),
    {
      when: (payload) => !payload.issues.some((i) => reads.includes(String(i.path?.[0]) as keyof T & string)),
    },
  );
}

const serviceBusEnv = z
  .object({
    BUS: z.literal('servicebus'),
    SERVICEBUS_NAMESPACE: textMatching(
      /^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/,
      (v) => `must be a fully qualified namespace like contoso.servicebus.windows.net, received "${v}"`,
    ),
    // A secret: the problem never quotes it.
    SERVICEBUS_CONNECTION_STRING: textMatching(/Endpoint=/i, () => 'must contain Endpoint=sb://…'),
    SERVICEBUS_QUEUE: text(),
    SERVICEBUS_TOPIC: text(),
  })
  .check(
    crossField(
      ['SERVICEBUS_QUEUE', 'SERVICEBUS_TOPIC', 'SERVICEBUS_NAMESPACE', 'SERVICEBUS_CONNECTION_STRING'],
      (e, problem) => {
        if ((e.SERVICEBUS_QUEUE === undefined) === (e.SERVICEBUS_TOPIC === undefined)) {
          problem(['SERVICEBUS_QUEUE'], 'or SERVICEBUS_TOPIC: set exactly one when BUS=servicebus');
        }
        if ((e.SERVICEBUS_NAMESPACE === undefined) === (e.SERVICEBUS_CONNECTION_STRING === undefined)) {
          problem(
            ['SERVICEBUS_NAMESPACE'],
            'or SERVICEBUS_CONNECTION_STRING: set exactly one when BUS=servicebus (the namespace for managed identity)',
          );
        }
      },
    ),
  );

const kafkaEnv = z
  .object({
    BUS: z.literal('kafka'),
    KAFKA_BROKERS: brokerList(),
    KAFKA_TOPIC: text(),
    KAFKA_CLIENT_ID: text(),
    KAFKA_SSL: bool(true),
    KAFKA_SASL_MECHANISM: oneOf(KAFKA_SASL_MECHANISMS, 'none'),
    KAFKA_SASL_USERNAME: text(),
    KAFKA_SASL_PASSWORD: text(),
  })
  .check(
    crossField(['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'], (e, problem) => {
      if (e.KAFKA_SASL_MECHANISM !== 'plain') return;
      if (e.KAFKA_SASL_USERNAME === undefined) {
        problem(['KAFKA_SASL_USERNAME'], 'is required when KAFKA_SASL_MECHANISM=plain');
      }
      if (e.KAFKA_SASL_PASSWORD === undefined) {
        problem(['KAFKA_SASL_PASSWORD'], 'is required when KAFKA_SASL_MECHANISM=plain');
      }
    }),
  );

/** The variables of whichever bus `BUS` names. */
const busEnv = z.discriminatedUnion('BUS', [serviceBusEnv, kafkaEnv], {
  error: (issue) => {
    const bus = (issue.input as { BUS?: unknown } | undefined)?.BUS;
    return bus === undefined
      ? `is required, one of ${BUS_KINDS.join(' | ')}`
      : `must be one of ${BUS_KINDS.join(' | ')}, received "${String(bus)}"`;
  },
});

/** The variables every bus shares. */
const sharedEnv = z
  .object({
    PORT: int(DEFAULT_PORT, 0, 65535),
    HOST: text(),
    WEBHOOK_VERIFY: oneOf(VERIFY_SCHEMES),
    WEBHOOK_SECRET: secretList(),
    WEBHOOK_SOURCES: sourcesField(),
    MAX_BODY_BYTES: int(MAX_BODY_BYTES_DEFAULT, MAX_BODY_BYTES_RANGE.min, MAX_BODY_BYTES_RANGE.max),
    MAX_MESSAGE_BYTES: int(undefined, MAX_MESSAGE_BYTES_RANGE.min, MAX_MESSAGE_BYTES_RANGE.max),
    PUBLISH_TIMEOUT_MS: int(4000, 100, 120_000),
    SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 600_000),
    MAX_IN_FLIGHT: int(1000, 1, 1_000_000),
    LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, 'info'),
    APPLICATIONINSIGHTS_CONNECTION_STRING: text(),
  })
  .check(
    crossField(['WEBHOOK_VERIFY', 'WEBHOOK_SECRET'], (e, problem) => {
      if (e.WEBHOOK_VERIFY === 'none') return;
      const { secrets, listed } = e.WEBHOOK_SECRET ?? { secrets: [], listed: false };
      if (secrets.length === 0) {
        problem(
          ['WEBHOOK_SECRET'],
          `is required when WEBHOOK_VERIFY=${e.WEBHOOK_VERIFY} (one secret, or a JSON array of secrets)`,
        );
      }
      secrets.forEach((secret, i) => {
        const why = secretProblem(e.WEBHOOK_VERIFY, secret);
        if (why !== undefined) problem(listed ? ['WEBHOOK_SECRET', i] : ['WEBHOOK_SECRET'], why);
      });
    }),
  );

/**
 * Compile-time: the schema reads exactly the contract's variables (./contract.ts), no more, no
 * fewer ("'true' is not assignable to 'false'" here: a name is in one and not the other).
 */
type SchemaName =
  | keyof (typeof sharedEnv)['shape']
  | keyof (typeof serviceBusEnv)['shape']
  | keyof (typeof kafkaEnv)['shape'];
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaReadsTheContract: Exactly<SchemaName, RuntimeEnvName> = true;
void schemaReadsTheContract;

/**
 * The contract's variables that are set: empty (or blank) strings count as unset. WEBHOOK_SOURCES
 * travels with the environment, where the variables its secrets name are read.
 */
type SetVariables = Partial<Record<Exclude<RuntimeEnvName, 'WEBHOOK_SOURCES'>, string>> & {
  WEBHOOK_SOURCES?: SourcesInput;
};

function setVariables(env: Readonly<Record<string, string | undefined>>): SetVariables {
  const set: SetVariables = {};
  for (const name of RUNTIME_ENV_NAMES) {
    const value = env[name];
    if (value === undefined || value.trim() === '') continue;
    if (name === 'WEBHOOK_SOURCES') set[name] = { json: value, env };
    else set[name] = value;
  }
  // `BUS` selects the union's branch: written in any case and padding, as every other enum.
  const bus = set.BUS?.trim().toLowerCase();
  if (bus !== undefined && (BUS_KINDS as readonly string[]).includes(bus)) set.BUS = bus;
  return set;
}

function toConfig(e: z.output<typeof validEnv>): Config {
  const bus: BusConfig =
    e.BUS === 'kafka'
      ? { kind: 'kafka', options: kafkaOptions(e) }
      : {
          kind: 'servicebus',
          options: {
            connection:
              e.SERVICEBUS_CONNECTION_STRING !== undefined
                ? { kind: 'connectionString', connectionString: e.SERVICEBUS_CONNECTION_STRING }
                : { kind: 'namespace', fullyQualifiedNamespace: e.SERVICEBUS_NAMESPACE ?? '' },
            entityName: e.SERVICEBUS_QUEUE ?? e.SERVICEBUS_TOPIC ?? '',
            timeoutMs: e.PUBLISH_TIMEOUT_MS,
          },
        };
  const config: Config = {
    port: e.PORT,
    host: e.HOST ?? '0.0.0.0',
    bus,
    verify: { scheme: e.WEBHOOK_VERIFY, secrets: e.WEBHOOK_SECRET?.secrets ?? [] },
    sources: e.WEBHOOK_SOURCES,
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

function kafkaOptions(e: z.output<typeof kafkaEnv>): KafkaBusOptions {
  const options: KafkaBusOptions = {
    brokers: e.KAFKA_BROKERS,
    topic: e.KAFKA_TOPIC ?? 'webhook_topic',
    clientId: e.KAFKA_CLIENT_ID ?? 'webhook-runtime',
    ssl: e.KAFKA_SSL,
    requestTimeoutMs: KAFKA_REQUEST_TIMEOUT_MS,
  };
  if (e.KAFKA_SASL_MECHANISM === 'plain') {
    // Both present: the cross-field rule above refused the configuration otherwise.
    options.sasl = {
      mechanism: 'plain',
      username: e.KAFKA_SASL_USERNAME ?? '',
      password: e.KAFKA_SASL_PASSWORD ?? '',
    };
  } else if (e.KAFKA_SASL_MECHANISM === 'oauthbearer') {
    options.sasl = { mechanism: 'oauthbearer' };
  }
  return options;
}

/** Every variable valid by itself and every cross-variable rule held, per bus. */
const validEnv = z.intersection(busEnv, sharedEnv);

/**
 * The environment (normally `process.env`) → {@link Config}: the contract's variables picked (the
 * rest of the environment is not the runtime's business), validated and mapped.
 */
export const envSchema = z.pipe(
  z.pipe(
    z.transform((env: Readonly<Record<string, string | undefined>>) => setVariables(env)),
    validEnv,
  ),
  z.transform(toConfig),
);

/** Parses `env` (normally `process.env`). Empty strings count as unset. Throws {@link ConfigError}. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const variables = issues.map((i) => String(i.path[0]));
  // `WEBHOOK_SECRET[1]`, `WEBHOOK_SOURCES[0].verify.algorithm`.
  const problems = issues.map((i) => {
    const [name, ...rest] = i.path;
    const where = rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${String(name)}${where} ${i.message}`;
  });
  throw new ConfigError([...new Set(variables)], problems);
}

/**
 * The contract's variables set in `env` that its configuration does not read: the other bus's,
 * the SASL credentials unless KAFKA_SASL_MECHANISM=plain, WEBHOOK_SECRET with WEBHOOK_VERIFY=none.
 * Throws {@link ConfigError} when `env` is not a valid configuration.
 */
export function ignoredVariables(env: Readonly<Record<string, string | undefined>>): RuntimeEnvName[] {
  const config = loadConfig(env);
  const branch = config.bus.kind === 'kafka' ? kafkaEnv : serviceBusEnv;
  const read = new Set<string>([...Object.keys(sharedEnv.shape), ...Object.keys(branch.shape)]);
  if (config.verify.scheme === 'none') read.delete('WEBHOOK_SECRET');
  if (config.bus.kind !== 'kafka' || config.bus.options.sasl?.mechanism !== 'plain') {
    read.delete('KAFKA_SASL_USERNAME');
    read.delete('KAFKA_SASL_PASSWORD');
  }
  return (Object.keys(setVariables(env)) as RuntimeEnvName[]).filter((name) => !read.has(name));
}

/**
 * The variables outside the contract that `env`'s configuration reads: those WEBHOOK_SOURCES'
 * secrets name. Throws {@link ConfigError} when `env` is not a valid configuration.
 */
export function secretVariables(env: Readonly<Record<string, string | undefined>>): string[] {
  return sourceSecretVariables(loadConfig(env).sources);
}
