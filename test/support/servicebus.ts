/**
 * The Service Bus AMQP TEST PEER (test/servicebus-peer, not Azure Service Bus) for the harness: in
 * this process (`startServiceBusTestPeer`, re-exported), or in a process of its own
 * (`startServiceBusPeerProcess`, run through tsx) when its work must not share the event loop of
 * the publisher being measured.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';

export { startServiceBusTestPeer, type ServiceBusTestPeer } from '../servicebus-peer';

/** What the peer received so far. */
export interface PeerStats {
  readonly transfers: number;
  readonly acceptedTransfers: number;
  readonly messages: number;
  readonly bytes: number;
}

export interface PeerProcess {
  readonly connectionString: string;
  stats(): Promise<PeerStats>;
  /** Closes the peer and waits for its process to end (SIGKILL after 3 s). */
  close(): Promise<void>;
}

/** Forks ./servicebus-peer-process.ts with tsx; resolves once the peer listens. */
export function startServiceBusPeerProcess(entities: readonly string[] = ['webhooks']): Promise<PeerProcess> {
  const child = fork(join(__dirname, 'servicebus-peer-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PEER_ENTITIES: entities.join(',') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the test peer exited with ${code}`)));
    child.once('message', (ready: { type: string; connectionString: string }) => {
      child.removeAllListeners('exit');
      resolve({
        connectionString: ready.connectionString,
        stats: () =>
          new Promise((res) => {
            child.once('message', (m: { stats: PeerStats }) => res(m.stats));
            child.send({ type: 'stats' });
          }),
        close: () =>
          new Promise((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res();
            child.once('exit', () => res());
            child.send({ type: 'close' });
            setTimeout(() => child.kill('SIGKILL'), 3000).unref();
          }),
      });
    });
  });
}
