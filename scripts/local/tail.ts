/**
 * `npm run local:tail`: prints every message arriving on the local Kafka topic (key, CloudEvents
 * headers, JSON body), one block per message, until Ctrl-C.
 *
 * Options (after `--`): --topic NAME (default webhook_topic), --brokers LIST (default
 * 127.0.0.1:9092), --from-beginning (also print what is already on the topic).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

const out = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

const { values } = parseArgs({
  options: {
    topic: { type: 'string', default: 'webhook_topic' },
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    'from-beginning': { type: 'boolean', default: false },
  },
});
const topic = values.topic;
const brokers = values.brokers.split(',');

const kafka = new Kafka({ clientId: 'local-tail', brokers, logLevel: logLevel.ERROR });
// A throwaway group per run: tailing never moves anyone else's offsets.
const consumer = kafka.consumer({ groupId: `local-tail-${randomUUID()}` });

function bodyOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function main(): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: values['from-beginning'] });
  out(`local:tail: waiting for messages on ${topic} at ${brokers.join(',')} (Ctrl-C to stop)`);
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
      const key = message.key?.toString() ?? null;
      const body = bodyOf(message.value?.toString() ?? '');
      out(JSON.stringify({ partition, offset: message.offset, key, headers, body }, null, 2));
      return Promise.resolve();
    },
  });
}

const stop = (): void => {
  void consumer.disconnect().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

main().catch((error: unknown) => {
  process.stderr.write(`local:tail: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
