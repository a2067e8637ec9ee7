/**
 * The payload's two validators agree: the hand-written hot path (`isValidPayload`) and the zod
 * schema that describes problems (`payloadProblems`) are run on generated payloads, each generated
 * with a label saying which fields are invalid and why (an independent model), and both must
 * accept exactly the unlabelled ones and point at exactly the labelled fields. The same payloads
 * as bytes through `parsePayload`, with text-level faults only text can carry (a key twice, a
 * forbidden key, nesting past the limit), must give the model's answer too.
 */
import fc from 'fast-check';
import {
  isValidPayload,
  MAX_CLIENT_ID_LENGTH,
  MAX_JSON_DEPTH,
  parsePayload,
  payloadProblems,
} from './payload';

type FieldName = 'clientId' | 'opportunity';
/** A generated field: its value (or absent), and whether the model calls it valid. */
interface Field {
  readonly present: boolean;
  readonly value?: unknown;
  readonly valid: boolean;
}
interface Generated {
  /** Key/value pairs in text order (a Record could not hold a key twice). */
  readonly entries: ReadonlyArray<readonly [string, unknown]>;
  /** Fields the model calls invalid. */
  readonly invalid: ReadonlySet<FieldName>;
}

// --- JSON with safe keys (a forbidden key is a text-level fault, added only by the property about it)
const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];
/** Keys the structure check accepts (a forbidden key is a text-level fault, generated below). */
const key = fc.string({ maxLength: 12 }).filter((k) => !FORBIDDEN.includes(k));
/** JSON values with safe keys, at most 4 levels deep. */
const { json } = fc.letrec<{ json: unknown; object: Record<string, unknown> }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    ),
    fc.array(tie('json'), { maxLength: 4 }),
    tie('object'),
  ),
  object: fc.dictionary(key, tie('json'), { maxKeys: 5 }),
}));
const jsonObject = fc.dictionary(key, json, { maxKeys: 6 });

// --- clientId --------------------------------------------------------------------------------------
/** Any Unicode scalar value (no surrogate halves), weighted to ASCII, Latin, BMP and astral. */
const scalar = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }) },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xd7ff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0xffff }) },
  { weight: 2, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }) },
);
const codePoint = scalar.map((c) => String.fromCodePoint(c));
/** Characters String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator). */
const blank = fc.constantFrom(
  ' ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '\u00a0',
  '\u1680',
  '\u2028',
  '\u3000',
  '\ufeff',
);
/** Characters that certainly are not whitespace: one makes a string non-blank. */
const visible = fc.constantFrom('a', 'Z', '7', '-', 'é', 'ß', '中', '😀', '𝔸');

/** `n` code points, at least one visible, in any order. */
const withVisible = (min: number, max: number) =>
  fc
    .tuple(
      fc.array(fc.oneof(codePoint, blank), { minLength: min - 1, maxLength: max - 1 }),
      visible,
      fc.nat(),
    )
    .map(([rest, anchor, at]) => {
      const points = [...rest];
      points.splice(at % (points.length + 1), 0, anchor);
      return points;
    });

const clientIds: fc.Arbitrary<Field> = fc.oneof(
  // Valid: 1–256 code points (short ones, and lengths at the limit, astral characters included).
  {
    weight: 4,
    arbitrary: withVisible(1, 40).map((p) => ({ present: true, value: p.join(''), valid: true })),
  },
  {
    weight: 2,
    arbitrary: withVisible(MAX_CLIENT_ID_LENGTH - 3, MAX_CLIENT_ID_LENGTH).map((p) => ({
      present: true,
      value: p.join(''),
      valid: true,
    })),
  },
  // Too long: 257+ code points (a string of astral characters is 514+ UTF-16 units).
  {
    weight: 2,
    arbitrary: withVisible(MAX_CLIENT_ID_LENGTH + 1, MAX_CLIENT_ID_LENGTH + 40).map((p) => ({
      present: true,
      value: p.join(''),
      valid: false,
    })),
  },
  // Blank: empty or only whitespace.
  {
    weight: 1,
    arbitrary: fc
      .array(blank, { maxLength: 8 })
      .map((b) => ({ present: true, value: b.join(''), valid: false })),
  },
  // A lone surrogate between two code points (never next to its other half: nothing else is one).
  {
    weight: 2,
    arbitrary: fc
      .tuple(withVisible(1, 30), fc.integer({ min: 0xd800, max: 0xdfff }), fc.nat())
      .map(([points, half, at]) => {
        // A copy: fast-check may hand the same generated array to another run while shrinking.
        const spliced = [...points];
        spliced.splice(at % (spliced.length + 1), 0, String.fromCharCode(half));
        return { present: true, value: spliced.join(''), valid: false };
      }),
  },
  // Not a string, or absent.
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
      )
      .map((value) => ({ present: true, value, valid: false })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(jsonObject, fc.array(json, { maxLength: 3 }))
      .map((value) => ({ present: true, value, valid: false })),
  },
  { weight: 1, arbitrary: fc.constant({ present: false, valid: false }) },
);

// --- opportunity and the rest ------------------------------------------------------------------------

const opportunities: fc.Arbitrary<Field> = fc.oneof(
  { weight: 5, arbitrary: jsonObject.map((value) => ({ present: true, value, valid: true })) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(fc.array(json, { maxLength: 3 }), fc.string(), fc.integer(), fc.boolean(), fc.constant(null))
      .map((value) => ({ present: true, value, valid: false })),
  },
  { weight: 1, arbitrary: fc.constant({ present: false, valid: false }) },
);

/** Keys other than the two fields: kept and published as sent. */
const extras = fc.dictionary(
  key.filter((k) => k !== 'clientId' && k !== 'opportunity'),
  json,
  { maxKeys: 4 },
);

const payloads: fc.Arbitrary<Generated> = fc
  .tuple(clientIds, opportunities, extras, fc.boolean())
  .map(([clientId, opportunity, rest, fieldsFirst]) => {
    const fields: Array<readonly [string, unknown]> = [];
    if (clientId.present) fields.push(['clientId', clientId.value]);
    if (opportunity.present) fields.push(['opportunity', opportunity.value]);
    const others = Object.entries(rest);
    const invalid = new Set<FieldName>();
    if (!clientId.valid) invalid.add('clientId');
    if (!opportunity.valid) invalid.add('opportunity');
    return { entries: fieldsFirst ? [...fields, ...others] : [...others, ...fields], invalid };
  });

const textOf = (entries: ReadonlyArray<readonly [string, unknown]>): string =>
  `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
const pointers = (errors: ReadonlyArray<{ pointer: string }> | undefined) =>
  new Set((errors ?? []).map((e) => e.pointer));
const expectedPointers = (invalid: ReadonlySet<FieldName>) => new Set([...invalid].map((f) => `/${f}`));

const RUNS = { numRuns: 400 };

describe('isValidPayload (hot path) and payloadProblems (zod) agree', () => {
  it('accept exactly the payloads the model calls valid, and point at exactly the invalid fields', () => {
    fc.assert(
      fc.property(payloads, ({ entries, invalid }) => {
        // Parsed from text, as the handler sees it (an object built in JS could not hold __proto__).
        const value = JSON.parse(textOf(entries)) as Record<string, unknown>;
        const problems = payloadProblems(value);
        expect([isValidPayload(value), problems.length === 0]).toEqual([
          invalid.size === 0,
          invalid.size === 0,
        ]);
        expect(pointers(problems)).toEqual(expectedPointers(invalid));
      }),
      RUNS,
    );
  });
});

describe('parsePayload on the same payloads as bytes', () => {
  it('accepts the valid ones as sent and refuses the others with 422 at the invalid fields', () => {
    fc.assert(
      fc.property(payloads, ({ entries, invalid }) => {
        const text = textOf(entries);
        const result = parsePayload(Buffer.from(text));
        if (invalid.size === 0) {
          expect(result).toEqual({ ok: true, payload: JSON.parse(text) });
        } else {
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect(result.status).toBe(422);
          expect(pointers(result.errors)).toEqual(expectedPointers(invalid));
        }
      }),
      RUNS,
    );
  });

  it('refuses a field given twice whichever copy is valid: the published bytes carry both', () => {
    fc.assert(
      fc.property(
        payloads,
        fc.constantFrom<FieldName>('clientId', 'opportunity'),
        clientIds,
        opportunities,
        (p, field, c, o) => {
          const again = field === 'clientId' ? c : o;
          fc.pre(again.present && p.entries.some(([k]) => k === field));
          const text = textOf([...p.entries, [field, again.value]]);
          const result = parsePayload(Buffer.from(text));
          expect(result).toMatchObject({ ok: false, status: 422, errors: [{ pointer: `/${field}` }] });
          expect(result.ok === false && result.detail).toContain('appears more than once');
        },
      ),
      RUNS,
    );
  });

  it('refuses a forbidden key anywhere, and nesting past the limit, whatever the fields hold', () => {
    const faults = fc.oneof(
      fc.record({
        kind: fc.constant('forbidden' as const),
        key: fc.constantFrom(...FORBIDDEN),
        inField: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('nesting' as const),
        levels: fc.integer({ min: MAX_JSON_DEPTH - 4, max: MAX_JSON_DEPTH + 4 }),
      }),
    );
    fc.assert(
      fc.property(payloads, faults, ({ entries, invalid }, fault) => {
        if (fault.kind === 'forbidden') {
          // In a nested object or at the top level. The carrier's name is longer than any
          // generated key, so nothing else is refused first.
          const carrier = 'nested-object-x';
          const text = textOf([...entries, fault.inField ? [carrier, { [fault.key]: 1 }] : [fault.key, 1]]);
          const result = parsePayload(Buffer.from(text));
          const pointer = fault.inField ? `/${carrier}/${fault.key}` : `/${fault.key}`;
          expect(result).toMatchObject({ ok: false, status: 422, errors: [{ pointer }] });
          return;
        }
        // `levels` objects inside the payload object: depth levels + 1.
        const deep = `${'{"k":'.repeat(fault.levels)}1${'}'.repeat(fault.levels)}`;
        const text = `${textOf(entries).slice(0, -1)}${entries.length > 0 ? ',' : ''}"deeply-nested-x":${deep}}`;
        const result = parsePayload(Buffer.from(text));
        if (fault.levels + 1 > MAX_JSON_DEPTH) {
          expect(result).toMatchObject({ ok: false, status: 422, errors: [{ pointer: '' }] });
          expect(result.ok === false && result.detail).toContain('nest deeper');
        } else if (invalid.size === 0) {
          expect(result.ok).toBe(true);
        } else {
          expect(result.ok === false && pointers(result.errors)).toEqual(expectedPointers(invalid));
        }
      }),
      RUNS,
    );
  });
});
