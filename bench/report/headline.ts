/** The few figures a reader asks for first, each from its measure's summary, or "not run". */
import { cell, isRecord, numberAt } from './markdown';
import type { ResultDoc } from './types';

type Docs = Readonly<Record<string, ResultDoc | undefined>>;

const NOT_RUN = 'not run';

function e2e(doc: ResultDoc | undefined): string[] {
  if (doc === undefined) return [`End to end, ours ÷ seed throughput: ${NOT_RUN}.`];
  const s = doc.summary ?? {};
  const half = Array.isArray(s.openLoop)
    ? s.openLoop.filter(isRecord).find((o) => numberAt(o, ['fractionOfOurPeak']) === 0.5)
    : undefined;
  const ours = half !== undefined && isRecord(half.ours) ? half.ours : undefined;
  const p99 = ours !== undefined && isRecord(ours.latencyMs) ? numberAt(ours.latencyMs, ['p99']) : null;
  return [
    `End to end (NGINX → 2 workers → Kafka acks=all), ours ÷ the seed’s FastAPI throughput: ` +
      `**${cell(numberAt(s, ['throughputRatio']))}×** (target ≥ 5×); our p99 at half our peak: ` +
      `**${cell(p99)} ms** (target ≤ 25 ms).`,
  ];
}

function lost(docs: Docs): string {
  const parts: string[] = [];
  let total = 0;
  const v = docs.e2e?.summary?.verification;
  if (isRecord(v)) {
    const n = Object.values(v).reduce<number>((sum, t) => sum + (numberAt(t, ['missing']) ?? 0), 0);
    total += n;
    parts.push(`e2e ${n}`);
  }
  const load = docs.faults?.summary?.load;
  if (Array.isArray(load)) {
    for (const row of load.filter(isRecord)) {
      const n = numberAt(row, ['missing']) ?? 0;
      total += n;
      parts.push(`fault ${cell(row.scenario)} ${n}`);
    }
  }
  if (parts.length === 0) return `Accepted (202) but missing from the broker: ${NOT_RUN}.`;
  return `Accepted (202) but missing from the broker: **${total}** (${parts.join(', ')}).`;
}

function serviceBus(doc: ResultDoc | undefined): string {
  const rows = Array.isArray(doc?.summary?.byConcurrency) ? doc.summary.byConcurrency.filter(isRecord) : [];
  const top = rows[rows.length - 1];
  if (top === undefined) return `Service Bus batching: ${NOT_RUN}.`;
  const batched = isRecord(top.batched) ? top.batched : {};
  return (
    `Service Bus (AMQP test peer): **${cell(numberAt(batched, ['messagesPerRoundTrip']))} messages per broker ` +
    `round trip** at ${cell(top.concurrency)} in-flight publishes, ${cell(numberAt(top, ['throughputRatio']))}× the ` +
    `throughput of one message per send.`
  );
}

export function headline(docs: Docs): string[] {
  const http = docs.http?.summary;
  const synth = docs.synth?.summary;
  return [
    ...e2e(docs.e2e),
    lost(docs),
    serviceBus(docs.servicebus),
    http === undefined
      ? `HTTP path, runtime ÷ raw node:http: ${NOT_RUN}.`
      : `HTTP path, runtime ÷ raw node:http throughput: ${cell(numberAt(http, ['throughputRatio']))}× (target ≥ 0.85×).`,
    synth === undefined
      ? `Synth ÷ require('cdktf'): ${NOT_RUN}.`
      : `\`npm run synth\` (all stacks) ÷ require('cdktf'): ${cell(numberAt(synth, ['ratio']))}× (target ≤ 4×).`,
  ].map((line) => `- ${line}`);
}
