/**
 * A short, real run of the Service Bus benchmark's measure (real SDK, real socket, AMQP test peer
 * in this process): what `npm run bench:servicebus` reports must be what the peer saw.
 */
import {
  startServiceBusTestPeer,
  type PeerStats,
  type ServiceBusTestPeer,
} from '../../test/support/servicebus';
import { measureRun } from './measure';

let peer: ServiceBusTestPeer;

beforeAll(async () => {
  peer = await startServiceBusTestPeer({ entities: ['webhooks'] });
});

afterAll(async () => {
  await peer.close();
});

const stats = (): Promise<PeerStats> =>
  Promise.resolve({
    transfers: peer.transfers.length,
    acceptedTransfers: peer.transfers.filter((t) => t.outcome === 'accepted').length,
    messages: peer.received.length,
    bytes: 0,
  });

function spec(variant: 'batched' | 'unbatched', concurrency: number, messages: number) {
  return {
    variant,
    concurrency,
    messages,
    connectionString: peer.connectionString,
    entity: 'webhooks',
    peerStats: stats,
  };
}

it('counts one message per round trip when unbatched, and every message reaches the peer', async () => {
  const before = peer.received.length;
  const run = await measureRun(spec('unbatched', 10, 60));
  expect(run.failures).toBe(0);
  expect(run.peerMessages).toBe(60);
  expect(run.transfers).toBe(60);
  expect(run.messagesPerRoundTrip).toBe(1);
  // Warm-up messages also reach the peer, but are not counted in the run.
  expect(peer.received.length - before).toBe(60 + 10);
});

it('packs concurrent publishes into fewer round trips when batched, as the peer counts them', async () => {
  const run = await measureRun(spec('batched', 50, 200));
  expect(run.failures).toBe(0);
  expect(run.peerMessages).toBe(200);
  expect(run.transfers).toBeLessThan(200 / 5);
  expect(run.messagesPerRoundTrip).toBeCloseTo(200 / run.transfers, 5);
  expect(run.latencyP99Ms).toBeGreaterThanOrEqual(run.latencyP50Ms);
  expect(run.throughputPerSecond).toBeGreaterThan(0);
});
