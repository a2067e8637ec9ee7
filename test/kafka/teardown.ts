/**
 * The integration suite's globalTeardown (jest.config.js): stops and deletes this run's Kafka
 * instance, the one test/prerequisites.ts named jest-<pid> and ensureKafka() started. An instance
 * named by the caller through KAFKA_TEST_INSTANCE is left running, to be reused by the next run.
 */
import { runInstance } from '../prerequisites';
import { KAFKA_TEST_INSTANCE, kafkaSh } from './ensure-kafka';

export default async function globalTeardown(): Promise<void> {
  const instance = process.env[KAFKA_TEST_INSTANCE];
  if (instance !== runInstance()) return;
  await kafkaSh(['stop', '--instance', instance, '--kill', '--purge']);
}
