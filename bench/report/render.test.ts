/**
 * The report generator against fixture results (./fixtures/*.json): tables and charts carry the
 * input numbers, missing measures say "not run", and the CLI writes (and prunes) the files.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResults, writeReport } from './cli';
import { renderReport } from './render';
import { barChart, niceMax } from './svg';
import type { Chart } from './types';

const FIXTURES = join(__dirname, 'fixtures');
const all = readResults(FIXTURES);

function chart(charts: Chart[], file: string): string {
  const found = charts.find((c) => c.file === file);
  if (found === undefined) throw new Error(`chart ${file} not produced`);
  return found.svg;
}

/** [series, group, value, height] of every bar of an SVG from ./svg.ts. */
function bars(svg: string): Array<{ series: string; group: string; value: number; height: number }> {
  const re =
    /<rect [^>]*height="([\d.]+)"[^>]*data-series="([^"]*)" data-group="([^"]*)" data-value="([^"]*)"/g;
  return [...svg.matchAll(re)].map((m) => ({
    height: Number(m[1]),
    series: m[2] ?? '',
    group: m[3] ?? '',
    value: Number(m[4]),
  }));
}

describe('renderReport with every measure present', () => {
  const report = renderReport(all);
  const md = report.markdown;

  it('states the machine and each measure’s command and versions', () => {
    expect(md).toContain('| Fixture CPU 9000 | 2 | 24 | linux fixture | v20.0.0 |');
    expect(md).toContain('Command: `npm run bench:synth`');
    expect(md).toContain('Versions: node v20.0.0, cdktf 0.21.0.');
    expect(md).toContain('Versions: nginx not recorded, seed (fastapi 0.0.0-fixture, uvicorn 0.1).');
  });

  it('quotes the headline ratios and loss counts', () => {
    expect(md).toContain(
      'ours ÷ the seed’s FastAPI throughput: **9.02×** (target ≥ 5×); our p99 at half our peak: **14.5 ms**',
    );
    expect(md).toContain('Accepted (202) but missing from the broker: **0** (e2e 0, fault a 0).');
    expect(md).toContain(
      '**120 messages per broker round trip** at 200 in-flight publishes, 8× the throughput',
    );
  });

  it('puts the input numbers in the tables (synth, http, service bus, e2e)', () => {
    expect(md).toContain('| `npm run synth`: esbuild + node, 7 stacks | 728 | 700 | 119.3 |');
    expect(md).toContain('| `node .tmp/synth.cjs`: the bundle alone | 540 | 520 | 118.1 |');
    expect(md).toContain('Ratio `npm run synth` / floor (medians): **2.34×** (the bundle alone: 1.74×).');
    expect(md).toContain('| webhook runtime (Hono) | 12,345 | 9 | 77 |');
    expect(md).toContain('| raw node:http floor | 14,321 | 7 | 66 |');
    expect(md).toContain('| 200 | 120 | 1 | 6,400 | 800 | 8× | 31 / 47 | 250 / 300 |');
    expect(md).toContain('Batched is slower than one message per send at 1 in flight');
    expect(md).toContain('| seed | 610 | 70 | 120 | 180 | 502: 3 |');
    expect(md).toContain('| ours | 5,500 | 8 | 15 | 21 | none |');
    expect(md).toContain('| seed | 2,750 | 400 | 950 | 1,600 | 503: 12 |');
    expect(md).toContain('| seed | 7,200 | 7,201 | 7,200 | 0 | 1 |');
    expect(md).toContain('Throughput ratio ours / seed: **9.02×**');
    expect(md).toContain('| ours | 2,750 | 3.5 | 9 | 14.5 | none |');
  });

  it('renders every target with met / not met, in the summary and per measure', () => {
    expect(md).toContain('| http | runtime peak RSS under load (MiB) | 101.5 | <= 100 | ❌ not met |');
    expect(md).toContain('| servicebus | failed publishes (all runs) | 0 | = 0 | ✅ met |');
    expect(md).toContain('| throughput, runtime / raw node:http | 0.86 | >= 0.85 | ✅ met |');
    expect(md).not.toContain('not run');
  });

  it('puts every fault-injection count in a table', () => {
    expect(md).toContain(
      '| a. broker killed for 10 s | 6,000 | 5,400 | 5,400 | 0 | 0 / 2 | 17 | transport error: 13, 503: 587 | 10,432 |',
    );
    expect(md).toContain('| 49 | 45 | 4 | 0 | 1 / 4 |');
    expect(md).toContain('| truncated object | malformed-json | 400 | 400 | runtime | ✅ |');
    expect(md).toMatch(
      /schemathesis 4\.32\.5 against runtime\/openapi\.json: 4 operations, 78 test cases, 0 failures/,
    );
  });

  it('draws each chart from the input numbers, bar heights in proportion', () => {
    const batching = bars(chart(report.charts, 'servicebus-batching.svg'));
    expect(batching.filter((b) => b.series.startsWith('batched')).map((b) => [b.group, b.value])).toEqual([
      ['1', 1],
      ['10', 9.5],
      ['200', 120],
    ]);
    const b200 = batching.find((b) => b.group === '200' && b.series.startsWith('batched'));
    const b10 = batching.find((b) => b.group === '10' && b.series.startsWith('batched'));
    expect((b200?.height ?? 0) / (b10?.height ?? 1)).toBeCloseTo(120 / 9.5, 1);
    const e2e = bars(chart(report.charts, 'e2e-throughput.svg'));
    expect(e2e.map((b) => b.value)).toEqual([5500, 610]);
    const latency = bars(chart(report.charts, 'e2e-latency.svg'));
    expect(latency.filter((b) => b.series === 'p99').map((b) => b.value)).toEqual([14.5, 1600]);
    expect(chart(report.charts, 'http-throughput.svg')).toContain('>12,345</text>');
    for (const c of report.charts) expect(md).toContain(`](benchmarks/${c.file})`);
  });
});

describe('renderReport with measures missing', () => {
  const report = renderReport({ synth: all.synth });

  it('says "not run" for each missing measure, in the targets table and its section', () => {
    for (const [name, command] of [
      ['http', 'npm run bench:http'],
      ['e2e', 'npm run bench:e2e'],
      ['servicebus', 'npm run bench:servicebus'],
      ['faults', 'npm run faults'],
    ]) {
      expect(report.markdown).toContain(`| ${name} | not run | — | — | not run (\`${command}\`) |`);
      expect(report.markdown).toContain(
        `**Not run**: bench/results/${name}.json is missing. Run \`${command}\`.`,
      );
    }
  });

  it('says "not run" in the headline for what is missing', () => {
    expect(report.markdown).toContain('- End to end, ours ÷ seed throughput: not run.');
    expect(report.markdown).toContain('- Accepted (202) but missing from the broker: not run.');
    expect(report.markdown).toContain('- Service Bus batching: not run.');
  });

  it('draws no chart for a missing measure and invents no figure', () => {
    expect(report.charts.map((c) => c.file)).toEqual(['synth-wall-time.svg']);
    expect(report.markdown).not.toContain('12,345');
    expect(report.markdown).not.toMatch(/servicebus-.*\.svg/);
  });
});

describe('short runs', () => {
  it('flags a measure run with fewer than 3 rounds, and only that one', () => {
    const short = { ...all.synth, name: 'synth', parameters: { rounds: 1 } };
    const report = renderReport({ synth: short, http: all.http });
    expect(report.markdown).toContain('⚠️ **Short run** (1 round, fewer than 3)');
    expect(report.markdown.match(/Short run/g)).toHaveLength(1);
  });
});

describe('summaries the report cannot read', () => {
  it('invents no figure and no chart for an e2e summary of another shape', () => {
    const report = renderReport({ e2e: { name: 'e2e', summary: { odd: { shape: 42.5 } }, targets: [] } });
    expect(report.markdown).not.toContain('42.5');
    expect(report.charts).toEqual([]);
  });
});

describe('barChart', () => {
  it('escapes text and marks an unmeasured value n/a', () => {
    const svg = barChart({
      title: 'a <b> & "c"',
      yLabel: 'ms',
      xLabel: 'x',
      groups: ['g<1>'],
      series: [{ name: 's', values: [null] }],
    });
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(svg).toContain('>g&lt;1&gt;</text>');
    expect(svg).toContain('>n/a</text>');
    expect(svg).not.toContain('data-value');
  });

  it('picks a round axis top at or above the tallest bar', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(130)).toBe(200);
    expect(niceMax(2100)).toBe(2500);
  });
});

describe('writeReport (the CLI)', () => {
  it('writes docs/benchmarks.md and the charts, and removes charts of a previous run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    try {
      const results = join(dir, 'results');
      const docs = join(dir, 'docs');
      mkdirSync(results);
      mkdirSync(join(docs, 'benchmarks'), { recursive: true });
      writeFileSync(join(docs, 'benchmarks', 'stale.svg'), '<svg/>');
      writeFileSync(join(results, 'servicebus.json'), readFileSync(join(FIXTURES, 'servicebus.json')));
      writeReport(results, docs);
      expect(readdirSync(join(docs, 'benchmarks')).sort()).toEqual([
        'servicebus-batching.svg',
        'servicebus-latency.svg',
        'servicebus-throughput.svg',
      ]);
      expect(readFileSync(join(docs, 'benchmarks.md'), 'utf8')).toContain(
        '**Not run**: bench/results/e2e.json',
      );
      expect(existsSync(join(docs, 'benchmarks', 'stale.svg'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
