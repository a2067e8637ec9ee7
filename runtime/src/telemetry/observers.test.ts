/**
 * The instruments, on a real OpenTelemetry SDK MeterProvider (no exporter, no network): requests
 * and latency by route and status, publish latency, batch size and in-flight, fed by the app and
 * the publisher exactly as in production.
 */
import { metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { makeApp, VALID, webhook } from '../http/test-fixtures';
import { createPublisher } from '../publish/batcher';
import { RecordingSender } from '../publish/test-sender';
import { createObservers } from './index';

class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const reader = new CollectingReader();
const provider = new MeterProvider({ readers: [reader] });
const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
beforeAll(() => {
  metrics.setGlobalMeterProvider(provider);
  trace.setGlobalTracerProvider(tracerProvider);
});
afterAll(async () => {
  metrics.disable();
  trace.disable();
  await provider.shutdown();
  await tracerProvider.shutdown();
});

async function points(name: string): Promise<Array<DataPoint<unknown>>> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []) as Array<DataPoint<unknown>>;
}

describe('telemetry observers', () => {
  it('count requests and record latency by route and status, and publish latency by outcome', async () => {
    const observe = createObservers();
    const { app, publisher } = makeApp({ observe });
    await app.request('/webhook', webhook(VALID));
    await app.request('/webhook', webhook(VALID));
    await app.request('/webhook', { ...webhook(VALID), body: '{}' }); // 401: signature over other bytes
    publisher.failWith = 'unavailable';
    await app.request('/webhook', webhook(VALID));

    const requests = await points('webhook.http.requests');
    const byStatus = Object.fromEntries(
      requests.map((p) => [String(p.attributes['http.response.status_code']), p.value]),
    );
    expect(byStatus).toEqual({ '202': 2, '401': 1, '503': 1 });
    expect(requests.every((p) => p.attributes['http.route'] === '/webhook')).toBe(true);
    const latency = await points('webhook.http.duration');
    expect(latency.map((p) => (p.value as Histogram).count).reduce((a, b) => a + b, 0)).toBe(4);
    const publish = await points('webhook.publish.duration');
    const outcomes = Object.fromEntries(
      publish.map((p) => [p.attributes['outcome'], (p.value as Histogram).count]),
    );
    expect(outcomes).toEqual({ acknowledged: 2, failed: 1 });
  });

  it('record batch sizes and the in-flight gauge from the publisher', async () => {
    const observe = createObservers();
    const sender = new RecordingSender();
    sender.mode = 'hang';
    const publisher = createPublisher(
      sender,
      {
        lingerMs: 1,
        maxConcurrentBatches: 1,
        maxBatchMessages: 100,
        maxBatchBytes: 100_000,
        maxInFlight: 100,
        timeoutMs: 5000,
      },
      pino({ level: 'silent' }),
      observe,
    );
    const { app } = makeApp({ publisher, observe });
    const pending = [1, 2, 3].map(() => app.request('/webhook', webhook(VALID)));
    while (sender.batches.length === 0) await new Promise((r) => setTimeout(r, 2));
    const inFlight = await points('webhook.publish.in_flight');
    expect(inFlight[0]?.value).toBe(3);
    sender.releaseAll();
    await Promise.all(pending);
    const sizes = await points('webhook.publish.batch_size');
    const acknowledged = sizes.find((p) => p.attributes['outcome'] === 'acknowledged')?.value as Histogram;
    expect(acknowledged.count).toBe(1);
    expect(acknowledged.sum).toBe(3);
    expect((await points('webhook.publish.in_flight'))[0]?.value).toBe(0);
  });

  it('wrap each publish in a PRODUCER span carrying the message id, with an error status on failure', async () => {
    spans.reset();
    const { app, publisher } = makeApp({ observe: createObservers() });
    const ok = await app.request('/webhook', webhook(VALID, { 'x-github-delivery': 'gh-span' }));
    publisher.failWith = 'timeout';
    await app.request('/webhook', webhook(VALID));
    const [first, second] = spans.getFinishedSpans();
    expect(first).toMatchObject({
      name: 'webhook publish',
      kind: SpanKind.PRODUCER,
      status: { code: SpanStatusCode.OK },
    });
    expect(first?.attributes).toMatchObject({
      'messaging.message.id': 'gh-span',
      'messaging.message.conversation_id': ok.headers.get('x-correlation-id'),
      'webhook.client_id': 'c-1',
    });
    expect(second?.status.code).toBe(SpanStatusCode.ERROR);
  });
});
