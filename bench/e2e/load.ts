/**
 * The two loads of the end-to-end benchmark, both to one loopback port, both bounded in time:
 * - saturation: closed loop with autocannon (`connections` senders, each sends when its previous
 *   request was answered) → the path's peak throughput and the latency at that peak;
 * - open loop: the harness's open-loop generator (test/support/load.ts), latency measured from each
 *   request's SCHEDULED send time (no coordinated omission: a stall shows as latency, not as fewer
 *   requests), with a cap on requests outstanding beyond which a request counts as not sent.
 * Both keep every accepted correlationId so the caller can find it on the topic.
 */
import autocannon from 'autocannon';
import { correlationIdOf, runOpenLoopLoad } from '../../test/support/load';
import { percentile, round } from '../lib/results';

export interface LoadRun {
  readonly mode: 'saturation' | 'open';
  readonly durationMs: number;
  /** Requests answered or failed (open loop: also those not sent because of the cap). */
  readonly requests: number;
  /** 2xx answers carrying a correlationId. */
  readonly accepted: number;
  /** Accepted per second over the run. */
  readonly acceptedPerSecond: number;
  /** ms, of accepted requests (open loop: from the scheduled send time). */
  readonly latencyMs: { p50: number; p95: number; p99: number; max: number };
  /**
   * Answers by HTTP status, plus "transport" (saturation) or "transport:<code>" (open loop: reset,
   * refused, TIMEOUT) and "notSent" (open-loop cap).
   */
  readonly byStatus: Record<string, number>;
  /** Open loop only: the arrival rate asked for, requests/s. */
  readonly targetRate?: number;
  readonly correlationIds: string[];
}

const WEBHOOK_BODY = JSON.stringify({ clientId: 'bench-e2e', opportunity: { id: 'op-1', amount: 1250 } });

function latencySummary(values: number[]): LoadRun['latencyMs'] {
  if (values.length === 0) return { p50: NaN, p95: NaN, p99: NaN, max: NaN };
  return {
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
    max: round(values.reduce((a, b) => Math.max(a, b), 0)),
  };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Closed loop at `connections` for `seconds` (autocannon, 10 s request timeout). */
export async function saturation(port: number, seconds: number, connections: number): Promise<LoadRun> {
  const byStatus: Record<string, number> = {};
  const latencies: number[] = [];
  const correlationIds: string[] = [];
  return new Promise((resolveRun, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        duration: seconds,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            path: '/webhook',
            headers: { 'content-type': 'application/json' },
            body: WEBHOOK_BODY,
            onResponse: (status, body) => {
              if (status < 200 || status > 299) return;
              const id = correlationIdOf(body);
              if (id !== undefined) correlationIds.push(id);
            },
          },
        ],
      },
      (error: unknown, result) => {
        if (error !== null && error !== undefined) return reject(error as Error);
        const transport = result.errors;
        if (transport > 0) byStatus.transport = transport;
        const durationMs = result.duration * 1000;
        resolveRun({
          mode: 'saturation',
          durationMs: round(durationMs),
          requests: latencies.length + transport,
          accepted: correlationIds.length,
          acceptedPerSecond: round(correlationIds.length / result.duration, 1),
          latencyMs: latencySummary(latencies),
          byStatus,
          correlationIds,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      bump(byStatus, String(statusCode));
      latencies.push(responseTime);
    });
  });
}

export const OPEN_LOOP_MAX_IN_FLIGHT = 400;

export interface OpenLoopOptions {
  readonly port: number;
  readonly ratePerSecond: number;
  readonly seconds: number;
  /**
   * Outstanding requests (= client connections) at most. Under 1024 / 2: NGINX's one worker has
   * 1024 worker_connections for both sides, and beyond that it drops idle client keep-alive
   * connections (resets that would measure the load generator, not the path).
   * @default 400
   */
  readonly maxInFlight?: number;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

/** Open loop (test/support/load.ts): request k is due at k/rate s; latency = answer time − due time. */
export async function openLoop(options: OpenLoopOptions): Promise<LoadRun> {
  const { samples, sendingMs } = await runOpenLoopLoad({
    port: options.port,
    ratePerSecond: options.ratePerSecond,
    durationMs: options.seconds * 1000,
    maxInFlight: options.maxInFlight ?? OPEN_LOOP_MAX_IN_FLIGHT,
    timeoutMs: options.timeoutMs ?? 10_000,
    body: () => WEBHOOK_BODY,
  });
  const byStatus: Record<string, number> = {};
  const latencies: number[] = [];
  const correlationIds: string[] = [];
  for (const sample of samples) {
    bump(
      byStatus,
      sample.status === -1
        ? 'notSent'
        : sample.status === 0
          ? `transport:${sample.errorCode}`
          : String(sample.status),
    );
    if (sample.correlationId !== undefined) {
      correlationIds.push(sample.correlationId);
      latencies.push(sample.doneAtMs - sample.dueAtMs);
    }
  }
  return {
    mode: 'open',
    targetRate: options.ratePerSecond,
    durationMs: sendingMs,
    requests: samples.length,
    accepted: correlationIds.length,
    acceptedPerSecond: round(correlationIds.length / (sendingMs / 1000), 1),
    latencyMs: latencySummary(latencies),
    byStatus,
    correlationIds,
  };
}
