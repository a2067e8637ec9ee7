/**
 * OpenTelemetry traces and metrics to Azure Monitor. ./main.ts imports this module only when
 * APPLICATIONINSIGHTS_CONNECTION_STRING is set, so without it neither the SDK nor a single
 * instrument is loaded (zero cost). HTTP server spans come from the SDK's http instrumentation,
 * which continues the proxy's W3C `traceparent`.
 *
 * Traces: a PRODUCER span `webhook publish` around each publish (kafkajs has no instrumentation;
 * the Azure SDK's Service Bus spans nest under it).
 * Metrics: webhook.http.requests / webhook.http.duration (by route, status and, on the webhook
 * routes, `source`: `default` for POST /webhook), webhook.publish.duration (by outcome and source), webhook.publish.batch_size, webhook.publish.in_flight.
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import {
  shutdownAzureMonitor,
  useAzureMonitor,
  type AzureMonitorOpenTelemetryOptions,
} from '@azure/monitor-opentelemetry';
import { metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { StartOptions } from '../server';

export type Observers = NonNullable<StartOptions['observe']>;

/**
 * The SDK options. Application Insights has local (instrumentation-key) auth disabled, so ingestion
 * authenticates with Entra ID: `credential` (DefaultAzureCredential; AZURE_CLIENT_ID selects the
 * user-assigned managed identity, which needs "Monitoring Metrics Publisher" on the component).
 */
export function azureMonitorOptions(
  connectionString: string,
  credential: TokenCredential,
): AzureMonitorOpenTelemetryOptions {
  return {
    azureMonitorExporterOptions: { connectionString, credential },
    enableLiveMetrics: false,
    instrumentationOptions: {
      http: { enabled: true },
      azureSdk: { enabled: true },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
    },
  };
}

export function startTelemetry(connectionString: string, logger: Logger): Observers {
  // This whole module is loaded only when telemetry is on, so the identity SDK is too.
  useAzureMonitor(azureMonitorOptions(connectionString, new DefaultAzureCredential()));
  logger.info('telemetry: exporting traces and metrics to Azure Monitor');
  return createObservers();
}

export function stopTelemetry(): Promise<void> {
  return shutdownAzureMonitor();
}

/** The instruments, on whatever Meter/TracerProvider is registered (a test may register its own). */
export function createObservers(): Observers {
  const meter = metrics.getMeter('webhook-runtime');
  const tracer = trace.getTracer('webhook-runtime');
  const requests = meter.createCounter('webhook.http.requests', {
    description: 'HTTP requests by route and status',
  });
  const duration = meter.createHistogram('webhook.http.duration', {
    unit: 'ms',
    description: 'HTTP latency',
  });
  const publishDuration = meter.createHistogram('webhook.publish.duration', {
    unit: 'ms',
    description: 'Time from publish to broker acknowledgement',
  });
  const batchSize = meter.createHistogram('webhook.publish.batch_size', {
    description: 'Messages per broker batch',
  });
  let inFlight = 0;
  meter
    .createObservableGauge('webhook.publish.in_flight', {
      description: 'Messages held, not yet acknowledged',
    })
    .addCallback((result) => result.observe(inFlight));
  return {
    request(route, status, durationMs, source) {
      const attributes: Record<string, string | number> = {
        'http.route': route,
        'http.response.status_code': status,
      };
      if (source !== undefined) attributes['source'] = source;
      requests.add(1, attributes);
      duration.record(durationMs, attributes);
    },
    publish(durationMs, ok, source) {
      publishDuration.record(durationMs, { outcome: ok ? 'acknowledged' : 'failed', source });
    },
    onBatch({ size, ok }) {
      batchSize.record(size, { outcome: ok ? 'acknowledged' : 'failed' });
    },
    onInFlight(n) {
      inFlight = n;
    },
    tracePublish(message, publish) {
      const attributes = {
        'messaging.operation.type': 'send',
        'messaging.message.id': message.messageId,
        'messaging.message.conversation_id': message.correlationId,
        'messaging.message.body.size': message.body.length,
        'webhook.client_id': message.key,
        'webhook.source': message.source ?? 'default',
      };
      return tracer.startActiveSpan(
        'webhook publish',
        { kind: SpanKind.PRODUCER, attributes },
        async (span) => {
          try {
            await publish();
            span.setStatus({ code: SpanStatusCode.OK });
          } catch (err) {
            span.setStatus({
              code: SpanStatusCode.ERROR,
              message: err instanceof Error ? err.message : String(err),
            });
            throw err;
          } finally {
            span.end();
          }
        },
      );
    },
  };
}
