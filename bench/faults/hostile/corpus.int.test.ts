/**
 * The hostile corpus's runtime cases against the runtime alone, in-process and in seconds (no NGINX,
 * no broker): the production listener (runtime/src/http/node-listener.ts) on a real socket, the
 * real batching publisher, and a recording sender that counts messages as the Kafka adapter does
 * (the fault suite runs BUS=kafka). Every case answered by the runtime must get its exact status and
 * problem document, and only the control case may be published, byte for byte. The full scenario
 * through NGINX and a real broker is scenario d (faults.smoke.int.test.ts, `npm run faults`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createRuntime } from '../../../runtime/src/http/node-listener';
import { createPublisher } from '../../../runtime/src/publish/batcher';
import { kafkaRecordBytes } from '../../../runtime/src/publish/message-size';
import { RecordingSender } from '../../../runtime/src/publish/test-sender';
import { createVerifier } from '../../../runtime/src/verify';
import { hostileCorpus } from './corpus';
import { runCase } from './run-corpus';

const MAX_BODY_BYTES = 1_048_576;
const MAX_MESSAGE_BYTES = 1_000_000; // the Kafka default, as in the fault suite
const corpus = hostileCorpus({ maxBodyBytes: MAX_BODY_BYTES, maxMessageBytes: MAX_MESSAGE_BYTES });

describe('the corpus cases the runtime answers, against the runtime alone', () => {
  let server: Server;
  let port: number;
  const sender = new RecordingSender();
  sender.messageBytes = kafkaRecordBytes;

  beforeAll(async () => {
    const logger = pino({ level: 'silent' });
    const publisher = createPublisher(
      sender,
      {
        lingerMs: 2,
        maxConcurrentBatches: 1,
        maxBatchMessages: 256,
        maxBatchBytes: 900_000,
        maxInFlight: 1000,
        timeoutMs: 4000,
      },
      logger,
    );
    const { listener } = createRuntime({
      maxBodyBytes: MAX_BODY_BYTES,
      maxMessageBytes: MAX_MESSAGE_BYTES,
      verifier: createVerifier('none', []),
      publisher,
      logger,
    });
    server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const runtimeCases = corpus.filter((c) => c.answeredBy === 'runtime');
  it.each(runtimeCases.map((c) => [c.name, c.expectStatus, c] as const))(
    '%s → %i',
    async (_name, _status, c) => {
      const result = await runCase(port, c);
      expect(result.mismatches).toEqual([]);
    },
  );

  it('published the control case only, its bytes unchanged', () => {
    const published = sender.batches.flat();
    const control = corpus.find((c) => c.publishes === true);
    expect(published).toHaveLength(1);
    expect(published[0]?.body.equals(control?.publishedBody ?? Buffer.alloc(0))).toBe(true);
  });
});
