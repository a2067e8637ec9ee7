/**
 * `WEBHOOK_SOURCES`: the named sources' document (../contract.ts `WebhookSourceSpec`), validated by
 * one zod schema inside the runtime's environment schema (../config.ts), with every secret read
 * from the environment variable it names (`parseSecretList`, the same rules and minimum lengths as
 * WEBHOOK_SECRET). A problem names the source by index and name and the field
 * (`WEBHOOK_SOURCES[1].verify.algorithm must be one of … (source "acme")`); it never quotes a
 * secret, and the document holds none (only variable names).
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
  type VerifyScheme,
} from '../contract';
import { MAX_CLIENT_ID_LENGTH } from '../http/payload';
import type { HmacOptions } from '../verify/hmac';
import type { RotatingSecret } from '../verify/rotation';
import { parseSecretList, secretProblem } from '../verify/secrets';
import * as z from 'zod/mini';

/** A source's verification, resolved: a named scheme or the generic HMAC scheme's options. */
export type SourceVerify = VerifyScheme | ({ scheme: 'hmac' } & HmacOptions);
export type DeliveryIdRule = { header: string } | { jsonPointer: string };
export type KeyRule = { header: string } | { jsonPointer: string } | { constant: string };
export type BodyMode = (typeof SOURCE_BODY_MODES)[number];

/** One secret of a source: its value, when it stops verifying, and the variable it came from. */
export interface SourceSecret extends RotatingSecret {
  readonly env: string;
}

/** One named source, validated and with its defaults applied. */
export interface SourceConfig {
  readonly name: string;
  readonly verify: SourceVerify;
  /** Empty only for `verify: none`. */
  readonly secrets: readonly SourceSecret[];
  /** Where the sender's delivery id is; `undefined`: the source has none (messages use the correlationId). */
  readonly deliveryId?: DeliveryIdRule;
  readonly key: KeyRule;
  readonly body: BodyMode;
}

/** WEBHOOK_SOURCES as ../config.ts hands it over: the JSON text and the environment its secrets name. */
export interface SourcesInput {
  readonly json: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Delivery id by scheme when a source does not name one (the providers' documented headers). */
export const DEFAULT_DELIVERY_ID: Partial<Record<VerifyScheme, DeliveryIdRule>> = {
  'standard-webhooks': { header: 'webhook-id' },
  github: { header: 'X-GitHub-Delivery' },
  stripe: { jsonPointer: '/id' },
  shopify: { header: 'X-Shopify-Webhook-Id' },
};

/** A portable environment variable name. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Strict objects: a misspelt field is refused by name, not ignored. */
const strictError = {
  error: (issue: z.core.$ZodRawIssue) =>
    issue.code === 'unrecognized_keys'
      ? `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
      : 'must be an object',
};

const headerName = () =>
  z.string({ error: 'must be a header name' }).check(
    z.regex(HEADER_NAME_PATTERN, {
      error: 'must be a header name (RFC 9110 token, at most 128 characters)',
    }),
  );
const jsonPointer = () =>
  z
    .string({ error: 'must be a JSON pointer' })
    .check(
      z.regex(JSON_POINTER_PATTERN, { error: 'must be a JSON pointer (RFC 6901), e.g. "/id"' }),
      z.maxLength(256, { error: 'must be at most 256 characters' }),
    );

const hmacSpec = z.strictObject(
  {
    scheme: z.literal('hmac', { error: 'must be "hmac" (or verify a scheme name)' }),
    header: headerName(),
    algorithm: z.enum(HMAC_ALGORITHMS, { error: `must be one of ${HMAC_ALGORITHMS.join(' | ')}` }),
    encoding: z.enum(HMAC_ENCODINGS, { error: `must be one of ${HMAC_ENCODINGS.join(' | ')}` }),
    prefix: z.optional(
      z
        .string({ error: 'must be a string' })
        .check(z.maxLength(64, { error: 'must be at most 64 characters' })),
    ),
  },
  strictError,
);

type Ctx = z.core.ParsePayload;

/** Re-raises a nested schema's issues under the current path (zod prefixes the parents' keys). */
function raise(ctx: Ctx, issues: readonly z.core.$ZodIssue[]): never {
  for (const issue of issues) {
    ctx.issues.push({ code: 'custom', message: issue.message, path: [...issue.path], input: undefined });
  }
  return z.NEVER;
}

/** `verify`: a scheme name, or the HMAC object (its fields' problems keep their paths). */
const verifySpec = z.pipe(
  z.unknown(),
  z.transform((value: unknown, ctx: Ctx): SourceVerify => {
    const schemes = `${VERIFY_SCHEMES.join(' | ')}, or {"scheme":"hmac",…}`;
    if (typeof value === 'string') {
      if ((VERIFY_SCHEMES as readonly string[]).includes(value)) return value as VerifyScheme;
      return raise(ctx, [{ code: 'custom', message: `must be one of ${schemes}`, path: [], input: value }]);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return raise(ctx, [{ code: 'custom', message: `must be one of ${schemes}`, path: [], input: value }]);
    }
    const parsed = hmacSpec.safeParse(value);
    if (!parsed.success) return raise(ctx, parsed.error.issues);
    const { prefix, ...rest } = parsed.data;
    return prefix === undefined ? rest : { ...rest, prefix };
  }),
);

/** An object with exactly one of `rules`' keys, each validated by its schema. */
function oneOf<T extends Record<string, z.ZodMiniType<string>>>(rules: T) {
  const names = Object.keys(rules);
  const expected = `must be an object with exactly one of ${names.map((n) => `"${n}"`).join(', ')}`;
  return z.pipe(
    z.unknown(),
    z.transform((value: unknown, ctx: Ctx) => {
      const keys =
        typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
      const key = keys[0];
      if (keys.length !== 1 || key === undefined || !names.includes(key)) {
        return raise(ctx, [{ code: 'custom', message: expected, path: [], input: undefined }]);
      }
      const parsed = (rules[key] as z.ZodMiniType<string>).safeParse((value as Record<string, unknown>)[key]);
      if (!parsed.success) {
        return raise(
          ctx,
          parsed.error.issues.map((i) => ({ ...i, path: [key, ...i.path] })),
        );
      }
      return { [key]: parsed.data } as { [K in keyof T]: { [P in K]: string } }[keyof T];
    }),
  );
}

const secretSpec = z.strictObject(
  {
    env: z
      .string({ error: 'must be a string' })
      .check(z.regex(ENV_NAME, { error: 'must name an environment variable (letters, digits and _)' })),
    notAfter: z.optional(
      z.string({ error: 'must be an RFC 3339 date-time' }).check(
        z.refine((s) => DATE_TIME_PATTERN.test(s) && !Number.isNaN(Date.parse(s)), {
          error: 'must be an RFC 3339 date-time with an offset, e.g. "2027-01-31T00:00:00Z"',
        }),
      ),
    ),
  },
  strictError,
);

const positiveInt = () =>
  z.int({ error: 'must be an integer' }).check(z.gte(1, { error: 'must be at least 1' }));

const sourceSpec = z.strictObject(
  {
    name: z.string({ error: 'must be a string' }).check(
      z.regex(SOURCE_NAME_PATTERN, {
        error: 'must be 1-32 characters: lower-case letters, digits and "-", starting with a letter or digit',
      }),
    ),
    verify: verifySpec,
    secrets: z.optional(z.array(secretSpec, { error: 'must be an array of {"env": "<VARIABLE>"}' })),
    deliveryId: z.optional(oneOf({ header: headerName(), jsonPointer: jsonPointer() })),
    key: z.optional(
      oneOf({
        header: headerName(),
        jsonPointer: jsonPointer(),
        constant: z.string({ error: 'must be a string' }).check(
          z.minLength(1, { error: 'must not be empty' }),
          z.maxLength(MAX_CLIENT_ID_LENGTH, {
            error: `must be at most ${MAX_CLIENT_ID_LENGTH} characters`,
          }),
        ),
      }),
    ),
    body: z.optional(z.enum(SOURCE_BODY_MODES, { error: `must be one of ${SOURCE_BODY_MODES.join(' | ')}` })),
    rateLimit: z.optional(z.strictObject({ rps: positiveInt(), burst: positiveInt() }, strictError)),
  },
  strictError,
);

const documentSchema = z.array(sourceSpec, { error: 'must be a JSON array of sources' }).check(
  z.superRefine((sources, ctx) => {
    const seen = new Set<string>();
    sources.forEach((source, i) => {
      if (seen.has(source.name)) {
        ctx.addIssue({
          code: 'custom',
          message: 'is used by an earlier source',
          path: [i, 'name'],
          input: undefined,
        });
      }
      seen.add(source.name);
      const count = source.secrets?.length ?? 0;
      if (source.verify === 'none' && count > 0) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be absent when verify is "none" (nothing would check them)',
          path: [i, 'secrets'],
          input: undefined,
        });
      } else if (source.verify !== 'none' && count === 0) {
        ctx.addIssue({
          code: 'custom',
          message: 'must list at least one {"env": "<VARIABLE>"} unless verify is "none"',
          path: [i, 'secrets'],
          input: undefined,
        });
      }
    });
  }),
);

type SourceSpec = z.output<typeof sourceSpec>;

/** The scheme whose secret rules apply (./verify/secrets.ts). */
const schemeOf = (verify: SourceVerify): VerifyScheme | 'hmac' =>
  typeof verify === 'string' ? verify : 'hmac';

/** The source's secrets read from the variables they name; problems pathed `[i, 'secrets', j]`. */
function readSecrets(
  spec: SourceSpec,
  index: number,
  env: SourcesInput['env'],
  problem: (path: Array<string | number>, message: string) => void,
): SourceSecret[] {
  const secrets: SourceSecret[] = [];
  (spec.secrets ?? []).forEach(({ env: name, notAfter }, j) => {
    const path = [index, 'secrets', j, 'env'];
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') {
      problem(path, `names ${name}, which is not set`);
      return;
    }
    const values = parseSecretList(raw);
    if (values === undefined) {
      problem(path, `names ${name}, which must be one secret or a JSON array of non-empty strings`);
      return;
    }
    values.forEach((value, k) => {
      const why = secretProblem(schemeOf(spec.verify), value);
      if (why !== undefined)
        problem(path, `names ${name}, whose ${values.length > 1 ? `secret [${k}]` : 'value'} ${why}`);
    });
    const deadline = notAfter === undefined ? undefined : Date.parse(notAfter);
    for (const value of values)
      secrets.push(deadline === undefined ? { value, env: name } : { value, env: name, notAfter: deadline });
  });
  return secrets;
}

function withDefaults(spec: SourceSpec, secrets: SourceSecret[]): SourceConfig {
  const body = spec.body ?? 'passthrough';
  const deliveryId =
    spec.deliveryId ?? (typeof spec.verify === 'string' ? DEFAULT_DELIVERY_ID[spec.verify] : undefined);
  const key = spec.key ?? (body === 'contract' ? { jsonPointer: '/clientId' } : { constant: spec.name });
  return { name: spec.name, verify: spec.verify, secrets, ...(deliveryId ? { deliveryId } : {}), key, body };
}

/** The sources' names for a problem's suffix, when the raw entry has one. */
function nameAt(doc: unknown, index: unknown): string | undefined {
  if (!Array.isArray(doc) || typeof index !== 'number') return undefined;
  const name = (doc[index] as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name.length <= 64 ? name : undefined;
}

/**
 * The WEBHOOK_SOURCES field of ../config.ts's schema: `undefined` (unset) → no named sources.
 * Issues carry `[index, field…]` paths below WEBHOOK_SOURCES, and the source's name when it has one.
 */
export function sourcesField() {
  return z.pipe(
    z.optional(z.custom<SourcesInput>()),
    z.transform((input: SourcesInput | undefined, ctx: Ctx): SourceConfig[] => {
      if (input === undefined) return [];
      let doc: unknown;
      try {
        doc = JSON.parse(input.json);
      } catch {
        return raise(ctx, [
          {
            code: 'custom',
            message: 'must be a JSON array of sources (not valid JSON)',
            path: [],
            input: undefined,
          },
        ]);
      }
      const issues: Array<{ path: Array<string | number>; message: string }> = [];
      const problem = (path: Array<string | number>, message: string) => {
        const name = nameAt(doc, path[0]);
        issues.push({ path, message: name === undefined ? message : `${message} (source "${name}")` });
      };
      const parsed = documentSchema.safeParse(doc);
      if (!parsed.success) {
        for (const i of parsed.error.issues) problem(i.path as Array<string | number>, i.message);
      } else {
        const sources = parsed.data.map((spec, i) =>
          withDefaults(spec, readSecrets(spec, i, input.env, problem)),
        );
        if (issues.length === 0) return sources;
      }
      return raise(
        ctx,
        issues.map((i) => ({ code: 'custom', ...i, input: undefined })),
      );
    }),
  );
}

/** The environment variables the sources' secrets were read from. */
export function sourceSecretVariables(sources: readonly SourceConfig[]): string[] {
  return [...new Set(sources.flatMap((s) => s.secrets.map((secret) => secret.env)))];
}
