/**
 * The single structure pass of parsePayload (checkStructure) on generated JSON: no false alarm on
 * documents without duplicate keys whatever their strings hold (quotes, backslashes, escapes,
 * brackets and commas inside strings), every duplicate found with its JSON pointer, and the depth
 * counted as the documented limit says. The HTTP statuses are in app.test.ts.
 */
import { checkStructure, MAX_JSON_DEPTH } from './payload';

/** A small deterministic PRNG (mulberry32): the same documents on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['a', 'b', 'a"b', 'a\\', '\\"', '{', '[,]', '/~', 'é', '😀', '\u2028', 'x y', ''];

/** A random value nested at most `depth` more levels, keys unique per object. */
function generate(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth === 0 || pick < 0.3) {
    const scalars = [1, -0.5, 1e21, true, null, 'str"ing', 'back\\slash', '{[":,]}', ''];
    return scalars[Math.floor(next() * scalars.length)];
  }
  if (pick < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => generate(next, depth - 1));
  const out: Record<string, unknown> = {};
  for (const key of KEYS) if (next() < 0.3) out[key] = generate(next, depth - 1);
  return out;
}

/** Depth as the limit counts it: the top-level container is 1. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

/** JSON text with every non-ASCII character and some ASCII ones written as \u escapes. */
const escaped = (text: string) =>
  text.replace(/[^\x20-\x7e]|[ab]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

describe('checkStructure', () => {
  it('finds nothing in 1,000 generated documents without duplicates, plain or \\u-escaped', () => {
    const next = random(13);
    for (let n = 0; n < 1000; n++) {
      const doc = { root: generate(next, 6) };
      const text = JSON.stringify(doc);
      expect([text, checkStructure(text)]).toEqual([text, undefined]);
      // Escaping the letters inside strings only: keys and values stay the same when decoded.
      const inStrings = text.replace(/"(?:[^"\\]|\\.)*"/g, escaped);
      expect([inStrings, checkStructure(inStrings)]).toEqual([inStrings, undefined]);
    }
  });

  it('finds every duplicate key, decoded, with its pointer', () => {
    const next = random(7);
    for (let n = 0; n < 500; n++) {
      const inner = generate(next, 3);
      const key = KEYS[Math.floor(next() * KEYS.length)] as string;
      // The same key twice in the innermost object, once of them \u-escaped.
      const twice = `{${JSON.stringify(key)}:1,"z":${JSON.stringify(inner)},${escaped(JSON.stringify(key))}:2}`;
      const text = `{"clientId":"c","opportunity":{"list":[0,${twice}]}}`;
      const pointerKey = key.replace(/~/g, '~0').replace(/\//g, '~1');
      expect(checkStructure(text)?.errors).toEqual([
        { pointer: `/opportunity/list/1/${pointerKey}`, detail: `duplicate key "${key}"` },
      ]);
    }
  });

  it('refuses exactly the documents nested deeper than MAX_JSON_DEPTH', () => {
    const next = random(99);
    for (let n = 0; n < 300; n++) {
      let value: unknown = generate(next, 3);
      const levels = Math.floor(next() * (MAX_JSON_DEPTH + 5));
      for (let l = 0; l < levels; l++) value = next() < 0.5 ? [value] : { k: value };
      const doc = { root: value };
      const tooDeep = depthOf(doc) > MAX_JSON_DEPTH;
      expect(checkStructure(JSON.stringify(doc))?.detail).toBe(
        tooDeep ? `objects and arrays nest deeper than ${MAX_JSON_DEPTH} levels` : undefined,
      );
    }
  });
});
