/**
 * Entry point (bundled to runtime/dist/server.js): environment → config → broker adapter → server,
 * and the process signals. A configuration error is one JSON log line naming the variables, exit 1.
 * Only the configured broker's SDK is loaded, and telemetry only when Application Insights is set.
 */
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger, type Logger } from './logger';
import type { BrokerSender } from './publish/types';
import { startServer, type StartOptions } from './server';

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
    process.exit(1);
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
    void server.shutdown(signal).then(() => process.exit(0));
    setTimeout(() => {
      logger.error({ shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutdown deadline exceeded; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 1000).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((err: unknown) => {
  createLogger('info').fatal({ err }, 'start failed');
  process.exit(1);
});
