/**
 * Server lifecycle: sender → publisher → app and listener (./http/node-listener.ts) → node:http,
 * and graceful shutdown.
 *
 * Shutdown (SIGTERM/SIGINT, see ./main.ts): readiness turns false and new requests get 503 at once;
 * in-flight publishes finish (bounded by SHUTDOWN_TIMEOUT_MS); the producer closes; then the
 * listener closes and open connections are closed once their responses are written.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { AppOptions } from './http/app';
import { createRuntime } from './http/node-listener';
import { createPublisher, type PublisherHooks } from './publish/batcher';
import type { BrokerSender, Publisher } from './publish/types';
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

/** Above NGINX's default upstream keepalive_timeout (60 s), so the proxy never reuses a closed socket. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const RECONNECT_MAX_DELAY_MS = 10_000;

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
    publisher,
    logger,
    isDraining: () => draining,
    ...(observe ? { observe } : {}),
  });

  void connectWithRetry(sender, logger, () => draining);

  const server: Server = await new Promise((resolve, reject) => {
    const s = createServer(listener);
    s.once('error', reject);
    s.listen(config.port, config.host, () => resolve(s));
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
  server.requestTimeout = 30_000;
  const port = (server.address() as AddressInfo).port;

  let shutdownPromise: Promise<{ clean: boolean }> | undefined;
  const shutdown = (reason: string) =>
    (shutdownPromise ??= (async () => {
      const started = Date.now();
      logger.info({ reason, shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutting down: draining');
      // Still listening: requests arriving now get 503 + Retry-After (another replica will take
      // them) rather than a refused connection, while readiness takes this replica out.
      draining = true;
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
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Sockets that turn idle after close() are not closed by it: sweep until the server is done.
      const sweep = setInterval(() => {
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      }, 25);
      if ('closeIdleConnections' in server) server.closeIdleConnections();
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
      if (!clean && 'closeAllConnections' in server) server.closeAllConnections();
      logger.info({ durationMs: Date.now() - started, clean }, 'shut down');
      return { clean };
    })());

  logger.info(
    {
      host: config.host,
      port,
      bus: sender.name,
      verify: verifier.scheme,
      // Wall time since the process started, and the CPU it used to get here (robust to a busy host).
      startMs: Math.round(performance.now()),
      startCpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
    },
    'ready',
  );
  return { port, publisher, shutdown };
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
