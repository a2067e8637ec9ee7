// @ts-check
/**
 * `npm run local:tail`: prints every message arriving on the local Kafka topic (key, CloudEvents
 * headers, JSON body), one block per message, until Ctrl-C.
 *
 * Options (after `--`): --topic NAME (default webhook_topic), --brokers LIST (default
 * 127.0.0.1:9092), --from-beginning (also print what is already on the topic).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const out = (/** @type {string} */ text) => process.stdout.write(`${text}\n`);

const { values } = parseArgs({
  options: {
    topic: { type: 'string', default: 'webhook_topic' },
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    'from-beginning': { type: 'boolean', default: false },
  },
});
const topic = String(values.topic);
const brokers = String(values.brokers).split(',');

const kafka = new Kafka({ clientId: 'local-tail', brokers, logLevel: logLevel.ERROR });
// A throwaway group per run: tailing never moves anyone else's offsets.
const consumer = kafka.consumer({ groupId: `local-tail-${randomUUID()}` });

async function main() {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: Boolean(values['from-beginning']) });
  out(`local:tail: waiting for messages on ${topic} at ${brokers.join(',')} (Ctrl-C to stop)`);
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      /** @type {Record<string, string>} */
      const headers = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
      const text = message.value?.toString() ?? '';
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      out(
        JSON.stringify(
          { partition, offset: message.offset, key: message.key?.toString() ?? null, headers, body },
          null,
          2,
        ),
      );
    },
  });
}

const stop = () => {
  void consumer.disconnect().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

main().catch((error) => {
  process.stderr.write(`local:tail: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
