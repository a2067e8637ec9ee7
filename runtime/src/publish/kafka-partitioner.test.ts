/**
 * The Kafka partitioner without a JVM: what kafkajs' DefaultPartitioner chooses, for any key, at a
 * cost linear in the key (counted in 32-bit multiplications, never timed). Its values against
 * kafka-clients' own Java code are in kafka-partitioner.int.test.ts.
 */
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { JavaCompatiblePartitioner, murmur2, partitionForKey, toPositive } from './kafka-partitioner';

/** `bytes` bytes of 'aé日😀' (1-, 2-, 3- and 4-byte UTF-8) repeated, 'a'-padded: as the int test. */
function multiByteKey(bytes: number): Buffer {
  const unit = Buffer.from('aé日😀', 'utf8');
  const out = Buffer.alloc(bytes, 0x61);
  for (let i = 0; i + unit.length <= bytes; i += unit.length) unit.copy(out, i);
  return out;
}

const metadata = (n: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, p) => ({
    partitionId: p,
    leader: leaderless.includes(p) ? -1 : 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));

/** A Math.imul that counts its calls and fails on operands that are not 32-bit integers. */
function countingImul(): { imul: (a: number, b: number) => number; calls: () => number } {
  const imul = Math.imul;
  let calls = 0;
  return {
    imul: (a, b) => {
      if ((a | 0) !== a || (b | 0) !== b) throw new Error(`not a 32-bit multiplication: ${a} * ${b}`);
      calls += 1;
      return imul(a, b);
    },
    calls: () => calls,
  };
}

describe('murmur2', () => {
  it.each([1024 * 1024, 1024 * 1024 + 1, 1024 * 1024 + 3])(
    'hashes a %i-byte key with 3 multiplications of 32-bit integers per 4 bytes: linear in the key',
    (bytes) => {
      const key = multiByteKey(bytes);
      const counter = countingImul();
      const hash = murmur2(key, counter.imul);
      // 3 per 4-byte block, 1 for a 1–3-byte tail, 1 to finish: nothing grows with the key read so far.
      expect(counter.calls()).toBe(3 * Math.floor(bytes / 4) + (bytes % 4 === 0 ? 0 : 1) + 1);
      expect(hash).toBe(murmur2(key));
      expect(hash).toBe(hash | 0);
    },
  );

  it("gives kafka-clients' Utils.murmur2 values for long multi-byte keys (100 KB, 1 MB, 1 MB + 3)", () => {
    // Printed by Java: Utils.murmur2 and Utils.toPositive(...) % 7 from kafka-clients 3.9.1 for these
    // keys (kafka-partitioner.int.test.ts runs Java on the same kind of key at test time).
    expect(murmur2(multiByteKey(100 * 1024))).toBe(-1942376690);
    expect(murmur2(multiByteKey(1024 * 1024))).toBe(-8985605);
    expect(murmur2(multiByteKey(1024 * 1024 + 3))).toBe(-411919116);
    expect(partitionForKey(multiByteKey(100 * 1024), 7)).toBe(0);
    expect(partitionForKey(multiByteKey(1024 * 1024), 7)).toBe(3);
    expect(partitionForKey(multiByteKey(1024 * 1024 + 3), 7)).toBe(2);
  });

  it('clears only the sign bit in toPositive, as Java does', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });
});

describe('JavaCompatiblePartitioner', () => {
  // kafkajs' own partitioner is Java's algorithm on BigInts: right, and quadratic in the key length,
  // so it is only asked about keys up to 16 KB here.
  const keys = [
    '',
    ...Array.from({ length: 64 }, (_, n) => 'abcdefghij'.repeat(7).slice(0, n)),
    'é',
    '日本語',
    '😀',
    'client-42',
    '😀'.repeat(256),
    multiByteKey(16 * 1024).toString('utf8'),
  ];

  it.each([1, 2, 3, 7, 32, 1000])(
    "chooses what kafkajs' DefaultPartitioner chooses for %i partitions, key by key",
    (n) => {
      const ours = JavaCompatiblePartitioner();
      const theirs = Partitioners.DefaultPartitioner();
      const partitionMetadata = metadata(n);
      for (const key of keys) {
        for (const k of [key, Buffer.from(key)]) {
          const args = { topic: 't', partitionMetadata, message: { key: k, value: 'v' } };
          expect([key.length, ours(args)]).toEqual([key.length, theirs(args)]);
        }
      }
    },
  );

  it('keeps an explicit partition, and without a key goes round robin over the partitions with a leader', () => {
    const choose = JavaCompatiblePartitioner();
    const partitionMetadata = metadata(4, [1]);
    expect(choose({ topic: 't', partitionMetadata, message: { key: 'k', value: 'v', partition: 1 } })).toBe(
      1,
    );
    const chosen = Array.from({ length: 6 }, () =>
      choose({ topic: 't', partitionMetadata, message: { value: 'v' } }),
    );
    expect(new Set(chosen)).toEqual(new Set([0, 2, 3]));
    // Consecutive: each of the three in turn.
    expect(chosen.slice(0, 3).sort()).toEqual(chosen.slice(3, 6).sort());
  });
});
