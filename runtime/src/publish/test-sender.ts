import type { BatchOutcome, BrokerSender, OutboundMessage } from './types';

/**
 * A real in-process BrokerSender for unit tests: records every batch and settles it according to
 * `mode` — acknowledge, fail, or hang until aborted (or released by hand).
 */
export class RecordingSender implements BrokerSender {
  readonly name = 'recording';
  readonly batches: OutboundMessage[][] = [];
  readonly signals: AbortSignal[] = [];
  mode: 'ack' | 'fail' | 'hang' = 'ack';
  /** Messages this broker can never take: acknowledged batches report them as too large. */
  tooLarge: (m: OutboundMessage) => boolean = () => false;
  /** How this broker counts a message's size: its body only, unless a test says otherwise. */
  messageBytes: (m: OutboundMessage) => number = (m) => m.body.length;
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
  sendBatch(messages: readonly OutboundMessage[], signal: AbortSignal): Promise<void | BatchOutcome> {
    this.batches.push([...messages]);
    this.signals.push(signal);
    if (this.mode === 'ack') {
      const tooLarge = messages.filter((m) => this.tooLarge(m));
      return Promise.resolve(tooLarge.length === 0 ? undefined : { tooLarge });
    }
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
