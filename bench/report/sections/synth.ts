/** bench:synth — synth of all stacks against the `require('cdktf')` floor. */
import { isRecord, numberAt, table } from '../markdown';
import { barChart } from '../svg';
import type { ResultDoc, Section } from '../types';

export function synthSection(doc: ResultDoc): Section {
  const s = doc.summary ?? {};
  const floor = s.floor;
  const synth = s.synth;
  const lines = table(
    ['Case', 'Median wall time (ms)', 'Fastest (ms)', 'Peak RSS (MiB)'],
    [
      [
        'floor: `require("cdktf")`',
        numberAt(floor, ['medianMs']),
        numberAt(floor, ['minMs']),
        numberAt(floor, ['peakRssMiB']),
      ],
      [
        'synth: dev + staging + prod',
        numberAt(synth, ['medianMs']),
        numberAt(synth, ['minMs']),
        numberAt(synth, ['peakRssMiB']),
      ],
    ],
  );
  lines.push('', `Ratio synth / floor (medians): **${numberAt(s, ['ratio']) ?? 'n/a'}×**.`);
  if (!isRecord(floor) || !isRecord(synth)) return { lines, charts: [] };
  const svg = barChart({
    title: 'Synth wall time, median',
    yLabel: 'ms',
    xLabel: 'case',
    groups: ['floor: require("cdktf")', 'synth: 3 stacks'],
    series: [
      { name: 'median wall time', values: [numberAt(floor, ['medianMs']), numberAt(synth, ['medianMs'])] },
    ],
  });
  return {
    lines,
    charts: [{ file: 'synth-wall-time.svg', alt: 'Synth wall time vs the require floor', svg }],
  };
}
