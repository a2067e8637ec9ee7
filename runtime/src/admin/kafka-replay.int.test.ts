/**
 * `webhooks-admin kafka replay` as a child process against a real Kafka broker (test/support/kafka):
 * records written at three known times on two partitions; a replay between two times copies exactly
 * the middle ones to another topic, key, headers and value unchanged.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  createTopic,
  ensureKafka,
  readTopic,
  topicRecordCount,
  uniqueTopic,
} from '../../../test/support/kafka';
import { manage } from '../../../test/support/process';

const MAIN = join(__dirname, 'main.ts');

it('copies the records written between --from and --to, with their keys, headers and values', async () => {
  const { brokers } = await ensureKafka();
  const source = uniqueTopic('replay-from');
  const target = uniqueTopic('replay-to');
  await createTopic(brokers, source, 2);
  await createTopic(brokers, target, 2);
  const producer = new Kafka({ clientId: 'replay-test', brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const base = Date.now() - 60_000;
  const at = (offsetMs: number, n: number, key: string) => ({
    key,
    value: `{"n":${n}}`,
    headers: { ce_id: `github:${n}`, webhook_delivery_id: String(n) },
    timestamp: String(base + offsetMs),
  });
  await producer.send({
    topic: source,
    messages: [
      at(0, 1, 'a'),
      at(0, 2, 'b'),
      at(10_000, 3, 'a'),
      at(10_000, 4, 'b'),
      at(10_000, 5, 'c'),
      at(20_000, 6, 'a'),
    ],
  });
  await producer.disconnect();

  const args = ['--brokers', brokers.join(','), '--topic', source, '--to-topic', target];
  const from = new Date(base + 5_000).toISOString();
  const to = new Date(base + 15_000).toISOString();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'kafka', 'replay', ...args, '--from', from, '--to', to],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = await manage(child).exited;
  // Nothing on stderr but, on Node 24, the warning kafkajs 2.2.4 makes Node print for each
  // connection (tulios/kafkajs#1751; docs/decisions/0014-node-24.md): any other line fails.
  const kafkajsWarning =
    /^\(node:\d+\) TimeoutNegativeWarning: -\d+ is a negative number\.\nTimeout duration was set to 1\.\n\(Use `node --trace-warnings \.\.\.` to show where the warning was created\)\n/gm;
  expect({ code: exit.code, stderr: stderr.replace(kafkajsWarning, '') }).toEqual({ code: 0, stderr: '' });
  expect(JSON.parse(stdout)).toEqual({ replayed: 3, partitions: 2 });

  expect(await topicRecordCount(brokers, target)).toBe(3);
  const copied = await readTopic(brokers, target, 3);
  expect(copied.map((m) => [m.key, m.value, m.headers.ce_id, m.headers.webhook_delivery_id]).sort()).toEqual([
    ['a', '{"n":3}', 'github:3', '3'],
    ['b', '{"n":4}', 'github:4', '4'],
    ['c', '{"n":5}', 'github:5', '5'],
  ]);
}, 120_000);
