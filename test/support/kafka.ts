/**
 * Kafka for the harness: the run's broker (`ensureKafka`: the integration suite's, or outside jest
 * one of this process's own, on ports the OS gives, stopped when the process exits),
 * `startPrivateKafka` for one a caller may kill, topics (create, read back, count), and the human's
 * broker behind `npm run local` (kafka.sh's default instance, stopped again only if we started it).
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import {
  ensureKafka as ensureRunKafka,
  KAFKA_TEST_INSTANCE,
  startPrivateKafka,
  type PrivateKafka,
} from '../kafka/ensure-kafka';

export {
  KAFKA_START_TIMEOUT_MS,
  startPrivateKafka,
  uniqueTopic,
  type PrivateKafka,
} from '../kafka/ensure-kafka';
export { createTopic, readTopic, type ReadMessage } from '../kafka/topic';

const run = promisify(execFile);
const KAFKA_SH = join(__dirname, '..', 'kafka', 'kafka.sh');

/**
 * The run's broker. In the integration suite its globalSetup names the instance; a benchmark or
 * the fault suite (no jest) gets an instance of its own, stopped and deleted when it exits.
 */
export async function ensureKafka(): Promise<{ brokers: string[] }> {
  if ((process.env[KAFKA_TEST_INSTANCE] ?? '') === '') {
    const instance = `harness-${process.pid}`;
    process.env[KAFKA_TEST_INSTANCE] = instance;
    process.once('exit', () => {
      try {
        execFileSync(KAFKA_SH, ['stop', '--instance', instance, '--kill', '--purge'], { stdio: 'ignore' });
      } catch {
        // best effort at exit: `test/kafka/kafka.sh stop-all` clears what is left
      }
    });
  }
  return ensureRunKafka();
}

/** Which broker a path runs on: the test run's shared one, a private one, or given brokers. */
export type KafkaChoice = 'shared' | 'private' | { readonly brokers: readonly string[] };

export interface KafkaHandle {
  readonly brokers: string[];
  /** The private broker (to kill, pause, restart), when one was asked for. */
  readonly private?: PrivateKafka;
  /** Deletes a private broker; leaves a shared or given one alone. */
  release(): Promise<void>;
}

export async function useKafka(choice: KafkaChoice, name: string): Promise<KafkaHandle> {
  if (choice === 'private') {
    const broker = await startPrivateKafka(name);
    return { brokers: broker.brokers, private: broker, release: () => broker.destroy() };
  }
  const brokers = choice === 'shared' ? (await ensureKafka()).brokers : [...choice.brokers];
  return { brokers, release: () => Promise.resolve() };
}

/**
 * How many records a topic holds: the sum over partitions of (high − low watermark), straight
 * from the broker's offsets. Exact and instant, unlike reading until a timeout.
 */
export async function topicRecordCount(brokers: readonly string[], topic: string): Promise<number> {
  const admin = new Kafka({
    clientId: 'harness-count',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0);
  } finally {
    await admin.disconnect();
  }
}

/** The broker `npm run kafka:start` runs for humans (kafka.sh's default instance, 127.0.0.1:9092). */
export const HUMAN_BROKERS: readonly string[] = ['127.0.0.1:9092'];

/**
 * Starts kafka.sh's default instance unless it is already running. `stop()` stops it only when
 * this call started it, so a broker someone else runs is left alone.
 */
export async function useHumanKafka(): Promise<{ startedHere: boolean; stop(): Promise<void> }> {
  const wasRunning = await run(KAFKA_SH, ['status']).then(
    () => true,
    () => false,
  );
  if (!wasRunning) await run(KAFKA_SH, ['start'], { timeout: 240_000 });
  return {
    startedHere: !wasRunning,
    stop: async () => {
      if (!wasRunning) await run(KAFKA_SH, ['stop']);
    },
  };
}
