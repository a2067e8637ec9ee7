/**
 * Entry point (bundled to runtime/dist/server.js): environment → config → broker adapter → server,
 * and the process signals. A configuration error is one JSON log line naming the variables, exit 1.
 * Only the configured broker's SDK is loaded, and telemetry only when Application Insights is set.
 *
 * Every exit goes through `exitAfterLogs` (./logger.ts): the log lines get a bounded chance to reach
 * stdout, and a stdout whose reader stalled or exited can no longer keep the process alive.
 */
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger, exitAfterLogs, type Logger } from './logger';
import type { BrokerSender } from './publish/types';
import { startServer, type StartOptions } from './server';

/** How long a failed start may wait for its last log line to reach stdout. */
const LOG_FLUSH_MS = 1000;
/** After a drain that used its whole budget, the last lines still get this long. */
const LOG_FLUSH_MIN_MS = 100;

async function createSender(config: Config, logger: Logger): Promise<BrokerSender> {
  if (config.bus.kind === 'kafka') {
    const { createKafkaSender } = await import('./publish/kafka.js');
    return createKafkaSender(config.bus.options, logger);
  }
  const { createServiceBusSender } = await import('./publish/servicebus.js');
  return createServiceBusSender(config.bus.options, logger);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    createLogger('info').fatal({ variables: err.variables, problems: err.problems }, err.message);
    return exitAfterLogs(1, LOG_FLUSH_MS);
  }
  const logger = createLogger(config.logLevel);
  let observe: StartOptions['observe'];
  if (config.applicationInsightsConnectionString !== undefined) {
    const { startTelemetry } = await import('./telemetry/index.js');
    observe = startTelemetry(config.applicationInsightsConnectionString, logger);
  }
  const sender = await createSender(config, logger);
  const server = await startServer({ config, sender, logger, ...(observe ? { observe } : {}) });

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal while draining is ignored: the deadline below bounds the wait.
    if (stopping) return;
    stopping = true;
    const deadline = Date.now() + config.shutdownTimeoutMs;
    // The drain ends by the deadline (./server.ts); the last log lines may use what is left of it,
    // at least LOG_FLUSH_MIN_MS, so the process ends within SHUTDOWN_TIMEOUT_MS (+ that minimum).
    void server
      .shutdown(signal)
      .then(() => exitAfterLogs(0, Math.max(LOG_FLUSH_MIN_MS, deadline - Date.now())));
    setTimeout(() => {
      logger.error({ shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutdown deadline exceeded; exiting');
      exitAfterLogs(1, 0);
    }, config.shutdownTimeoutMs + 1000).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((err: unknown) => {
  createLogger('info').fatal({ err }, 'start failed');
  exitAfterLogs(1, LOG_FLUSH_MS);
});
