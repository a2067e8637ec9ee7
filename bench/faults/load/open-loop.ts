/**
 * Open-loop steady load to one loopback port: `ratePerSecond` webhook POSTs, sent on schedule
 * whether or not earlier ones were answered (a fault must not slow the senders down and hide
 * itself), for `durationMs`, with at most `maxInFlight` outstanding (beyond that a request is
 * recorded as not sent, never queued). Every request is recorded: its sequence number (also in the
 * body, so it can be found on the topic), when it completed, its status and its correlationId.
 */
import { Agent, request } from 'node:http';

export interface LoadOptions {
  readonly port: number;
  readonly ratePerSecond: number;
  /** Minimum length of the load. */
  readonly durationMs: number;
  /**
   * Keep the load going past `durationMs` until this settles, then `tailMs` more (a fault that
   * outlasts the planned load still gets its recovery measured).
   */
  readonly until?: Promise<unknown>;
  /** @default 5000 */
  readonly tailMs?: number;
  /** Hard bound on the load's length whatever `until` does. @default durationMs + 120000 */
  readonly maxDurationMs?: number;
  /** @default 1000 */
  readonly maxInFlight?: number;
  /** Per request; a request unanswered by then counts as a transport error. @default 10000 */
  readonly timeoutMs?: number;
  /** Distinct clientIds (Kafka keys), round robin. @default 16 */
  readonly clients?: number;
  /** Marks this run's bodies. */
  readonly runId: string;
  /**
   * `performance.now()` that times are measured from, so a scenario's fault timeline and the
   * samples share one clock. @default when the load starts
   */
  readonly t0?: number;
}

export interface Sample {
  readonly seq: number;
  /** ms since the load started. */
  readonly sentAtMs: number;
  readonly doneAtMs: number;
  /** HTTP status; 0 = transport error (reset, refused, timeout); -1 = not sent (in-flight cap). */
  readonly status: number;
  readonly correlationId?: string;
  /** Who answered a non-202: a runtime (its answers carry X-Correlation-Id) or NGINX itself. */
  readonly from?: 'runtime' | 'proxy';
  readonly error?: string;
}

export interface LoadResult {
  readonly samples: Sample[];
  readonly startedAt: string;
  readonly elapsedMs: number;
}

export function webhookBody(runId: string, seq: number, clients: number): string {
  return JSON.stringify({ clientId: `faults-${seq % clients}`, opportunity: { run: runId, seq } });
}

export async function runOpenLoopLoad(options: LoadOptions): Promise<LoadResult> {
  const maxInFlight = options.maxInFlight ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const clients = options.clients ?? 16;
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
  const samples: Sample[] = [];
  const startedAt = new Date().toISOString();
  const t0 = options.t0 ?? performance.now();
  const now = () => performance.now() - t0;
  let inFlight = 0;
  let sent = 0;
  let sending = true;
  let settleAll: () => void = () => undefined;
  const allDone = new Promise<void>((resolveAll) => (settleAll = resolveAll));
  const record = (sample: Sample) => {
    samples.push(sample);
    if (!sending && samples.length === sent) settleAll();
  };
  // When sending stops: durationMs, or (with `until`) tailMs after it settled, whichever is later.
  let stopAtMs = options.until === undefined ? options.durationMs : Number.POSITIVE_INFINITY;
  const hardStopMs = options.maxDurationMs ?? options.durationMs + 120_000;
  options.until?.then(
    () => (stopAtMs = Math.max(options.durationMs, now() + (options.tailMs ?? 5000))),
    () => (stopAtMs = Math.max(options.durationMs, now())),
  );

  const sendOne = (seq: number) => {
    const sentAtMs = now();
    if (inFlight >= maxInFlight) {
      record({ seq, sentAtMs, doneAtMs: sentAtMs, status: -1, error: 'in-flight cap reached' });
      return;
    }
    inFlight += 1;
    const body = webhookBody(options.runId, seq, clients);
    let finished = false;
    const finish = (status: number, extra: Pick<Sample, 'correlationId' | 'from' | 'error'> = {}) => {
      if (finished) return;
      finished = true;
      inFlight -= 1;
      record({ seq, sentAtMs, doneAtMs: now(), status, ...extra });
    };
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port,
        method: 'POST',
        path: '/webhook',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => finish(0, { error: error.message }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status !== 202) {
            return finish(status, {
              from: res.headers['x-correlation-id'] === undefined ? 'proxy' : 'runtime',
            });
          }
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { correlationId?: unknown };
            const id = typeof parsed.correlationId === 'string' ? parsed.correlationId : undefined;
            finish(202, id === undefined ? { error: '202 without a correlationId' } : { correlationId: id });
          } catch {
            finish(202, { error: '202 with a body that is not JSON' });
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => finish(0, { error: error.message }));
    req.end(body);
  };

  await new Promise<void>((resolveSending) => {
    const tick = () => {
      const elapsed = now();
      const stop = Math.min(stopAtMs, hardStopMs);
      const due = Math.floor((Math.min(elapsed, stop) * options.ratePerSecond) / 1000);
      while (sent < due) sendOne(sent++);
      if (elapsed >= stop) resolveSending();
      else setTimeout(tick, 5);
    };
    tick();
  });
  sending = false;
  if (samples.length === sent) settleAll();
  await allDone;
  agent.destroy();
  return { samples: samples.sort((a, b) => a.seq - b.seq), startedAt, elapsedMs: Math.round(now()) };
}
