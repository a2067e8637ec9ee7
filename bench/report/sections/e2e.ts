/**
 * bench:e2e — NGINX → two runtimes → Kafka (acks=all), ours beside the seed's FastAPI app.
 * Reads the summary tolerantly (a few key spellings) because bench/e2e is written in parallel; a
 * summary it cannot read is shown as a flat list of its numbers, never dropped or invented.
 */
import { cell, flattenNumbers, isRecord, numberAt, table } from '../markdown';
import { barChart } from '../svg';
import type { Chart, ResultDoc, Section } from '../types';

const TARGETS = ['ours', 'seed'] as const;
const RPS = [
  'acceptedPerSecond',
  'rps',
  'rpsMedian',
  'medianRps',
  'throughput',
  'throughputRps',
  'requestsPerSecond',
  'reqPerSec',
];
const P50 = ['p50Ms', 'p50', 'latencyP50Ms', 'p50MsMedian', 'medianP50Ms'];
const P95 = ['p95Ms', 'p95', 'latencyP95Ms', 'p95MsMedian', 'medianP95Ms'];
const P99 = ['p99Ms', 'p99', 'latencyP99Ms', 'p99MsMedian', 'medianP99Ms'];
const RATE_KEYS = ['targetRate', 'ratePerSecond', 'rate', 'arrivalRate', 'offeredRps', 'targetRps'];
const ERRORS = ['byStatus', 'errorsByStatus', 'nonAcceptedByStatus', 'non2xxByStatus', 'errors'];

/** A latency percentile: `latencyMs.p99` (bench/e2e) or a flat key. */
function latency(data: unknown, flat: readonly string[], nested: 'p50' | 'p95' | 'p99'): number | null {
  if (isRecord(data) && isRecord(data.latencyMs)) {
    const v = numberAt(data.latencyMs, [nested]);
    if (v !== null) return v;
  }
  return numberAt(data, flat);
}

interface Point {
  readonly target: string;
  readonly rate: number | null;
  readonly data: Record<string, unknown>;
}

function saturation(summary: Record<string, unknown>, target: string): Record<string, unknown> | undefined {
  const sat = summary.saturation;
  if (isRecord(sat) && isRecord(sat[target])) return sat[target];
  const t = summary[target];
  if (isRecord(t) && isRecord(t.saturation)) return t.saturation;
  return undefined;
}

function openLoop(summary: Record<string, unknown>): Point[] {
  const raw = summary.openLoop ?? summary.fixedRates ?? summary.rates;
  const points: Point[] = [];
  if (Array.isArray(raw)) {
    for (const p of raw.filter(isRecord)) {
      const perTarget = TARGETS.filter((t) => isRecord(p[t]));
      if (perTarget.length === 0) {
        points.push({ target: String(p.target ?? '?'), rate: numberAt(p, RATE_KEYS), data: p });
      }
      for (const t of perTarget) {
        const data = p[t] as Record<string, unknown>;
        points.push({ target: t, rate: numberAt(data, RATE_KEYS) ?? numberAt(p, RATE_KEYS), data });
      }
    }
  } else if (isRecord(raw)) {
    for (const [target, list] of Object.entries(raw)) {
      if (!Array.isArray(list)) continue;
      for (const p of list.filter(isRecord)) points.push({ target, rate: numberAt(p, RATE_KEYS), data: p });
    }
  }
  return points;
}

function errors(data: Record<string, unknown>): string {
  for (const key of ERRORS) {
    const v = data[key];
    if (typeof v === 'number') return cell(v);
    if (isRecord(v)) {
      const parts = Object.entries(v).filter(
        ([s, n]) => !s.startsWith('2') && typeof n === 'number' && n > 0,
      );
      return parts.length === 0 ? 'none' : parts.map(([s, n]) => `${s}: ${cell(n)}`).join(', ');
    }
  }
  return '—';
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
          numberAt(s.data, RPS),
          latency(s.data, P50, 'p50'),
          latency(s.data, P95, 'p95'),
          latency(s.data, P99, 'p99'),
          s.data === undefined ? '—' : errors(s.data),
        ]),
      ),
      '',
      `Throughput ratio ours / seed: **${cell(numberAt(summary, ['throughputRatio', 'oursOverSeed']))}×**.`,
    );
    charts.push({
      file: 'e2e-throughput.svg',
      alt: 'End-to-end throughput at saturation, ours vs the seed',
      svg: barChart({
        title: 'End to end at saturation: NGINX → 2 workers → Kafka acks=all',
        yLabel: 'accepted webhooks/s',
        xLabel: 'ingestion path (same NGINX, same broker, same load)',
        groups: ['ours (Hono runtimes)', 'seed (FastAPI, send awaited)'],
        series: [{ name: 'throughput (median)', values: sat.map((s) => numberAt(s.data, RPS)) }],
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
          latency(p.data, P50, 'p50'),
          latency(p.data, P95, 'p95'),
          latency(p.data, P99, 'p99'),
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
          { name: 'p50', values: points.map((p) => latency(p.data, P50, 'p50')) },
          { name: 'p95', values: points.map((p) => latency(p.data, P95, 'p95')) },
          { name: 'p99', values: points.map((p) => latency(p.data, P99, 'p99')) },
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
  if (lines.length === 0) {
    const flat = flattenNumbers(summary);
    lines.push(
      'The summary has no shape this report reads (`saturation.{ours,seed}`, `openLoop[]`); its figures as recorded:',
      '',
      ...table(['Figure', 'Value'], flat.slice(0, 80)),
    );
  }
  return { lines, charts };
}
