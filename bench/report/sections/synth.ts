/** bench:synth — `npm run synth` (all stacks, transpile included) against the `require('cdktf')` floor. */
import { isRecord, numberAt, table } from '../markdown';
import { barChart } from '../svg';
import type { ResultDoc, Section } from '../types';

export function synthSection(doc: ResultDoc): Section {
  const s = doc.summary ?? {};
  const cases = [
    { key: 'floor', label: 'floor: `require("cdktf")`', short: 'floor: require("cdktf")' },
    { key: 'synth', label: '`npm run synth`: esbuild + node, 7 stacks', short: 'npm run synth' },
    { key: 'bundle', label: '`node .tmp/synth.cjs`: the bundle alone', short: 'bundle alone' },
  ].filter((c) => isRecord(s[c.key]));
  const lines = table(
    ['Case', 'Median wall time (ms)', 'Fastest (ms)', 'Peak RSS (MiB)'],
    cases.map((c) => [
      c.label,
      numberAt(s[c.key], ['medianMs']),
      numberAt(s[c.key], ['minMs']),
      numberAt(s[c.key], ['peakRssMiB']),
    ]),
  );
  const bundleRatio = numberAt(s, ['bundleRatio']);
  lines.push(
    '',
    `Ratio \`npm run synth\` / floor (medians): **${numberAt(s, ['ratio']) ?? 'n/a'}×**` +
      (bundleRatio === null ? '.' : ` (the bundle alone: ${bundleRatio}×).`),
    'Peak RSS is the largest of any process the command started (npm, the shell, esbuild, node).',
  );
  if (!isRecord(s.floor) || !isRecord(s.synth)) return { lines, charts: [] };
  const svg = barChart({
    title: 'Synth wall time, median',
    yLabel: 'ms',
    xLabel: 'case',
    groups: cases.map((c) => c.short),
    series: [{ name: 'median wall time', values: cases.map((c) => numberAt(s[c.key], ['medianMs'])) }],
  });
  return {
    lines,
    charts: [{ file: 'synth-wall-time.svg', alt: 'Synth wall time vs the require floor', svg }],
  };
}
