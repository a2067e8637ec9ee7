/**
 * `npm run bench:report`: reads bench/results/*.json, writes docs/benchmarks.md and the charts in
 * docs/benchmarks/ (SVG files of a previous run that this run does not produce are removed).
 * Usage: node .tmp/bench-report.cjs [resultsDir] [docsDir]  (defaults: bench/results, docs)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { CHART_DIR, renderReport } from './render';
import type { ResultDoc } from './types';

export function readResults(dir: string): Record<string, ResultDoc> {
  const docs: Record<string, ResultDoc> = {};
  if (!existsSync(dir)) return docs;
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json') || file.endsWith('.tmp.json')) continue;
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ResultDoc;
    docs[basename(file, '.json')] = doc;
  }
  return docs;
}

export function writeReport(resultsDir: string, docsDir: string): { markdown: string; charts: string[] } {
  const report = renderReport(readResults(resultsDir));
  const chartDir = join(docsDir, CHART_DIR);
  mkdirSync(chartDir, { recursive: true });
  const produced = new Set(report.charts.map((c) => c.file));
  for (const file of readdirSync(chartDir)) {
    if (file.endsWith('.svg') && !produced.has(file)) rmSync(join(chartDir, file));
  }
  for (const chart of report.charts) writeFileSync(join(chartDir, chart.file), chart.svg);
  const markdown = join(docsDir, 'benchmarks.md');
  writeFileSync(markdown, report.markdown);
  return { markdown, charts: report.charts.map((c) => join(chartDir, c.file)) };
}

if (require.main === module) {
  const resultsDir = resolve(process.argv[2] ?? join('bench', 'results'));
  const docsDir = resolve(process.argv[3] ?? 'docs');
  const written = writeReport(resultsDir, docsDir);
  process.stdout.write(`wrote ${written.markdown} and ${written.charts.length} charts\n`);
}
