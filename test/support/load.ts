/**
 * The open-loop load generator: webhook POSTs to one loopback port on a fixed schedule (request k
 * is due k/rate s after the start) whether or not earlier ones were answered, so a stall shows as
 * latency and failures instead of hiding as fewer requests (no coordinated omission). At most
 * `maxInFlight` outstanding: beyond that a request is recorded as not sent, never queued. Every
 * request becomes one sample (its schedule, status, who answered, correlationId); the callers
 * (bench/e2e, bench/faults) summarise the samples their own way.
 */
import { Agent, request } from 'node:http';

export interface LoadOptions {
  readonly port: number;
  readonly ratePerSecond: number;
  /** Minimum length of the load. */
  readonly durationMs: number;
  /**
   * Keep the load going past `durationMs` until this settles, then `tailMs` more (a fault that
   * outlasts the planned load still gets its recovery measured). @default none
   */
  readonly until?: Promise<unknown>;
  /** @default 5000 */
  readonly tailMs?: number;
  /** Hard bound on the load's length whatever `until` does. @default durationMs + 120000 */
  readonly maxDurationMs?: number;
  /** @default 1000 */
  readonly maxInFlight?: number;
  /** Per request; a request unanswered by then is a transport error. @default 10000 */
  readonly timeoutMs?: number;
  /** The body of request `seq`. @default webhookBody(runId, seq, 16) */
  readonly body?: (seq: number) => string;
  /** Marks this run's default bodies. @default 'load' */
  readonly runId?: string;
  /**
   * `performance.now()` that times are measured from, so a scenario's fault timeline and the
   * samples share one clock. @default when the load starts
   */
  readonly t0?: number;
}

export interface Sample {
  readonly seq: number;
  /** ms since t0 when the request was due (its place in the schedule). */
  readonly dueAtMs: number;
  /** ms since t0 when it was sent. */
  readonly sentAtMs: number;
  readonly doneAtMs: number;
  /** HTTP status; 0 = transport error (reset, refused, timeout); -1 = not sent (in-flight cap). */
  readonly status: number;
  /** From a 2xx answer's JSON body. */
  readonly correlationId?: string;
  /** Who answered a non-2xx: a runtime (its answers carry X-Correlation-Id) or NGINX itself. */
  readonly from?: 'runtime' | 'proxy';
  readonly error?: string;
  /** A transport error's code: ECONNRESET, ECONNREFUSED, TIMEOUT… */
  readonly errorCode?: string;
}

export interface LoadResult {
  readonly samples: Sample[];
  readonly startedAt: string;
  /** From t0 to the last answer. */
  readonly elapsedMs: number;
  /** From t0 to the last request sent. */
  readonly sendingMs: number;
}

/** A webhook in the runtime's contract shape that names its run and sequence number (findable on the topic). */
export function webhookBody(runId: string, seq: number, clients = 16): string {
  return JSON.stringify({ clientId: `load-${seq % clients}`, opportunity: { run: runId, seq } });
}

/** The `correlationId` of a JSON answer body, if it names one. */
export function correlationIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { correlationId?: unknown }).correlationId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

export async function runOpenLoopLoad(options: LoadOptions): Promise<LoadResult> {
  const maxInFlight = options.maxInFlight ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const runId = options.runId ?? 'load';
  const bodyOf = options.body ?? ((seq: number) => webhookBody(runId, seq));
  const intervalMs = 1000 / options.ratePerSecond;
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
  const samples: Sample[] = [];
  const startedAt = new Date().toISOString();
  const t0 = options.t0 ?? performance.now();
  const now = (): number => performance.now() - t0;
  let inFlight = 0;
  let sent = 0;
  let sending = true;
  let settleAll: () => void = () => undefined;
  const allDone = new Promise<void>((resolveAll) => (settleAll = resolveAll));
  const record = (sample: Sample): void => {
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

  const sendOne = (seq: number): void => {
    const dueAtMs = seq * intervalMs;
    const sentAtMs = now();
    if (inFlight >= maxInFlight) {
      record({ seq, dueAtMs, sentAtMs, doneAtMs: sentAtMs, status: -1, error: 'in-flight cap reached' });
      return;
    }
    inFlight += 1;
    const body = bodyOf(seq);
    let finished = false;
    const finish = (status: number, extra: Partial<Sample> = {}): void => {
      if (finished) return;
      finished = true;
      inFlight -= 1;
      record({ seq, dueAtMs, sentAtMs, doneAtMs: now(), status, ...extra });
    };
    const failed = (error: NodeJS.ErrnoException): void =>
      finish(0, { error: error.message, errorCode: error.code ?? 'other' });
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
        res.on('error', failed);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            return finish(status, {
              from: res.headers['x-correlation-id'] === undefined ? 'proxy' : 'runtime',
            });
          }
          const id = correlationIdOf(Buffer.concat(chunks).toString('utf8'));
          finish(
            status,
            id === undefined ? { error: `${status} without a correlationId` } : { correlationId: id },
          );
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })),
    );
    req.on('error', failed);
    req.end(body);
  };

  await new Promise<void>((resolveSending) => {
    const tick = (): void => {
      const elapsed = now();
      const stop = Math.min(stopAtMs, hardStopMs);
      while (sent * intervalMs <= elapsed && sent * intervalMs < stop) sendOne(sent++);
      if (elapsed >= stop) resolveSending();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendingMs = Math.round(now());
  sending = false;
  if (samples.length === sent) settleAll();
  await allDone;
  agent.destroy();
  return {
    samples: samples.sort((a, b) => a.seq - b.seq),
    startedAt,
    elapsedMs: Math.round(now()),
    sendingMs,
  };
}
