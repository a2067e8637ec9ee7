import type { BrokerSender, OutboundMessage } from './types';

/**
 * A real in-process BrokerSender for unit tests: records every batch and settles it according to
 * `mode` — acknowledge, fail, or hang until aborted (or released by hand).
 */
export class RecordingSender implements BrokerSender {
  readonly name = 'recording';
  readonly batches: OutboundMessage[][] = [];
  readonly signals: AbortSignal[] = [];
  mode: 'ack' | 'fail' | 'hang' = 'ack';
  connected = true;
  closed = false;
  private readonly pending: Array<() => void> = [];
  /** Number of connect() calls that should fail before one succeeds. */
  failConnects = 0;
  connectCalls = 0;
  connect(): Promise<void> {
    this.connectCalls += 1;
    if (this.failConnects > 0) {
      this.failConnects -= 1;
      return Promise.reject(new Error('connection refused'));
    }
    this.connected = true;
    return Promise.resolve();
  }
  sendBatch(messages: readonly OutboundMessage[], signal: AbortSignal): Promise<void> {
    this.batches.push([...messages]);
    this.signals.push(signal);
    if (this.mode === 'ack') return Promise.resolve();
    if (this.mode === 'fail') return Promise.reject(new Error('broker refused'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push(resolve);
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  }
  releaseAll(): void {
    for (const release of this.pending.splice(0)) release();
  }
  isConnected(): boolean {
    return this.connected;
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
