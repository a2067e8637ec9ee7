/**
 * The partitioner and the Kafka size count against Kafka's own Java code: a small Java program, run
 * with the JDK's source launcher (`java File.java`, no separate javac step) on the kafka-clients jar
 * test/kafka/kafka.sh fetches, prints `Utils.murmur2`, `BuiltInPartitioner.partitionForKey` (what
 * the Java producer chooses) and `AbstractRecords.estimateSizeInBytesUpperBound` (what it counts
 * against max.request.size) for the same keys and records; then the real sender, through the real
 * broker, must put each key on the partition Java chooses. An integration test: it needs Java 17
 * and the Kafka jars (`test/kafka/kafka.sh fetch`, which it runs; cached after the first time).
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { ensureKafka, KAFKA_START_TIMEOUT_MS, uniqueTopic } from '../../../test/kafka/ensure-kafka';
import { createTopic, readTopic } from '../../../test/kafka/topic';
import { createKafkaSender } from './kafka';
import { JavaCompatiblePartitioner, murmur2, partitionForKey } from './kafka-partitioner';
import { kafkaHeaders, kafkaRecordBytes } from './message-size';
import type { OutboundMessage } from './types';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..', '..');
const KAFKA_SH = join(ROOT, 'test', 'kafka', 'kafka.sh');

/** Where kafka.sh caches the jars: $KAFKA_CACHE_DIR, else ${XDG_CACHE_HOME:-~/.cache}/cdktf-azure-webhooks. */
function kafkaLibs(): string {
  const pom = readFileSync(join(ROOT, 'test', 'kafka', 'pom.xml'), 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  if (version === undefined) throw new Error('test/kafka/pom.xml names no kafka.version');
  const cache =
    process.env.KAFKA_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cdktf-azure-webhooks');
  return join(cache, `kafka-${version}`, 'libs');
}

/** Reads tab-separated lines of hex; answers one tab-separated line each. */
const JAVA = `
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.Utils;

public class KafkaReference {
  static final int[] PARTITIONS = {1, 2, 3, 7, 10, 32, 100, 1000};

  public static void main(String[] args) throws Exception {
    HexFormat hex = HexFormat.of();
    StringBuilder out = new StringBuilder();
    for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.US_ASCII)) {
      String[] f = line.split("\\t", -1);
      if (f[0].equals("H")) {
        byte[] key = hex.parseHex(f[1]);
        out.append(Utils.murmur2(key));
        for (int n : PARTITIONS) out.append('\\t').append(BuiltInPartitioner.partitionForKey(key, n));
      } else {
        Header[] headers = new Header[(f.length - 3) / 2];
        for (int i = 0; i < headers.length; i++) {
          headers[i] = new RecordHeader(new String(hex.parseHex(f[3 + 2 * i]), StandardCharsets.UTF_8), hex.parseHex(f[4 + 2 * i]));
        }
        out.append(AbstractRecords.estimateSizeInBytesUpperBound(
          RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.GZIP, hex.parseHex(f[1]), hex.parseHex(f[2]), headers));
      }
      out.append('\\n');
    }
    System.out.print(out);
  }
}
`;

const PARTITIONS = [1, 2, 3, 7, 10, 32, 100, 1000];

/** Runs the Java program on the lines; resolves with its answer lines. */
async function java(lines: string[]): Promise<string[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-reference-'));
  try {
    writeFileSync(join(dir, 'KafkaReference.java'), JAVA);
    writeFileSync(join(dir, 'input.txt'), `${lines.join('\n')}\n`);
    const { stdout } = await run(
      'java',
      ['-cp', `${kafkaLibs()}/*`, join(dir, 'KafkaReference.java'), join(dir, 'input.txt')],
      { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
    ).catch((err: { stderr?: string; message: string }) => {
      throw new Error(`java did not run the reference program (needs Java 17): ${err.stderr ?? err.message}`);
    });
    return stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A key of exactly `bytes` UTF-8 bytes mixing 1-, 2-, 3- and 4-byte characters. */
function multiByteKey(bytes: number): Buffer {
  const unit = Buffer.from('aé日😀', 'utf8'); // 1 + 2 + 3 + 4 = 10 bytes
  const out = Buffer.alloc(bytes, 0x61);
  for (let i = 0; i + unit.length <= bytes; i += unit.length) unit.copy(out, i);
  return out;
}

const KEYS: Array<[string, Buffer]> = [
  ['empty', Buffer.alloc(0)],
  ...['a', 'ab', 'abc', 'abcd', 'abcde', 'c-1', 'client-1', 'hostile'].map((k): [string, Buffer] => [
    JSON.stringify(k),
    Buffer.from(k),
  ]),
  ['é (2 bytes)', Buffer.from('é')],
  ['日本語 (9 bytes)', Buffer.from('日本語')],
  ['😀 (4 bytes)', Buffer.from('😀')],
  ['256 × k', Buffer.from('k'.repeat(256))],
  ['256 × 😀 (1 KB)', Buffer.from('😀'.repeat(256))],
  ...[1, 2, 3, 5, 7, 13, 64, 1000].map((n): [string, Buffer] => [`${n} random bytes`, randomBytes(n)]),
  ['100 KB multi-byte UTF-8', multiByteKey(100 * 1024)],
  ['100 KB + 3 bytes multi-byte UTF-8', multiByteKey(100 * 1024 + 3)],
  // The long keys whose Java values kafka-partitioner.test.ts holds as constants.
  ['1 MB multi-byte UTF-8', multiByteKey(1024 * 1024)],
  ['1 MB + 3 bytes multi-byte UTF-8', multiByteKey(1024 * 1024 + 3)],
  ['1 MB of random bytes', randomBytes(1024 * 1024 + 1)],
];

describe("the partitioner against kafka-clients' own Java code", () => {
  let answers: string[][];

  beforeAll(async () => {
    await run(KAFKA_SH, ['fetch'], { timeout: KAFKA_START_TIMEOUT_MS });
    answers = await java(KEYS.map(([, key]) => `H\t${key.toString('hex')}`));
  }, KAFKA_START_TIMEOUT_MS);

  it.each(KEYS.map(([name, key], i) => [name, key, i] as const))(
    'murmur2 and the partitions of %s match Java',
    (_name, key, i) => {
      const [hash, ...partitions] = answers[i] as string[];
      expect(murmur2(key)).toBe(Number(hash));
      expect(PARTITIONS.map((n) => partitionForKey(key, n))).toEqual(partitions.map(Number));
      // The kafkajs partitioner, given the key as kafkajs hands it over (a Buffer, or the string).
      const choose = JavaCompatiblePartitioner();
      for (const [j, n] of PARTITIONS.entries()) {
        const partitionMetadata = Array.from({ length: n }, (_, p) => ({
          partitionId: p,
          leader: 0,
          partitionErrorCode: 0,
          replicas: [0],
          isr: [0],
        }));
        const message = { key, value: null };
        expect(choose({ topic: 't', partitionMetadata, message })).toBe(Number(partitions[j]));
        const text = key.toString('utf8');
        if (Buffer.from(text, 'utf8').equals(key)) {
          expect(choose({ topic: 't', partitionMetadata, message: { key: text, value: null } })).toBe(
            Number(partitions[j]),
          );
        }
      }
    },
  );
});

function record(key: string, bodyBytes: number, subject = key): OutboundMessage {
  const id = randomUUID();
  return {
    key,
    messageId: id,
    correlationId: id,
    body: Buffer.alloc(bodyBytes, 0x78),
    cloudEvent: {
      specversion: '1.0',
      id,
      source: '/webhooks/standard-webhooks',
      type: 'com.cdktf-azure-webhooks.webhook.received',
      time: new Date().toISOString(),
      subject,
      datacontenttype: 'application/json',
    },
  };
}

describe("the Kafka message size against the Java producer's own count", () => {
  // Lengths around the varint boundaries (63/64, 8191/8192 zig-zag) and the real extremes.
  const records: Array<[string, OutboundMessage]> = [
    ['short key, empty body', record('c', 0)],
    ['short key, 63-byte body', record('c-1', 63)],
    ['short key, 64-byte body', record('c-1', 64)],
    ['63-byte key, 8191-byte body', record('k'.repeat(63), 8191)],
    ['64-byte key, 8192-byte body', record('k'.repeat(64), 8192)],
    ['256 × 😀 key and subject, 100 KB body', record('😀'.repeat(256), 100 * 1024)],
    ['256-character key, 1 MB body', record('é'.repeat(256), 1_000_000)],
  ];

  let answers: string[][];
  beforeAll(async () => {
    await run(KAFKA_SH, ['fetch'], { timeout: KAFKA_START_TIMEOUT_MS });
    const hex = (s: string | Buffer) => Buffer.from(s).toString('hex');
    answers = await java(
      records.map(([, m]) =>
        [
          'S',
          hex(m.key),
          m.body.toString('hex'),
          ...Object.entries(kafkaHeaders(m)).flatMap(([name, value]) => [hex(name), hex(value)]),
        ].join('\t'),
      ),
    );
  }, KAFKA_START_TIMEOUT_MS);

  it.each(records.map(([name, m], i) => [name, m, i] as const))(
    '%s: AbstractRecords.estimateSizeInBytesUpperBound',
    (_name, m, i) => {
      expect(kafkaRecordBytes(m)).toBe(Number(answers[i]?.[0]));
    },
  );
});

describe('the real sender through the real broker', () => {
  it(
    'stores each key on the partition the Java producer chooses for it',
    async () => {
      const { brokers } = await ensureKafka();
      const topic = uniqueTopic('partitioner-java');
      await createTopic(brokers, topic, 7);
      const keys = ['a', 'client-1', 'client-2', 'é', '日本語', '😀'.repeat(256), 'k'.repeat(256), 'hostile'];
      const answers = await java(keys.map((k) => `H\t${Buffer.from(k).toString('hex')}`));
      const javaPartition = new Map(keys.map((k, i) => [k, Number(answers[i]?.[1 + PARTITIONS.indexOf(7)])]));
      const sender = createKafkaSender(
        { brokers, topic, clientId: 'partitioner-test', ssl: false, requestTimeoutMs: 10_000 },
        pino({ level: 'silent' }),
      );
      try {
        await sender.connect();
        await sender.sendBatch(
          keys.map((k) => record(k, 10)),
          AbortSignal.timeout(10_000),
        );
      } finally {
        await sender.close();
      }
      const read = await readTopic(brokers, topic, keys.length);
      expect(new Map(read.map((r) => [r.key, r.partition]))).toEqual(javaPartition);
    },
    KAFKA_START_TIMEOUT_MS,
  );
});
