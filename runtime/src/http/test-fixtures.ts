/**
 * Test fixtures for the HTTP layer: an in-process Publisher that records what it accepted, or fails
 * with a chosen PublishError, and a logger whose JSON lines the test can read.
 */
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from '../logger';
import { estimatedMessageBytes } from '../publish/message-size';
import { PublishError, type OutboundMessage, type Publisher, type PublishFailure } from '../publish/types';
import { createVerifier } from '../verify';
import type { AppOptions } from './app';
import { createRuntime } from './node-listener';

export const SECRET = 'test-secret';

export class RecordingPublisher implements Publisher {
  readonly published: OutboundMessage[] = [];
  failWith: PublishFailure | undefined;
  ready = true;
  publish(message: OutboundMessage): Promise<void> {
    if (this.failWith !== undefined) return Promise.reject(new PublishError(this.failWith, 'test failure'));
    this.published.push(message);
    return Promise.resolve();
  }
  /** Counted as a sender that does not say how its broker counts: the larger bus estimate. */
  messageBytes(message: OutboundMessage): number {
    return estimatedMessageBytes(message);
  }
  isReady(): boolean {
    return this.ready;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function makeApp(overrides: Partial<AppOptions> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const publisher = new RecordingPublisher();
  const { app, listener } = createRuntime({
    maxBodyBytes: 1024,
    maxMessageBytes: 262_144,
    verifier: createVerifier('github', [SECRET]),
    publisher,
    logger: createLogger('debug', sink),
    ...overrides,
  });
  return { app, listener, publisher, lines };
}

export const sign = (body: string | Uint8Array, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export function webhook(body: string | Uint8Array, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body), ...headers },
    body,
  };
}

export const VALID = JSON.stringify({
  clientId: 'c-1',
  opportunity: { id: 42, stage: 'won' },
  extra: [1, 2],
});
