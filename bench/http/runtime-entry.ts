/**
 * Benchmark target: the real app (createApp + createPublisher + GitHub signature verification +
 * pino access logs at info) over @hono/node-server, with a BrokerSender that acknowledges at once —
 * so the figure is the HTTP layer's cost, not a broker's. Bundled by ./run.mjs; never shipped.
 */
import { serve } from '@hono/node-server';
import { createApp } from '../../runtime/src/http/app';
import { createLogger } from '../../runtime/src/logger';
import { createPublisher } from '../../runtime/src/publish/batcher';
import type { BrokerSender } from '../../runtime/src/publish/types';
import { createVerifier } from '../../runtime/src/verify';

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
  { lingerMs: 2, maxBatchMessages: 256, maxBatchBytes: 900_000, maxInFlight: 1000, timeoutMs: 4000 },
  logger,
);
const app = createApp({
  maxBodyBytes: 1_048_576,
  verifier: createVerifier('github', [process.env['BENCH_SECRET'] ?? 'bench-secret']),
  publisher,
  logger,
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stderr.write(`${JSON.stringify({ ready: true, port: info.port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
