/**
 * Child entry of `startServiceBusPeerProcess` (./servicebus.ts): the Service Bus AMQP TEST PEER
 * (test/servicebus-peer) in a process of its own, so its decoding does not share an event loop with
 * the publisher being measured. It is not Azure Service Bus and its latency is loopback latency.
 * Forked with an IPC channel: prints nothing; sends `{ type: 'ready', connectionString }`, answers
 * `{ type: 'stats' }` with the counts of transfers (one per SDK `sendMessages`, i.e. one broker round
 * trip) and messages, and closes on `{ type: 'close' }` or when the parent goes.
 */
import { startServiceBusTestPeer } from '../servicebus-peer';
import type { PeerStats } from './servicebus';

async function main(): Promise<void> {
  if (process.send === undefined)
    throw new Error('servicebus-peer-process must be forked with an IPC channel');
  const send = process.send.bind(process);
  const entities = (process.env.PEER_ENTITIES ?? 'webhooks').split(',');
  const peer = await startServiceBusTestPeer({ entities });
  process.on('message', (request: { type?: string }) => {
    if (request.type === 'stats') {
      const stats: PeerStats = {
        transfers: peer.transfers.length,
        acceptedTransfers: peer.transfers.filter((t) => t.outcome === 'accepted').length,
        messages: peer.received.length,
        bytes: peer.transfers.reduce((sum, t) => sum + t.bytes, 0),
      };
      send({ type: 'stats', stats });
    } else if (request.type === 'close') {
      void peer.close().then(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', connectionString: peer.connectionString });
}

main().catch((error: unknown) => {
  process.stderr.write(`servicebus test peer failed: ${String(error)}\n`);
  process.exit(1);
});
