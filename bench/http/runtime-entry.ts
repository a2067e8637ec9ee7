/**
 * Benchmark target: the real runtime (createRuntime's listener — the webhook core on node:http, the
 * Hono app for the rest — + createPublisher + GitHub signature verification + pino access logs at
 * info), exactly as runtime/src/server.ts serves it, with a BrokerSender that acknowledges at once —
 * so the figure is the HTTP layer's cost, not a broker's. Also serves one named source,
 * `POST /webhooks/github` (github scheme, body "contract", X-GitHub-Delivery as delivery id), so
 * ./run.ts compares the per-source route with POST /webhook in one process. Bundled by ./run.ts;
 * never shipped.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  PUBLISH_LINGER_MS,
  PUBLISH_MAX_BATCH_BYTES,
  PUBLISH_MAX_BATCH_MESSAGES,
  PUBLISH_MAX_CONCURRENT_BATCHES,
} from '../../runtime/src/config';
import { createRuntime } from '../../runtime/src/http/node-listener';
import { createLogger } from '../../runtime/src/logger';
import { createPublisher } from '../../runtime/src/publish/batcher';
import type { BrokerSender } from '../../runtime/src/publish/types';
import { createSource } from '../../runtime/src/sources';
import { createVerifier } from '../../runtime/src/verify';

const secret = process.env['BENCH_SECRET'] ?? 'bench-secret-hmac-key';

const sender: BrokerSender = {
  name: 'instant-ack',
  connect: () => Promise.resolve(),
  sendBatch: () => Promise.resolve(),
  isConnected: () => true,
  close: () => Promise.resolve(),
};
const logger = createLogger('info');
const publisher = createPublisher(
  sender,
  {
    // The runtime's own defaults on Kafka (runtime/src/config.ts).
    lingerMs: PUBLISH_LINGER_MS,
    maxConcurrentBatches: PUBLISH_MAX_CONCURRENT_BATCHES.kafka,
    maxBatchMessages: PUBLISH_MAX_BATCH_MESSAGES,
    maxBatchBytes: PUBLISH_MAX_BATCH_BYTES,
    maxInFlight: 1000,
    timeoutMs: 4000,
  },
  logger,
);
const { listener } = createRuntime({
  maxBodyBytes: 1_048_576,
  verifier: createVerifier('github', [secret]),
  sources: [
    createSource({
      name: 'github',
      verify: 'github',
      secrets: [{ value: secret, env: 'BENCH_SECRET' }],
      deliveryId: { header: 'X-GitHub-Delivery' },
      key: { jsonPointer: '/clientId' },
      body: 'contract',
    }),
  ],
  publisher,
  logger,
});
const server = createServer(listener);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stderr.write(`${JSON.stringify({ ready: true, port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
