/**
 * The hostile corpus itself: every case named once, one control case, and the size and depth cases
 * built exactly at the runtime's limits. Its runtime cases against the production listener on a
 * real socket are in ./corpus.int.test.ts; the full scenario through NGINX and a real broker is
 * scenario d (faults.smoke.int.test.ts, `npm run faults`).
 */
import { MAX_CLIENT_ID_LENGTH, MAX_JSON_DEPTH } from '../../../runtime/src/http/payload';
import { hostileCorpus, type HostileCase } from './corpus';

const MAX_BODY_BYTES = 1_048_576;
const MAX_MESSAGE_BYTES = 1_000_000; // the Kafka default, as in the fault suite
const corpus = hostileCorpus({ maxBodyBytes: MAX_BODY_BYTES, maxMessageBytes: MAX_MESSAGE_BYTES });
const byName = (name: string): HostileCase => {
  const found = corpus.find((c) => c.name.startsWith(name));
  if (found === undefined) throw new Error(`no corpus case "${name}"`);
  return found;
};
const json = (c: HostileCase) =>
  JSON.parse((c.request.body ?? Buffer.alloc(0)).toString('utf8')) as Record<string, unknown>;

describe('the hostile corpus', () => {
  it('names every case once', () => {
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
  });

  it('has one control case, published byte for byte', () => {
    const controls = corpus.filter((c) => c.publishes === true);
    expect(controls).toHaveLength(1);
    expect(controls[0]?.publishedBody?.equals(controls[0].request.body ?? Buffer.alloc(0))).toBe(true);
  });

  it('bounds clientId exactly at MAX_CLIENT_ID_LENGTH: one over, and far over', () => {
    expect([...(json(byName('clientId of 257 characters'))['clientId'] as string)]).toHaveLength(
      MAX_CLIENT_ID_LENGTH + 1,
    );
    expect((json(byName('clientId of 300,000 characters'))['clientId'] as string).length).toBe(300_000);
  });

  it('makes a message oversized only through its key and headers: the body alone is under MAX_MESSAGE_BYTES', () => {
    const c = byName(`clientId of ${MAX_CLIENT_ID_LENGTH} characters whose key and headers`);
    const body = c.request.body ?? Buffer.alloc(0);
    expect(body.length).toBeLessThan(MAX_MESSAGE_BYTES);
    expect((json(c)['clientId'] as string).length).toBe(MAX_CLIENT_ID_LENGTH);
  });

  it('nests the escape and proto/constructor cases beyond MAX_JSON_DEPTH', () => {
    for (const name of [
      'opportunity nested 100000 levels with a \\u escape',
      'opportunity nested 100000 levels with "proto"',
    ]) {
      const text = (byName(name).request.body ?? Buffer.alloc(0)).toString('utf8');
      expect(text.split('{').length - 1).toBeGreaterThan(MAX_JSON_DEPTH);
    }
  });
});
