/**
 * The two loads of the end-to-end benchmark, both to one loopback port, both bounded in time:
 * - saturation: closed loop with autocannon (`connections` senders, each sends when its previous
 *   request was answered) → the path's peak throughput and the latency at that peak;
 * - open loop: requests sent on a fixed schedule whatever the answers, latency measured from each
 *   request's SCHEDULED send time (no coordinated omission: a stall shows as latency, not as fewer
 *   requests), with a cap on requests outstanding beyond which a request counts as not sent.
 * Both keep every accepted correlationId so the caller can find it on the topic.
 */
import autocannon from 'autocannon';
import { Agent, request } from 'node:http';

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

function correlationIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { correlationId?: unknown }).correlationId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

type Stats = typeof import('../lib/results.mjs', { with: { 'resolution-mode': 'import' } });
const stats = (): Promise<Stats> => import('../lib/results.mjs');

function latencySummary({ percentile, round }: Stats, values: number[]): LoadRun['latencyMs'] {
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
  const lib = await stats();
  const { round } = lib;
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
          latencyMs: latencySummary(lib, latencies),
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

/** Open loop: request k is due at k/rate s; latency = answer time − due time. */
export async function openLoop(options: OpenLoopOptions): Promise<LoadRun> {
  const lib = await stats();
  const { round } = lib;
  const maxInFlight = options.maxInFlight ?? OPEN_LOOP_MAX_IN_FLIGHT;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const total = Math.round(options.ratePerSecond * options.seconds);
  const intervalMs = 1000 / options.ratePerSecond;
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
  const byStatus: Record<string, number> = {};
  const latencies: number[] = [];
  const correlationIds: string[] = [];
  let inFlight = 0;
  let finished = 0;
  let settle: () => void = () => undefined;
  const allDone = new Promise<void>((resolveAll) => (settle = resolveAll));
  const t0 = performance.now();
  const done = (): void => {
    finished += 1;
    if (finished === total) settle();
  };

  const sendOne = (dueAt: number): void => {
    if (inFlight >= maxInFlight) {
      bump(byStatus, 'notSent');
      return done();
    }
    inFlight += 1;
    let over = false;
    const finish = (status: string, body?: string): void => {
      if (over) return;
      over = true;
      inFlight -= 1;
      bump(byStatus, status);
      const id = body === undefined ? undefined : correlationIdOf(body);
      if (id !== undefined && status.startsWith('2')) {
        correlationIds.push(id);
        latencies.push(performance.now() - dueAt);
      }
      done();
    };
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port,
        method: 'POST',
        path: '/webhook',
        agent,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(WEBHOOK_BODY) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) => finish(`transport:${error.code ?? 'other'}`));
        res.on('end', () => finish(String(res.statusCode ?? 0), Buffer.concat(chunks).toString('utf8')));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => finish(`transport:${error.code ?? 'other'}`));
    req.end(WEBHOOK_BODY);
  };

  let next = 0;
  await new Promise<void>((resolveSending) => {
    const tick = (): void => {
      const elapsed = performance.now() - t0;
      while (next < total && next * intervalMs <= elapsed) {
        sendOne(t0 + next * intervalMs);
        next += 1;
      }
      if (next >= total) resolveSending();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendingMs = performance.now() - t0;
  if (total === 0) settle();
  await allDone;
  agent.destroy();
  return {
    mode: 'open',
    targetRate: options.ratePerSecond,
    durationMs: round(sendingMs),
    requests: total,
    accepted: correlationIds.length,
    acceptedPerSecond: round(correlationIds.length / (sendingMs / 1000), 1),
    latencyMs: latencySummary(lib, latencies),
    byStatus,
    correlationIds,
  };
}
