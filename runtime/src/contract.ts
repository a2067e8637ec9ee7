/**
 * The contract between the runtime and the constructs that deploy it: the environment variable
 * names, the signature schemes, the body and message size limits, the default port and the probe
 * paths. ONE source of truth imported by both sides:
 * - runtime/src/config.ts parses exactly {@link RUNTIME_ENV_NAMES} (its schema's keys are checked
 *   against the list by the compiler) and http/app.ts serves {@link PROBE_PATHS};
 * - the constructs (WebhookRuntime, MessageBus) write their environment as a
 *   {@link RuntimeEnvironment}, so a misspelt or unknown variable name does not compile, and take the
 *   schemes, limits, port and probe paths from here.
 * test/stacks/contract.test.ts feeds every synthesized runtime container app's environment into
 * `loadConfig` and fails on any variable it would reject or ignore.
 *
 * Dependency-free on purpose (no imports): the constructs' package ships this one file
 * (dist/runtime/src/contract.js), and it must not drag the runtime or its dependencies in.
 */

/** Every variable runtime/src/config.ts reads (README "Configuration" documents each). */
export const RUNTIME_ENV_NAMES = [
  'PORT',
  'HOST',
  'BUS',
  'SERVICEBUS_NAMESPACE',
  'SERVICEBUS_CONNECTION_STRING',
  'SERVICEBUS_QUEUE',
  'SERVICEBUS_TOPIC',
  'KAFKA_BROKERS',
  'KAFKA_TOPIC',
  'KAFKA_CLIENT_ID',
  'KAFKA_SSL',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'WEBHOOK_VERIFY',
  'WEBHOOK_SECRET',
  'WEBHOOK_SOURCES',
  'MAX_BODY_BYTES',
  'MAX_MESSAGE_BYTES',
  'PUBLISH_TIMEOUT_MS',
  'SHUTDOWN_TIMEOUT_MS',
  'MAX_IN_FLIGHT',
  'LOG_LEVEL',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
] as const;
/** A variable name the webhook runtime reads (`RUNTIME_ENV_NAMES`). */
export type RuntimeEnvName = (typeof RUNTIME_ENV_NAMES)[number];

/**
 * Variables the runtime's Azure SDK reads itself, not config.ts: `AZURE_CLIENT_ID` selects the
 * user-assigned identity of DefaultAzureCredential (Service Bus namespace, Kafka OAUTHBEARER,
 * telemetry).
 */
export const SDK_ENV_NAMES = ['AZURE_CLIENT_ID'] as const;
/** A variable name the runtime's Azure SDK reads itself (`SDK_ENV_NAMES`). */
export type SdkEnvName = (typeof SDK_ENV_NAMES)[number];

/** The runtime's environment as a deployment writes it: only names the runtime reads. */
export type RuntimeEnvironment = { [K in RuntimeEnvName | SdkEnvName]?: string };

/** `BUS` values. */
export const BUS_KINDS = ['servicebus', 'kafka'] as const;
export type BusKind = (typeof BUS_KINDS)[number];

/** `WEBHOOK_VERIFY` values: the signature schemes the runtime verifies. */
export const VERIFY_SCHEMES = [
  'standard-webhooks',
  'github',
  'stripe',
  'shopify',
  'api-key',
  'none',
] as const;
/** A signature scheme the runtime verifies (`WEBHOOK_VERIFY`). */
export type VerifyScheme = (typeof VERIFY_SCHEMES)[number];

/**
 * Named webhook sources (`WEBHOOK_SOURCES`, a JSON array of {@link WebhookSourceSpec}): one route
 * `POST /webhooks/<name>` each, with its own scheme, secrets, delivery id, key and body rules.
 * runtime/src/sources/config.ts validates the document; README "Webhook sources" documents it.
 */
export const WEBHOOK_SOURCES_ENV = 'WEBHOOK_SOURCES';
/** A source's name: its route segment, log field and metric attribute. */
export const SOURCE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** The generic HMAC scheme's algorithms and signature encodings. */
export const HMAC_ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;
export const HMAC_ENCODINGS = ['hex', 'base64'] as const;
/** A header name a source's rules may name: an RFC 9110 token of at most 128 characters. */
export const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
/** RFC 6901 JSON pointer: empty (the whole document) or `/`-separated tokens, `~` only as `~0`/`~1`. */
export const JSON_POINTER_PATTERN = /^(\/([^~/]|~[01])*)*$/;
/** RFC 3339 date-time with an explicit offset (a secret's `notAfter`). */
export const DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
/** How a source's body is checked: the seed's `{clientId, opportunity}`, or any JSON object/array. */
export const SOURCE_BODY_MODES = ['contract', 'passthrough'] as const;

/** A source's verification: one of {@link VERIFY_SCHEMES}, or the generic HMAC scheme. */
export type SourceVerifySpec =
  | VerifyScheme
  | {
      scheme: 'hmac';
      /** The header carrying the signature, e.g. `X-Signature`. */
      header: string;
      algorithm: (typeof HMAC_ALGORITHMS)[number];
      encoding: (typeof HMAC_ENCODINGS)[number];
      /** Stripped before decoding, e.g. `sha256=`. */
      prefix?: string;
    };

/** One entry of `WEBHOOK_SOURCES`, as the constructs render it and the runtime reads it. */
export interface WebhookSourceSpec {
  name: string;
  verify: SourceVerifySpec;
  /**
   * Each names an environment variable holding one secret or a JSON array of secrets; one past its
   * `notAfter` (RFC 3339) no longer verifies. At least one unless `verify` is `none` (then none).
   */
  secrets?: Array<{ env: string; notAfter?: string }>;
  deliveryId?: { header: string } | { jsonPointer: string };
  key?: { header: string } | { jsonPointer: string } | { constant: string };
  body?: (typeof SOURCE_BODY_MODES)[number];
  /** NGINX only (WEBHOOK_SOURCES_NGINX); the runtime accepts and ignores it. */
  rateLimit?: { rps: number; burst: number };
}

/** The variable a deployment uses for a source's `index`-th secret: `WEBHOOK_SOURCE_<NAME>_SECRET_<i>`. */
export function sourceSecretEnvName(source: string, index: number): string {
  return `WEBHOOK_SOURCE_${source.toUpperCase().replace(/-/g, '_')}_SECRET_${index}`;
}

/** `KAFKA_SASL_MECHANISM` values. */
export const KAFKA_SASL_MECHANISMS = ['plain', 'oauthbearer', 'none'] as const;

/** `PORT` when unset. */
export const DEFAULT_PORT = 8000;

/** `MAX_BODY_BYTES` when unset (bytes). */
export const MAX_BODY_BYTES_DEFAULT = 1_048_576;
/** `MAX_BODY_BYTES`: accepted range (bytes). */
export const MAX_BODY_BYTES_RANGE = { min: 2, max: 100 * 1_048_576 } as const;

/** `MAX_MESSAGE_BYTES`: accepted range (bytes); the default depends on the bus, below. */
export const MAX_MESSAGE_BYTES_RANGE = { min: 1024, max: 100 * 1_048_576 } as const;

/**
 * Default MAX_MESSAGE_BYTES for Service Bus: a Standard message is at most 262,144 bytes including
 * its AMQP header and properties (~0.5 KiB here); 4 KiB of headroom for them. Premium entities allow
 * more: raise MAX_MESSAGE_BYTES to the entity's max message size less headroom.
 */
export const SERVICEBUS_MAX_MESSAGE_BYTES = 258_048;
/**
 * Default MAX_MESSAGE_BYTES for Kafka / Event Hubs: max request 1,046,528 bytes; the record's key,
 * CloudEvents headers and batch framing take well under 46 KiB. A message above the publisher's
 * batch bytes (900,000) still travels alone in its own batch.
 */
export const KAFKA_MAX_MESSAGE_BYTES = 1_000_000;

/**
 * The probe routes: liveness (the process answers), readiness (not draining and the broker
 * connected); the startup probe polls the liveness route.
 */
export const PROBE_PATHS = { liveness: '/healthz', readiness: '/readyz', startup: '/healthz' } as const;
