/** bench:http — the runtime against a raw node:http server, same run, alternating. */
import { isRecord, numberAt, table } from '../markdown';
import { barChart } from '../svg';
import type { ResultDoc, Section } from '../types';

export function httpSection(doc: ResultDoc): Section {
  const s = doc.summary ?? {};
  const runtimeRps = numberAt(s, ['runtimeRpsMedian']);
  const rawRps = numberAt(s, ['rawRpsMedian']);
  const cpu = isRecord(s.cpuUsPerRequest) ? s.cpuUsPerRequest : {};
  const start = isRecord(s.startToReadyMs) ? s.startToReadyMs : {};
  const lines = table(
    ['Server', 'Throughput, median (req/s)', 'p99, median (ms)', 'CPU per request (µs)'],
    [
      ['webhook runtime (Hono)', runtimeRps, numberAt(s, ['runtimeP99MsMedian']), numberAt(cpu, ['runtime'])],
      ['raw node:http floor', rawRps, numberAt(s, ['rawP99MsMedian']), numberAt(cpu, ['raw'])],
    ],
  );
  lines.push(
    '',
    `Throughput ratio runtime / raw (means): **${numberAt(s, ['throughputRatio']) ?? 'n/a'}×**; ` +
      `CPU efficiency (raw µs/req ÷ runtime µs/req): ${numberAt(s, ['cpuEfficiencyRatio']) ?? 'n/a'}×; ` +
      `runtime peak RSS ${numberAt(s, ['runtimePeakRssMiB']) ?? 'n/a'} MiB; ` +
      `start-to-ready ${numberAt(start, ['medianWall']) ?? 'n/a'} ms (median wall); ` +
      `non-2xx ${numberAt(s, ['non2xx']) ?? 'n/a'}.`,
  );
  if (runtimeRps === null && rawRps === null) return { lines, charts: [] };
  const svg = barChart({
    title: 'HTTP throughput: runtime vs raw node:http floor (median)',
    yLabel: 'requests/s',
    xLabel: 'server (autocannon, loopback)',
    groups: ['webhook runtime', 'raw node:http'],
    series: [{ name: 'throughput', values: [runtimeRps, rawRps] }],
  });
  return {
    lines,
    charts: [{ file: 'http-throughput.svg', alt: 'HTTP throughput, runtime vs raw floor', svg }],
  };
}
