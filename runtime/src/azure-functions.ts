/**
 * Optional entry for Azure Functions (v4 Node.js programming model): the same Hono app, config and
 * publisher as the container entry (./main.ts), registered as one HTTP function on every route.
 * The seed wrapped FastAPI in Mangum "for Azure Functions"; Mangum only speaks AWS Lambda events.
 * Container Apps (./main.ts) remains the recommended host; see docs/decisions/0002.
 *
 * host.json should keep the default `routePrefix` ("api"): the adapter strips it, so senders post
 * to https://<app>.azurewebsites.net/api/webhook.
 */
import { app as functions } from '@azure/functions';
import { loadConfig } from './config';
import { createFunctionsHandler } from './functions/adapter';
import { createApp } from './http/app';
import { createLogger } from './logger';
import { createPublisher } from './publish/batcher';
import type { BrokerSender } from './publish/types';
import { connectWithRetry } from './server';
import { createVerifier } from './verify';
import { createKafkaSender } from './publish/kafka';
import { createServiceBusSender } from './publish/servicebus';

const config = loadConfig(process.env); // throws ConfigError: the host logs it and the function fails to load
const logger = createLogger(config.logLevel);
const sender: BrokerSender =
  config.bus.kind === 'kafka'
    ? createKafkaSender(config.bus.options, logger)
    : createServiceBusSender(config.bus.options, logger);
const publisher = createPublisher(sender, config.publisher, logger);
let draining = false;
void connectWithRetry(sender, logger, () => draining);
const webApp = createApp({
  maxBodyBytes: config.maxBodyBytes,
  maxMessageBytes: config.maxMessageBytes,
  verifier: createVerifier(config.verify.scheme, config.verify.secrets),
  publisher,
  logger,
  isDraining: () => draining,
});

functions.http('webhook', {
  route: '{*path}',
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  authLevel: 'anonymous', // authentication is the webhook signature (WEBHOOK_VERIFY)
  handler: createFunctionsHandler(webApp.fetch),
});

functions.hook.appTerminate(async () => {
  draining = true;
  await publisher.close(AbortSignal.timeout(config.shutdownTimeoutMs));
});
