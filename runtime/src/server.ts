/**
 * Server lifecycle: sender → publisher → app and listener (./http/node-listener.ts) → node:http,
 * and graceful shutdown.
 *
 * node:http gets its limits at construction (config.http): Node then refuses a header time-out above
 * the request time-out, instead of silently applying the two swapped (an incomplete body was held
 * for the 66 s header time-out, plus up to 30 s of its default checking interval).
 *
 * Shutdown (SIGTERM/SIGINT, see ./main.ts) loses no request to a connection reset:
 * - readiness turns false, and every request on an open connection gets 503 + Retry-After (one in
 *   progress still gets its 202) with `Connection: close` (./http/request-scope.ts), so a busy
 *   keep-alive connection closes after its next response — the client was told;
 * - the listener stops accepting at once: new connections are refused, which carries no request
 *   and which NGINX retries on another runtime;
 * - a connection with no request in progress is closed once idle `drainIdleTimeoutMs` (5 s: above
 *   NGINX's 4 s upstream keep-alive, so NGINX has closed it first and never sends on it as it is
 *   closed) — never merely because it is idle at some instant, as `http.Server#close` and
 *   `closeIdleConnections` do (13 of 1,200 keep-alive requests reset in the adversarial pass);
 * - in-flight publishes finish and the producer closes; at SHUTDOWN_TIMEOUT_MS whatever is still
 *   open is closed.
 */
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { AppOptions } from './http/app';
import { createRuntime } from './http/node-listener';
import { createPublisher, type PublisherHooks } from './publish/batcher';
import type { BrokerSender, Publisher } from './publish/types';
import { createSource } from './sources';
import { createVerifier } from './verify';

export interface StartOptions {
  config: Config;
  sender: BrokerSender;
  logger: Logger;
  /** Metrics observers from ./telemetry when enabled. */
  observe?: AppOptions['observe'] & PublisherHooks;
}

export interface RunningServer {
  readonly port: number;
  readonly publisher: Publisher;
  /** Graceful shutdown; resolves when everything is closed (or the deadline forced it). */
  shutdown(reason: string): Promise<{ clean: boolean }>;
}

const RECONNECT_MAX_DELAY_MS = 10_000;

/**
 * Per connection: its latest response (one in progress makes the connection busy; pipelined
 * responses finish in order), and since when the drain has seen it idle (performance.now()).
 * Kept this lean on purpose: one property write per request, no listener per response.
 */
interface ConnectionState {
  response: ServerResponse | undefined;
  idleSince: number | undefined;
}

export async function startServer({ config, sender, logger, observe }: StartOptions): Promise<RunningServer> {
  const verifier = createVerifier(config.verify.scheme, config.verify.secrets);
  if (verifier.scheme === 'none') {
    logger.warn('WEBHOOK_VERIFY=none: requests are NOT authenticated; use only behind a trusted network');
  }
  const publisher = createPublisher(sender, config.publisher, logger, observe ?? {});
  let draining = false;
  const { listener } = createRuntime({
    maxBodyBytes: config.maxBodyBytes,
    maxMessageBytes: config.maxMessageBytes,
    verifier,
    sources: config.sources.map(createSource),
    publisher,
    logger,
    isDraining: () => draining,
    ...(observe ? { observe } : {}),
  });

  void connectWithRetry(sender, logger, () => draining);

  const { http } = config;
  const connections = new Map<Socket, ConnectionState>();
  const server: Server = await new Promise((resolve, reject) => {
    const s = createServer(
      {
        requestTimeout: http.requestTimeoutMs,
        headersTimeout: http.headersTimeoutMs,
        keepAliveTimeout: http.keepAliveTimeoutMs,
        connectionsCheckingInterval: http.connectionsCheckingIntervalMs,
      },
      listener,
    );
    trackConnections(s, connections);
    s.once('error', reject);
    s.listen(config.port, config.host, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;

  /**
   * During the drain: closes each connection without a request in progress once the drain has seen
   * it idle for `drainIdleTimeoutMs` (idle since before the drain counts from its start: a
   * connection may be closed later than that, never sooner).
   */
  const closeLongIdle = () => {
    const now = performance.now();
    for (const [socket, state] of connections) {
      if (state.response !== undefined && !state.response.writableFinished) {
        state.idleSince = undefined;
        continue;
      }
      state.response = undefined;
      state.idleSince ??= now;
      if (now - state.idleSince >= http.drainIdleTimeoutMs) socket.destroy();
    }
  };

  let shutdownPromise: Promise<{ clean: boolean }> | undefined;
  const shutdown = (reason: string) =>
    (shutdownPromise ??= (async () => {
      const started = Date.now();
      logger.info({ reason, shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutting down: draining');
      // From now on /readyz and /webhook answer 503 (+ Retry-After) and every response closes its
      // connection.
      draining = true;
      // Stop accepting now, while keep-alive clients are still on their open connections: a
      // refused connection carried no request (NGINX passes it to the next runtime; any client may
      // retry it). Closing the listener later, once every drain response has made its client
      // reconnect, would reset the connections the kernel had accepted but Node had not yet
      // (14 resets in 16 clients' drain, server.int.test.ts). net.Server#close, not http.Server#close:
      // the latter also closes every connection idle at this instant, including ones whose next
      // request is already on the wire. Resolves once every connection has closed.
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      const sweep = setInterval(closeLongIdle, Math.min(100, Math.max(10, http.drainIdleTimeoutMs / 10)));
      closeLongIdle();
      // Keep a margin of the budget for closing the producer and the sockets.
      const budget = Math.max(0, Math.floor(config.shutdownTimeoutMs * 0.8));
      // Bounded even if the producer's close() hangs; the background connect loop is not awaited
      // (it may be sleeping between attempts) — it stops by itself once draining is set.
      let closeTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        publisher.close(AbortSignal.timeout(budget)),
        new Promise<void>((resolve) => {
          closeTimer = setTimeout(resolve, Math.floor(config.shutdownTimeoutMs * 0.9));
        }),
      ]);
      clearTimeout(closeTimer);
      const left = Math.max(0, config.shutdownTimeoutMs - (Date.now() - started));
      let timer: NodeJS.Timeout | undefined;
      const clean = await Promise.race([
        closed.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), left);
        }),
      ]);
      clearTimeout(timer);
      clearInterval(sweep);
      if (!clean) server.closeAllConnections();
      logger.info({ durationMs: Date.now() - started, clean }, 'shut down');
      return { clean };
    })());

  logger.info(
    {
      host: config.host,
      port,
      bus: sender.name,
      verify: verifier.scheme,
      sources: config.sources.map((s) => s.name),
      // Wall time since the process started, and the CPU it used to get here (robust to a busy host).
      startMs: Math.round(performance.now()),
      startCpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
    },
    'ready',
  );
  return { port, publisher, shutdown };
}

/** Keeps `connections` current: opened, its latest request's response, closed. */
function trackConnections(server: Server, connections: Map<Socket, ConnectionState>): void {
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { response: undefined, idleSince: undefined });
    socket.once('close', () => connections.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const state = connections.get(req.socket);
    if (state !== undefined) state.response = res;
  });
}

/** Connects in the background; /readyz stays false until the broker is reached. */
export async function connectWithRetry(
  sender: BrokerSender,
  logger: Logger,
  stopped: () => boolean,
): Promise<void> {
  let delay = 500;
  while (!stopped()) {
    try {
      await sender.connect();
      logger.info({ bus: sender.name }, 'broker connected');
      return;
    } catch (err) {
      logger.warn({ err, bus: sender.name, retryInMs: delay }, 'broker connection failed; retrying');
      await new Promise((r) => setTimeout(r, delay).unref());
      delay = Math.min(delay * 2, RECONNECT_MAX_DELAY_MS);
    }
  }
}
