/**
 * bench:e2e — NGINX → two runtimes → Kafka (acks=all), ours beside the seed's FastAPI app, read
 * from the summary bench/e2e/summary.ts writes: `saturation.{ours,seed}`, `openLoop[]` (one entry
 * per fraction of our peak, with `ours` and `seed`), `throughputRatio` and `verification`.
 */
import { cell, isRecord, numberAt, table } from '../markdown';
import { barChart } from '../svg';
import type { Chart, ResultDoc, Section } from '../types';

const TARGETS = ['ours', 'seed'] as const;

/** A latency percentile of one measure (`latencyMs.p99`). */
function latency(data: unknown, percentile: 'p50' | 'p95' | 'p99'): number | null {
  return isRecord(data) ? numberAt(data.latencyMs, [percentile]) : null;
}

interface Point {
  readonly target: string;
  readonly rate: number | null;
  readonly data: Record<string, unknown>;
}

function saturation(summary: Record<string, unknown>, target: string): Record<string, unknown> | undefined {
  const sat = summary.saturation;
  return isRecord(sat) && isRecord(sat[target]) ? sat[target] : undefined;
}

function openLoop(summary: Record<string, unknown>): Point[] {
  const raw = Array.isArray(summary.openLoop) ? summary.openLoop.filter(isRecord) : [];
  return raw.flatMap((p) =>
    TARGETS.flatMap((t) => {
      const data = p[t];
      return isRecord(data) ? [{ target: t, rate: numberAt(data, ['targetRate']), data }] : [];
    }),
  );
}

/** Non-2xx answers by status (`byStatus`), or "none". */
function errors(data: Record<string, unknown> | undefined): string {
  if (data === undefined || !isRecord(data.byStatus)) return '—';
  const parts = Object.entries(data.byStatus).filter(
    ([s, n]) => !s.startsWith('2') && typeof n === 'number' && n > 0,
  );
  return parts.length === 0 ? 'none' : parts.map(([s, n]) => `${s}: ${cell(n)}`).join(', ');
}

export function e2eSection(doc: ResultDoc): Section {
  const summary = doc.summary ?? {};
  const lines: string[] = [];
  const charts: Chart[] = [];
  const sat = TARGETS.map((t) => ({ target: t, data: saturation(summary, t) }));
  if (sat.some((s) => s.data !== undefined)) {
    lines.push(
      '**Saturation** (closed loop):',
      '',
      ...table(
        ['Target', 'Accepted (202/s)', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'Non-2xx by status'],
        sat.map((s) => [
          s.target,
          numberAt(s.data, ['acceptedPerSecond']),
          latency(s.data, 'p50'),
          latency(s.data, 'p95'),
          latency(s.data, 'p99'),
          errors(s.data),
        ]),
      ),
      '',
      `Throughput ratio ours / seed: **${cell(numberAt(summary, ['throughputRatio']))}×**.`,
    );
    charts.push({
      file: 'e2e-throughput.svg',
      alt: 'End-to-end throughput at saturation, ours vs the seed',
      svg: barChart({
        title: 'End to end at saturation: NGINX → 2 workers → Kafka acks=all',
        yLabel: 'accepted webhooks/s',
        xLabel: 'ingestion path (same NGINX, same broker, same load)',
        groups: ['ours (Hono runtimes)', 'seed (FastAPI, send awaited)'],
        series: [
          { name: 'throughput (median)', values: sat.map((s) => numberAt(s.data, ['acceptedPerSecond'])) },
        ],
      }),
    });
  }
  const points = openLoop(summary);
  if (points.length > 0) {
    lines.push(
      '',
      '**Fixed arrival rates** (open loop; latency from the scheduled send time):',
      '',
      ...table(
        ['Target', 'Arrival rate (req/s)', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'Non-2xx by status'],
        points.map((p) => [
          p.target,
          p.rate,
          latency(p.data, 'p50'),
          latency(p.data, 'p95'),
          latency(p.data, 'p99'),
          errors(p.data),
        ]),
      ),
    );
    charts.push({
      file: 'e2e-latency.svg',
      alt: 'End-to-end latency percentiles at each arrival rate',
      svg: barChart({
        title: 'End-to-end latency at fixed arrival rates (open loop)',
        yLabel: 'ms',
        xLabel: 'target @ arrival rate (req/s)',
        groups: points.map((p) => `${p.target} @ ${p.rate === null ? '?' : cell(p.rate)}`),
        series: [
          { name: 'p50', values: points.map((p) => latency(p.data, 'p50')) },
          { name: 'p95', values: points.map((p) => latency(p.data, 'p95')) },
          { name: 'p99', values: points.map((p) => latency(p.data, 'p99')) },
        ],
      }),
    });
  }
  const verification = isRecord(summary.verification) ? summary.verification : undefined;
  if (verification !== undefined) {
    lines.push(
      '',
      '**Read back from the topic** (every 202’s correlationId looked up among the records):',
      '',
      ...table(
        ['Target', 'Accepted (202)', 'Records on topic', 'Found', '**Missing**', 'Duplicates'],
        TARGETS.filter((t) => isRecord(verification[t])).map((t) => {
          const v = verification[t];
          return [
            t,
            numberAt(v, ['accepted']),
            numberAt(v, ['topicRecords']),
            numberAt(v, ['found']),
            numberAt(v, ['missing']),
            numberAt(v, ['duplicates']),
          ];
        }),
      ),
    );
  }
  return { lines, charts };
}
