/**
 * The webhook payload: `{clientId: non-empty string, opportunity: JSON object}`, other fields kept.
 * The sender's bytes are what gets published (never re-serialised), so everything checked here is
 * checked on what consumers will read. One validation path for every input:
 *
 * 1. not UTF-8 → 400; not JSON (JSON.parse, V8's parser is iterative: no depth makes it overflow
 *    the stack; any other error than a SyntaxError propagates as a 500, never a 400) → 400;
 * 2. one pass over the text ({@link checkStructure}): nesting deeper than {@link MAX_JSON_DEPTH},
 *    a `__proto__`/`constructor`/`prototype` key, or a key twice in one object → 422, whatever the
 *    content (escapes included: keys are compared decoded);
 * 3. the fields' types and bounds ({@link isValidPayload}: a few type checks on the hot path;
 *    {@link payloadProblems}, zod, only describes what is wrong; payload.property.test.ts holds
 *    the two in agreement) → 422 with `errors[].pointer`.
 *
 * Duplicate keys are refused because validation sees JSON.parse's last value while the published
 * bytes carry both, and a consumer that takes the first would read unvalidated data
 * (docs/decisions/0011-payload-bytes-and-duplicate-keys.md).
 */
import { isUtf8 } from 'node:buffer';
import * as z from 'zod/mini';

/**
 * Deepest nesting of objects and arrays accepted (the payload object itself is level 1). JSON.parse
 * takes 100 000 levels in its stride, but many consumers' parsers do not: such a message would be
 * accepted here and then poison the queue.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Longest clientId accepted, in characters (Unicode code points, as JSON Schema's `maxLength`
 * counts them; at most 1,024 UTF-8 bytes). The clientId is copied into the Kafka key and the
 * `ce_subject` header, and the Service Bus `cloudEvents_subject` property: unbounded, it multiplied
 * the message size and fed kafkajs' murmur2, quadratic in the key (a 480 KB clientId blocked the
 * event loop for 49 s). Kafka's own keys are usually far shorter; 256 leaves room for any id.
 */
export const MAX_CLIENT_ID_LENGTH = 256;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A UTF-16 surrogate not paired with its other half (`\ud800` in JSON): not a character. */
const LONE_SURROGATE = /\p{Cs}/u;

/** True when `s` has more than `max` code points; counts only when the UTF-16 length is ambiguous. */
function longerThan(s: string, max: number): boolean {
  if (s.length <= max) return false;
  if (s.length > 2 * max) return true;
  let points = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // The high half of a pair counts for both halves.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
    points += 1;
    if (points > max) return true;
  }
  return false;
}

const CLIENT_ID_TOO_LONG = `must be at most ${MAX_CLIENT_ID_LENGTH} characters`;
const CLIENT_ID_NOT_WELL_FORMED = 'must be well-formed Unicode (no lone surrogates)';

const schema = z.object({
  clientId: z.string({ error: 'must be a string' }).check(
    z.refine((s) => s.trim() !== '', { error: 'must be a non-empty string' }),
    z.refine((s) => !longerThan(s, MAX_CLIENT_ID_LENGTH), { error: CLIENT_ID_TOO_LONG }),
    z.refine((s) => !LONE_SURROGATE.test(s), { error: CLIENT_ID_NOT_WELL_FORMED }),
  ),
  opportunity: z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }),
});

export type Payload = Record<string, unknown> & { clientId: string; opportunity: Record<string, unknown> };

export type ParseResult =
  | { ok: true; payload: Payload }
  | { ok: false; status: 400 | 422; detail: string; errors?: Array<{ pointer: string; detail: string }> };

type Refusal = Extract<ParseResult, { ok: false }>;

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
const pointerOf = (path: ReadonlyArray<string | number>): string =>
  path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** A key as it may be quoted back in a problem detail (the pointer always carries it whole). */
const shown = (key: string) => (key.length <= 128 ? key : `${key.slice(0, 128)}…`);

/** Index of the `"` closing the string whose opening `"` is at `open` (the text is valid JSON). */
function stringEnd(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

/**
 * One pass over JSON text that JSON.parse accepted: the nesting depth (stops at the first level
 * past {@link MAX_JSON_DEPTH}), and every object's keys, decoded, for forbidden and duplicate ones.
 * Strings are skipped with indexOf; only keys are sliced (and decoded only if they hold an escape).
 * Iterative, with its own stack of at most MAX_JSON_DEPTH frames.
 */
export function checkStructure(text: string): Refusal | undefined {
  /**
   * Per open container: its keys so far (objects; an array while short, where a linear search is
   * cheaper than a Set, then a Set), or undefined (arrays, and objects before their first key).
   */
  const keys: Array<string[] | Set<string> | undefined> = [];
  /** Per open container: whether it is an object. */
  const isObject: boolean[] = [];
  /** Per open container: the key or index of the value being read (the JSON pointer's tokens). */
  const path: Array<string | number> = [];
  let depth = 0;
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(text, i);
      if (expectKey) {
        expectKey = false;
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        const top = depth - 1;
        if (FORBIDDEN_KEYS.has(key)) {
          return {
            ok: false,
            status: 422,
            detail: `key "${key}" is not allowed anywhere in the payload`,
            errors: [
              { pointer: pointerOf([...path.slice(0, top), key]), detail: `key "${key}" is not allowed` },
            ],
          };
        }
        const seen = keys[top];
        if (seen === undefined) keys[top] = [key];
        else if (Array.isArray(seen) ? seen.includes(key) : seen.has(key)) {
          return {
            ok: false,
            status: 422,
            detail: `key "${shown(key)}" appears more than once in the same object`,
            errors: [
              { pointer: pointerOf([...path.slice(0, top), key]), detail: `duplicate key "${shown(key)}"` },
            ],
          };
        } else if (!Array.isArray(seen)) seen.add(key);
        else if (seen.length < 16) seen.push(key);
        else keys[top] = new Set([...seen, key]);
        path[top] = key;
      }
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      // '{' or '['
      if (depth === MAX_JSON_DEPTH) {
        const detail = `objects and arrays nest deeper than ${MAX_JSON_DEPTH} levels`;
        return { ok: false, status: 422, detail, errors: [{ pointer: '', detail }] };
      }
      keys[depth] = undefined;
      isObject[depth] = c === 0x7b;
      path[depth] = 0;
      depth += 1;
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      // '}' or ']'
      depth -= 1;
      keys[depth] = undefined;
      expectKey = false;
    } else if (c === 0x2c) {
      // ',': the next key of an object, or the next index of an array
      const top = depth - 1;
      if (isObject[top] === true) expectKey = true;
      else path[top] = (path[top] as number) + 1;
    }
  }
  return undefined;
}

export function parsePayload(raw: Buffer): ParseResult {
  const document = parseDocument(raw, false);
  if (!document.ok) return document;
  const value = document.value;
  if (isValidPayload(value as Record<string, unknown>)) return { ok: true, payload: value as Payload };
  const errors = payloadProblems(value);
  // Not reached: the two agree on every input (payload.property.test.ts); if they ever did not,
  // zod's word that nothing is wrong is kept.
  if (errors.length === 0) return { ok: true, payload: value as Payload };
  return { ok: false, status: 422, detail: errors.map((e) => e.detail).join('; '), errors };
}

export type DocumentResult = { ok: true; value: Record<string, unknown> | unknown[] } | Refusal;

/**
 * Steps 1 and 2 for any JSON document: UTF-8, JSON, an object (or, with `arrays`, an array), depth,
 * forbidden and duplicate keys. A passthrough source (../sources) publishes what passes.
 */
export function parseDocument(raw: Buffer, arrays: boolean): DocumentResult {
  // toString would silently turn invalid bytes into U+FFFD and publish what the sender never sent.
  if (!isUtf8(raw)) return { ok: false, status: 400, detail: 'request body is not valid UTF-8' };
  const text = raw.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError)
      return { ok: false, status: 400, detail: 'request body is not valid JSON' };
    throw err;
  }
  if (typeof value !== 'object' || value === null || (Array.isArray(value) && !arrays)) {
    const expected = arrays ? 'a JSON object or array' : 'a JSON object';
    return {
      ok: false,
      status: 422,
      detail: `request body must be ${expected}`,
      errors: [{ pointer: '', detail: `must be ${expected}` }],
    };
  }
  const refused = checkStructure(text);
  return refused ?? { ok: true, value: value as Record<string, unknown> | unknown[] };
}

/**
 * The hot path: true when the fields are valid, in a few type checks (measured: zod's safeParse
 * was a fifth of the handler's CPU at load). Accepts exactly what {@link payloadProblems} finds
 * nothing wrong with: payload.property.test.ts holds the two together on generated payloads.
 */
export function isValidPayload(value: Record<string, unknown>): boolean {
  const clientId = value['clientId'];
  const opportunity = value['opportunity'];
  return (
    typeof clientId === 'string' &&
    clientId.trim() !== '' &&
    !longerThan(clientId, MAX_CLIENT_ID_LENGTH) &&
    !LONE_SURROGATE.test(clientId) &&
    typeof opportunity === 'object' &&
    opportunity !== null &&
    !Array.isArray(opportunity)
  );
}

/**
 * What is wrong with the payload's fields, described by the zod schema: one entry per problem,
 * with the JSON pointer of the field; empty when nothing is. Run only off the hot path.
 */
export function payloadProblems(value: unknown): Array<{ pointer: string; detail: string }> {
  const checked = schema.safeParse(value);
  if (checked.success) return [];
  return checked.error.issues.map((i) => ({
    pointer: pointerOf(i.path as ReadonlyArray<string | number>),
    detail: `${i.path.map(String).join('.')} ${i.message}`,
  }));
}
