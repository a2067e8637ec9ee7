/**
 * Prop validation as a table of rules (the aws-cdk-lib style): each rule names the field, the
 * allowed range and the value received, and `validate` throws one error listing every failure, at
 * construction time, before any resource exists. Values that are unresolved tokens (known only at
 * apply time) are skipped: they cannot be checked at synth.
 */
import { Token } from 'cdktf';

/** A failed rule's message, or `undefined` when the value is acceptable. */
export type Rule = string | undefined;

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function unresolved(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value);
}

/**
 * Throws one `Error` listing every failed rule, prefixed with the construct's path.
 * @param owner e.g. `MessageBus 'Bus'` or the construct's `node.path`
 */
export function validate(owner: string, rules: readonly Rule[]): void {
  const failures = rules.filter((r): r is string => r !== undefined);
  if (failures.length === 0) return;
  throw new Error(`${owner}: invalid props:\n  - ${failures.join('\n  - ')}`);
}

/** Builds the message of a failed rule: `<field> must be <expected> (received <value>)`. */
export function failure(field: string, expected: string, received: unknown): string {
  return `${field} must be ${expected} (received ${describeValue(received)})`;
}

/** An integer between `min` and `max` inclusive; `undefined` passes (the default applies). */
export function intInRange(field: string, value: number | undefined, min: number, max: number): Rule {
  if (value === undefined || unresolved(value)) return undefined;
  return Number.isInteger(value) && value >= min && value <= max
    ? undefined
    : failure(field, `an integer from ${min} to ${max}`, value);
}

/** One of a fixed list of values; `undefined` passes. */
export function oneOf<T extends string | number>(
  field: string,
  value: T | undefined,
  allowed: readonly T[],
): Rule {
  if (value === undefined || unresolved(value)) return undefined;
  return allowed.includes(value) ? undefined : failure(field, `one of ${allowed.join(', ')}`, value);
}

/** A string matching `pattern`, described to the user as `expected`; `undefined` passes. */
export function matches(field: string, value: string | undefined, pattern: RegExp, expected: string): Rule {
  if (value === undefined || unresolved(value)) return undefined;
  return pattern.test(value) ? undefined : failure(field, expected, value);
}

/** An arbitrary condition: fails with `expected` when `ok` is false. */
export function check(field: string, ok: boolean, expected: string, received: unknown): Rule {
  return ok ? undefined : failure(field, expected, received);
}

const ISO_DURATION =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Parses an ISO 8601 duration (`PT10M`, `P14D`, `PT1H30M`) to seconds; returns `undefined` when the
 * text is not one. Years and months count as 365 and 30 days, as Azure does for entity TTLs.
 */
export function parseIsoDuration(text: string): number | undefined {
  const m = ISO_DURATION.exec(text);
  if (m === null || text === 'P' || text.endsWith('T')) return undefined;
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return ((((y * 365 + mo * 30 + w * 7 + d) * 24 + h) * 60 + mi) * 60 + s) as number;
}

/**
 * An ISO 8601 duration between `min` and `max` (both ISO 8601 too, as Azure documents them);
 * `undefined` passes.
 */
export function durationInRange(field: string, value: string | undefined, min: string, max: string): Rule {
  if (value === undefined || unresolved(value)) return undefined;
  const seconds = parseIsoDuration(value);
  const lo = parseIsoDuration(min) ?? 0;
  const hi = parseIsoDuration(max) ?? Number.POSITIVE_INFINITY;
  return seconds !== undefined && seconds >= lo && seconds <= hi
    ? undefined
    : failure(field, `an ISO 8601 duration from ${min} to ${max}`, value);
}
