/** bench:servicebus — batching efficiency of the Service Bus publish path (AMQP test peer). */
import { isRecord, numberAt, table } from '../markdown';
import { barChart } from '../svg';
import type { Chart, ResultDoc, Section } from '../types';

interface Row {
  readonly concurrency: number;
  readonly batched: Record<string, unknown>;
  readonly unbatched: Record<string, unknown>;
  readonly throughputRatio: number | null;
}

function rows(summary: Record<string, unknown>): Row[] {
  const list = Array.isArray(summary.byConcurrency) ? (summary.byConcurrency as unknown[]) : [];
  return list.filter(isRecord).map((r) => ({
    concurrency: numberAt(r, ['concurrency']) ?? Number.NaN,
    batched: isRecord(r.batched) ? r.batched : {},
    unbatched: isRecord(r.unbatched) ? r.unbatched : {},
    throughputRatio: numberAt(r, ['throughputRatio']),
  }));
}

export function serviceBusSection(doc: ResultDoc): Section {
  const data = rows(doc.summary ?? {});
  const lines = [
    'Against `test/servicebus-peer`, an AMQP 1.0 **test peer** on loopback in its own process — not ' +
      'Azure Service Bus: absolute latencies are loopback latencies plus SDK encoding, not the ' +
      "service's. What carries over is the ratio of messages per broker round trip (one round trip = " +
      'one AMQP transfer = one SDK `sendMessages`). `unbatched` is the same path limited to one ' +
      'message per send, measured beside it.',
    '',
    ...table(
      [
        'In flight',
        'Msgs / round trip, batched',
        'unbatched',
        'Throughput batched (msg/s)',
        'unbatched (msg/s)',
        'Ratio',
        'p50 / p99 batched (ms)',
        'p50 / p99 unbatched (ms)',
      ],
      data.map((r) => [
        r.concurrency,
        numberAt(r.batched, ['messagesPerRoundTrip']),
        numberAt(r.unbatched, ['messagesPerRoundTrip']),
        numberAt(r.batched, ['throughputPerSecond']),
        numberAt(r.unbatched, ['throughputPerSecond']),
        r.throughputRatio === null ? null : `${r.throughputRatio}×`,
        `${numberAt(r.batched, ['latencyP50Ms']) ?? '—'} / ${numberAt(r.batched, ['latencyP99Ms']) ?? '—'}`,
        `${numberAt(r.unbatched, ['latencyP50Ms']) ?? '—'} / ${numberAt(r.unbatched, ['latencyP99Ms']) ?? '—'}`,
      ]),
    ),
  ];
  const slower = data
    .filter((r) => r.throughputRatio !== null && r.throughputRatio < 1)
    .map((r) => r.concurrency);
  if (slower.length > 0) {
    lines.push(
      '',
      `Batched is slower than one message per send at ${slower.join(', ')} in flight: with nothing to ` +
        'coalesce, the batcher still waits its linger (PUBLISH_LINGER_MS) before sending a lone message.',
    );
  }
  if (data.length === 0) return { lines, charts: [] };
  const groups = data.map((r) => String(r.concurrency));
  const series = (key: string) => [
    { name: 'batched (runtime defaults)', values: data.map((r) => numberAt(r.batched, [key])) },
    { name: 'unbatched (1 per send)', values: data.map((r) => numberAt(r.unbatched, [key])) },
  ];
  const charts: Chart[] = [
    {
      file: 'servicebus-batching.svg',
      alt: 'Messages per broker round trip by in-flight publishes',
      svg: barChart({
        title: 'Service Bus: messages per broker round trip (median)',
        yLabel: 'messages per round trip',
        xLabel: 'in-flight publishes',
        groups,
        series: series('messagesPerRoundTrip'),
      }),
    },
    {
      file: 'servicebus-throughput.svg',
      alt: 'Service Bus publish throughput by in-flight publishes',
      svg: barChart({
        title: 'Service Bus publish throughput vs the AMQP test peer (median)',
        yLabel: 'messages/s',
        xLabel: 'in-flight publishes',
        groups,
        series: series('throughputPerSecond'),
      }),
    },
    {
      file: 'servicebus-latency.svg',
      alt: 'Service Bus publish latency p50 and p99 by in-flight publishes',
      svg: barChart({
        title: 'Service Bus publish latency, test peer on loopback (median of rounds)',
        yLabel: 'ms',
        xLabel: 'in-flight publishes',
        groups,
        series: [
          { name: 'batched p50', values: data.map((r) => numberAt(r.batched, ['latencyP50Ms'])) },
          { name: 'batched p99', values: data.map((r) => numberAt(r.batched, ['latencyP99Ms'])) },
          { name: 'unbatched p50', values: data.map((r) => numberAt(r.unbatched, ['latencyP50Ms'])) },
          { name: 'unbatched p99', values: data.map((r) => numberAt(r.unbatched, ['latencyP99Ms'])) },
        ],
      }),
    },
  ];
  return { lines, charts };
}
