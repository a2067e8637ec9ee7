/**
 * The webhook payload: `{clientId: non-empty string, opportunity: JSON object}`, other fields kept.
 * zod only validates; the message body is built from JSON.parse's own output into a null-prototype
 * object, so a `__proto__` key can never reach a prototype. Such keys are refused with 422 anyway:
 * consumers that merge objects would be exposed.
 */
import { isUtf8 } from 'node:buffer';
import * as z from 'zod/mini';

/**
 * Deepest nesting of objects and arrays accepted (the payload object itself is level 1). JSON.parse
 * takes 100 000 levels in its stride, but many consumers' parsers do not: such a message would be
 * accepted here and then poison the queue.
 */
export const MAX_JSON_DEPTH = 64;

const schema = z.object({
  clientId: z
    .string({ error: 'must be a string' })
    .check(z.trim(), z.minLength(1, { error: 'must be a non-empty string' })),
  opportunity: z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }),
});

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type Payload = Record<string, unknown> & { clientId: string; opportunity: Record<string, unknown> };

export type ParseResult =
  | { ok: true; payload: Payload }
  | { ok: false; status: 400 | 422; detail: string; errors?: Array<{ pointer: string; detail: string }> };

/** True when objects/arrays nest deeper than `limit`; walks only containers, stops at the limit. */
function nestsDeeperThan(root: object, limit: number): boolean {
  const values: object[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop() as object;
    const depth = depths.pop() as number;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof child === 'object' && child !== null) {
        if (depth + 1 > limit) return true;
        values.push(child as object);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

export function parsePayload(raw: Buffer): ParseResult {
  // toString would silently turn invalid bytes into U+FFFD and publish what the sender never sent.
  if (!isUtf8(raw)) return { ok: false, status: 400, detail: 'request body is not valid UTF-8' };
  const text = raw.toString('utf8');
  let forbidden: string | undefined;
  let value: unknown;
  try {
    // The reviver (slower) runs only when a dangerous key can be present at all.
    value =
      text.includes('proto') || text.includes('constructor') || text.includes('\\u')
        ? JSON.parse(text, function (key, v: unknown) {
            if (FORBIDDEN_KEYS.has(key)) forbidden ??= key;
            return v;
          })
        : JSON.parse(text);
  } catch {
    return { ok: false, status: 400, detail: 'request body is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      ok: false,
      status: 422,
      detail: 'request body must be a JSON object',
      errors: [{ pointer: '', detail: 'must be a JSON object' }],
    };
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
    const detail = `objects and arrays nest deeper than ${MAX_JSON_DEPTH} levels`;
    return { ok: false, status: 422, detail, errors: [{ pointer: '', detail }] };
  }
  if (forbidden !== undefined) {
    return {
      ok: false,
      status: 422,
      detail: `key "${forbidden}" is not allowed anywhere in the payload`,
      errors: [{ pointer: '', detail: `key "${forbidden}" is not allowed` }],
    };
  }
  // Hot path: a valid payload costs two type checks; zod runs only to describe what is wrong
  // (measured: safeParse was a fifth of the handler's CPU at load).
  const v = value as Record<string, unknown>;
  const opportunity = v['opportunity'];
  if (
    typeof v['clientId'] === 'string' &&
    v['clientId'].trim() !== '' &&
    typeof opportunity === 'object' &&
    opportunity !== null &&
    !Array.isArray(opportunity)
  ) {
    return { ok: true, payload: value as Payload };
  }
  const checked = schema.safeParse(value);
  if (!checked.success) {
    const errors = checked.error.issues.map((i) => ({
      pointer: `/${i.path.map(String).join('/')}`,
      detail: `${i.path.map(String).join('.')} ${i.message}`,
    }));
    return { ok: false, status: 422, detail: errors.map((e) => e.detail).join('; '), errors };
  }
  return { ok: true, payload: value as Payload }; // unreachable in practice: the fast check agrees with zod
}

/**
 * `{...fields, clientId, opportunity, correlationId, receivedAt}` as UTF-8 JSON. Fast path: the
 * sender's own bytes with the two fields appended before the closing brace (no re-serialisation);
 * if the sender sent either field itself, the object is rebuilt so ours are the only ones.
 */
export function messageBody(
  raw: Buffer,
  payload: Payload,
  correlationId: string,
  receivedAt: string,
): Buffer {
  const suffix = `"correlationId":${JSON.stringify(correlationId)},"receivedAt":${JSON.stringify(receivedAt)}}`;
  if (!Object.hasOwn(payload, 'correlationId') && !Object.hasOwn(payload, 'receivedAt')) {
    let end = raw.length - 1;
    while (end > 0 && raw[end] !== 0x7d) end -= 1; // the closing '}' (trailing whitespace allowed)
    const tail = Object.keys(payload).length === 0 ? suffix : `,${suffix}`;
    const out = Buffer.allocUnsafe(end + Buffer.byteLength(tail));
    raw.copy(out, 0, 0, end);
    out.write(tail, end);
    return out;
  }
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(payload)) out[key] = payload[key];
  out['correlationId'] = correlationId;
  out['receivedAt'] = receivedAt;
  return Buffer.from(JSON.stringify(out));
}
