/**
 * The Kafka partitioner: the partition Java clients choose for a key, at a cost linear in the key.
 *
 * kafkajs 2.2.4's DefaultPartitioner computes murmur2 on BigInt-backed Longs and never truncates the
 * running hash, so every multiplication works on a number as long as the key read so far: quadratic
 * in the key (80 KB took 243 ms; a 480 KB clientId blocked the event loop for 49 s). This murmur2 is
 * Java's `org.apache.kafka.common.utils.Utils.murmur2` on 32-bit integers (`Math.imul` wraps as
 * Java's `int *=` does, `>>>` is Java's `>>>`), and the partition is Java's
 * `BuiltInPartitioner.partitionForKey`: `Utils.toPositive(Utils.murmur2(key)) % numPartitions`.
 * kafka-partitioner.int.test.ts checks both against the kafka-clients jar itself.
 */
import type { ICustomPartitioner } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Java's `Utils.murmur2(byte[])`: a signed 32-bit hash; three 32-bit multiplications per 4 bytes of
 * key. `imul` is `Math.imul` (read once per call: a global lookup per multiplication is slow inside
 * a vm context such as jest's); the tests pass a counting one.
 */
export function murmur2(data: Uint8Array, imul: (a: number, b: number) => number = Math.imul): number {
  const length = data.length;
  let h = SEED ^ length;
  const blocks = length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const i4 = i * 4;
    let k =
      (data[i4] as number) |
      ((data[i4 + 1] as number) << 8) |
      ((data[i4 + 2] as number) << 16) |
      ((data[i4 + 3] as number) << 24);
    k = imul(k, M);
    k ^= k >>> 24;
    k = imul(k, M);
    h = imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= (data[tail + 2] as number) << 16;
    if (rest >= 2) h ^= (data[tail + 1] as number) << 8;
    h ^= data[tail] as number;
    h = imul(h, M);
  }
  h ^= h >>> 13;
  h = imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's `Utils.toPositive(int)`: clears the sign bit (not the absolute value). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** Java's `BuiltInPartitioner.partitionForKey(serializedKey, numPartitions)`. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions;
}

/**
 * A kafkajs partitioner choosing what kafkajs' DefaultPartitioner (and Java's) chooses: the
 * message's own partition if it names one; by key `partitionForKey(key, all partitions)`; without a
 * key, round robin over the partitions that have a leader. The key is hashed as kafkajs sends it
 * (a string as its UTF-8 bytes).
 */
export const JavaCompatiblePartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const numPartitions = partitionMetadata.length;
    if (message.key !== null && message.key !== undefined) {
      const key = Buffer.isBuffer(message.key) ? message.key : Buffer.from(String(message.key), 'utf8');
      return partitionForKey(key, numPartitions);
    }
    const next = ((counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1) | 0;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0)
      return (available[toPositive(next) % available.length] as { partitionId: number }).partitionId;
    return toPositive(next) % numPartitions;
  };
};
