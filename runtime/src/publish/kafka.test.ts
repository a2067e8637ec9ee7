/**
 * The Kafka adapter's option checks, made before any connection. The adapter against a real Apache
 * Kafka is in ./kafka.int.test.ts.
 */
import pino from 'pino';
import { createKafkaSender, type KafkaSenderOptions } from './kafka';

function options(brokers: string[], extra: Partial<KafkaSenderOptions> = {}): KafkaSenderOptions {
  return { brokers, topic: 't', clientId: 'kafka-test', ssl: false, requestTimeoutMs: 10_000, ...extra };
}

test('rejects options that cannot work, naming the field and the value', () => {
  const logger = pino({ level: 'silent' });
  expect(() => createKafkaSender(options([]), logger)).toThrow(/brokers must list at least one/);
  expect(() => createKafkaSender(options(['localhost']), logger)).toThrow(
    /brokers entries must be host:port, received "localhost"/,
  );
  expect(() => createKafkaSender(options(['h:1'], { requestTimeoutMs: 0 }), logger)).toThrow(
    /requestTimeoutMs must be an integer from 100 to 600000, received 0/,
  );
});
