/**
 * Named webhook sources (`WebhookRuntimeProps.sources`): the typed props, their validation at synth
 * and their rendering into the runtime's `WEBHOOK_SOURCES` document (runtime/src/contract.ts
 * `WebhookSourceSpec`), the per-secret environment variables and NGINX's `WEBHOOK_SOURCES_NGINX`.
 * The rules mirror the runtime's own (runtime/src/sources/config.ts), so a source the constructs
 * accept is one the runtime loads: test/stacks/contract.test.ts feeds a synthesized app with
 * sources to the runtime's config loader.
 */
import {
  DATE_TIME_PATTERN,
  HEADER_NAME_PATTERN,
  HMAC_ALGORITHMS,
  JSON_POINTER_PATTERN,
  HMAC_ENCODINGS,
  SOURCE_BODY_MODES,
  SOURCE_NAME_PATTERN,
  VERIFY_SCHEMES,
  sourceSecretEnvName,
  type VerifyScheme,
  type WebhookSourceSpec,
} from '../../runtime/src/contract';
import { check, failure, intInRange, matches, oneOf, type Rule } from '../core/validation';

/** The generic HMAC scheme of a source: a signature header over the raw body. */
export interface WebhookSourceHmac {
  /** Selects the generic HMAC scheme. */
  readonly scheme: 'hmac';
  /** The header carrying the signature, e.g. `X-Signature`. */
  readonly header: string;
  /** The HMAC's hash over the raw body. */
  readonly algorithm: 'sha1' | 'sha256' | 'sha512';
  /** How the signature is written in the header. */
  readonly encoding: 'hex' | 'base64';
  /**
   * Stripped from the header value before decoding, e.g. `sha256=`; at most 64 characters.
   * @default - none
   */
  readonly prefix?: string;
}

/** A source's verification: one of the runtime's schemes, or the generic HMAC scheme. */
export type WebhookSourceVerify = VerifyScheme | WebhookSourceHmac;

/** A Key Vault secret of a source, with the time after which it no longer verifies. */
export interface WebhookSourceSecret {
  /** Name of the secret in the vault (1-127 letters, digits and hyphens). */
  readonly name: string;
  /**
   * RFC 3339 date-time with an offset, e.g. `2027-01-31T00:00:00Z`: after it the secret is refused
   * (the end of a rotation's overlap).
   * @default - verifies until removed
   */
  readonly notAfter?: string;
}

/** Where a source's delivery id or message key is read. */
export type WebhookSourceField = { readonly header: string } | { readonly jsonPointer: string };

/**
 * One named webhook source: its own route `POST /webhooks/<name>`, signature scheme, secrets,
 * delivery id, message key, body rule and NGINX rate limit (README "Webhook sources").
 */
export interface WebhookSource {
  /** Route segment, log field and metric attribute: 1-32 of a-z, 0-9 and `-`, unique. */
  readonly name: string;
  /** Signature scheme, or `{ scheme: 'hmac', … }`. `none` is refused in environment `prod`. */
  readonly verify: WebhookSourceVerify;
  /**
   * The signing secrets, by Key Vault secret name (each value: one secret, or a JSON array of
   * several). All verify; one with `notAfter` stops after it. Each becomes a container-app secret
   * read by the runtime's identity, which is granted Key Vault Secrets User on exactly these.
   * @default - none (only valid with verify 'none')
   */
  readonly secretNames?: readonly (string | WebhookSourceSecret)[];
  /**
   * Where the sender's delivery id is (the Service Bus message id and Kafka `ce_id` derive from it,
   * so a retried delivery is dropped as a duplicate).
   * @default - by scheme: standard-webhooks `webhook-id`, github `X-GitHub-Delivery`, stripe body
   * `/id`, shopify `X-Shopify-Webhook-Id`; none for hmac, api-key and none
   */
  readonly deliveryId?: WebhookSourceField;
  /**
   * How the message key (`clientId`) is derived: a header, a JSON pointer into the body, or a constant.
   * @default - body `contract`: `/clientId`; `passthrough`: the constant `name`
   */
  readonly key?: WebhookSourceField | { readonly constant: string };
  /**
   * `contract`: the body must be the seed's `{clientId, opportunity}`; `passthrough`: any JSON
   * object or array, published as the verified raw bytes.
   * @default 'passthrough'
   */
  readonly body?: 'contract' | 'passthrough';
  /**
   * Per-client rate at NGINX on this source's route, in its own zone.
   * @default - the proxy tier's RATE_LIMIT_RPS and RATE_LIMIT_BURST (100 and 200)
   */
  readonly rateLimit?: { readonly rps: number; readonly burst: number };
}

/** Key Vault secret names (SecretStore). */
const SECRET_NAME = /^[a-zA-Z0-9-]{1,127}$/;
/** The runtime's longest message key (runtime/src/http/payload.ts MAX_CLIENT_ID_LENGTH). */
const MAX_KEY_LENGTH = 256;
/** NGINX's limit_req range in nginx/render.sh (rate and burst). */
const RATE_MAX = 100_000;

/** A source's secrets as `{ name, notAfter? }`. */
export function secretsOf(source: WebhookSource): WebhookSourceSecret[] {
  return (source.secretNames ?? []).map((s) => (typeof s === 'string' ? { name: s } : s));
}

function fieldRules(path: string, value: object | undefined, allowConstant: boolean): Rule[] {
  if (value === undefined) return [];
  const keys = Object.keys(value);
  const allowed = allowConstant ? ['header', 'jsonPointer', 'constant'] : ['header', 'jsonPointer'];
  if (keys.length !== 1 || !allowed.includes(keys[0]!)) {
    return [failure(path, `an object with exactly one of ${allowed.join(', ')}`, keys.join(', '))];
  }
  const v = value as { header?: string; jsonPointer?: string; constant?: string };
  return [
    matches(
      `${path}.header`,
      v.header,
      HEADER_NAME_PATTERN,
      'a header name (RFC 9110 token, at most 128 characters)',
    ),
    matches(
      `${path}.jsonPointer`,
      v.jsonPointer,
      JSON_POINTER_PATTERN,
      'a JSON pointer (RFC 6901), e.g. "/id"',
    ),
    v.jsonPointer === undefined || v.jsonPointer.length <= 256
      ? undefined
      : failure(`${path}.jsonPointer`, 'at most 256 characters', v.jsonPointer),
    v.constant === undefined || (v.constant.length >= 1 && v.constant.length <= MAX_KEY_LENGTH)
      ? undefined
      : failure(`${path}.constant`, `1-${MAX_KEY_LENGTH} characters`, v.constant),
  ];
}

function verifyRules(path: string, verify: WebhookSourceVerify): Rule[] {
  if (typeof verify === 'string') return [oneOf(path, verify, VERIFY_SCHEMES)];
  if (typeof verify !== 'object' || verify === null || verify.scheme !== 'hmac') {
    return [failure(path, `one of ${VERIFY_SCHEMES.join(', ')}, or { scheme: 'hmac', … }`, verify)];
  }
  return [
    matches(
      `${path}.header`,
      verify.header,
      HEADER_NAME_PATTERN,
      'a header name (RFC 9110 token, at most 128 characters)',
    ),
    oneOf(`${path}.algorithm`, verify.algorithm, HMAC_ALGORITHMS),
    oneOf(`${path}.encoding`, verify.encoding, HMAC_ENCODINGS),
    verify.prefix === undefined || verify.prefix.length <= 64
      ? undefined
      : failure(`${path}.prefix`, 'at most 64 characters', verify.prefix),
  ];
}

function secretRules(path: string, source: WebhookSource): Rule[] {
  const secrets = secretsOf(source);
  const none = source.verify === 'none';
  const names = new Set<string>();
  return [
    none
      ? check(
          path,
          secrets.length === 0,
          'empty when verify is "none" (nothing would check them)',
          secrets.length,
        )
      : check(path, secrets.length > 0, `at least one Key Vault secret name when verify is not "none"`, '[]'),
    ...secrets.flatMap((s, i) => {
      const duplicate = names.has(s.name);
      names.add(s.name);
      return [
        matches(
          `${path}[${i}].name`,
          s.name,
          SECRET_NAME,
          'a Key Vault secret name (1-127 letters, digits or hyphens)',
        ),
        check(`${path}[${i}].name`, !duplicate, 'listed once per source', s.name),
        s.notAfter === undefined ||
        (DATE_TIME_PATTERN.test(s.notAfter) && !Number.isNaN(Date.parse(s.notAfter)))
          ? undefined
          : failure(
              `${path}[${i}].notAfter`,
              'an RFC 3339 date-time with an offset, e.g. "2027-01-31T00:00:00Z"',
              s.notAfter,
            ),
      ];
    }),
  ];
}

/**
 * The rules of `sources`, each naming its prop path below `prefix` (`sources[1].name`,
 * `runtime.sources[0].secretNames[1].notAfter`).
 */
export function sourceRules(prefix: string, sources: readonly WebhookSource[]): Rule[] {
  const seen = new Set<string>();
  return sources.flatMap((source, i) => {
    const path = `${prefix}[${i}]`;
    const duplicate = seen.has(source.name);
    seen.add(source.name);
    return [
      matches(
        `${path}.name`,
        source.name,
        SOURCE_NAME_PATTERN,
        '1-32 lower-case letters, digits and "-", starting with a letter or digit',
      ),
      check(`${path}.name`, !duplicate, 'unique (an earlier source has it)', source.name),
      ...verifyRules(`${path}.verify`, source.verify),
      ...secretRules(`${path}.secretNames`, source),
      ...fieldRules(`${path}.deliveryId`, source.deliveryId, false),
      ...fieldRules(`${path}.key`, source.key, true),
      oneOf(`${path}.body`, source.body, SOURCE_BODY_MODES),
      ...(source.rateLimit === undefined
        ? []
        : [
            intInRange(`${path}.rateLimit.rps`, source.rateLimit.rps, 1, RATE_MAX),
            intInRange(`${path}.rateLimit.burst`, source.rateLimit.burst, 1, RATE_MAX),
          ]),
    ];
  });
}

/** One secret of one source as the runtime container receives it. */
export interface SourceSecretBinding {
  /** `WEBHOOK_SOURCE_<NAME>_SECRET_<i>` */
  readonly env: string;
  /** The container-app secret holding it: `source-<name>-<i>`. */
  readonly appSecretName: string;
  /** The Key Vault secret it references. */
  readonly secretName: string;
}

/** Every source secret's variable, app secret and Key Vault secret, in source and list order. */
export function sourceSecretBindings(sources: readonly WebhookSource[]): SourceSecretBinding[] {
  return sources.flatMap((source) =>
    secretsOf(source).map((s, i) => ({
      env: sourceSecretEnvName(source.name, i),
      appSecretName: `source-${source.name}-${i}`,
      secretName: s.name,
    })),
  );
}

/** `WEBHOOK_SOURCES`: the runtime's document, secrets named by the variables that hold them. */
export function renderSources(sources: readonly WebhookSource[]): string {
  const specs = sources.map((source): WebhookSourceSpec => {
    const secrets = secretsOf(source).map((s, i) => ({
      env: sourceSecretEnvName(source.name, i),
      ...(s.notAfter === undefined ? {} : { notAfter: s.notAfter }),
    }));
    const v = source.verify;
    const verify: WebhookSourceSpec['verify'] =
      typeof v === 'string'
        ? v
        : {
            scheme: 'hmac',
            header: v.header,
            algorithm: v.algorithm,
            encoding: v.encoding,
            ...(v.prefix === undefined ? {} : { prefix: v.prefix }),
          };
    return {
      name: source.name,
      verify,
      ...(secrets.length === 0 ? {} : { secrets }),
      ...(source.deliveryId === undefined ? {} : { deliveryId: { ...source.deliveryId } }),
      ...(source.key === undefined ? {} : { key: { ...source.key } }),
      ...(source.body === undefined ? {} : { body: source.body }),
      ...(source.rateLimit === undefined
        ? {}
        : { rateLimit: { rps: source.rateLimit.rps, burst: source.rateLimit.burst } }),
    };
  });
  return JSON.stringify(specs);
}

/**
 * `WEBHOOK_SOURCES_NGINX`: `name` (the tier's rate) or `name:rps:burst` per source, space-separated
 * (nginx/render.sh validates and renders one location and zone each).
 */
export function renderNginxSources(sources: readonly WebhookSource[]): string {
  return sources
    .map((s) => (s.rateLimit === undefined ? s.name : `${s.name}:${s.rateLimit.rps}:${s.rateLimit.burst}`))
    .join(' ');
}
