#!/usr/bin/env node
// `npm run bench:synth`: wall time and peak RSS of synthesizing every stack (bootstrap and each environment's foundation and platform)
// (`node dist/stacks/main.js`, after `npm run build:lib`) against the floor
// `node -e "require('cdktf')"`, measured in the same run, interleaved, several rounds.
// Targets (issue 3): median synth wall time <= 3x the floor's, peak RSS <= 150 MiB.
// Usage: node bench/synth/run.mjs [rounds]   (default 7)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageVersion, writeResult } from '../lib/results.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const rounds = Number(process.argv[2] ?? 7);
const main = join(root, 'dist', 'stacks', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('dist/stacks/main.js missing: run `npm run build:lib` first\n');
  process.exit(1);
}

// Each child prints its own peak RSS (getrusage ru_maxrss, KiB on Linux) as it exits.
const report =
  "process.on('exit',()=>process.stderr.write('\\nMAXRSS '+process.resourceUsage().maxRSS+'\\n'));";
const cases = {
  floor: ['-e', `${report}require('cdktf')`],
  synth: ['-e', `${report}require(${JSON.stringify(main)})`],
};

function runOnce(args, outdir) {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, CDKTF_OUTDIR: outdir },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`${args.join(' ')} failed: ${child.stderr}`);
  const rss = /MAXRSS (\d+)/.exec(child.stderr);
  if (!rss) throw new Error('child did not report its peak RSS');
  return { ms, rssMiB: Number(rss[1]) / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const startedAt = new Date().toISOString();
const samples = { floor: [], synth: [] };
const work = mkdtempSync(join(tmpdir(), 'bench-synth-'));
try {
  runOnce(cases.synth, join(work, 'warmup')); // warm the file cache once
  for (let i = 0; i < rounds; i += 1) {
    for (const name of ['floor', 'synth']) {
      const outdir = join(work, `${name}-${i}`);
      mkdirSync(outdir);
      samples[name].push(runOnce(cases[name], outdir));
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const summary = {};
for (const name of ['floor', 'synth']) {
  summary[name] = {
    medianMs: Math.round(median(samples[name].map((s) => s.ms))),
    minMs: Math.round(Math.min(...samples[name].map((s) => s.ms))),
    peakRssMiB: Math.round(Math.max(...samples[name].map((s) => s.rssMiB)) * 10) / 10,
  };
}
const ratio = summary.synth.medianMs / summary.floor.medianMs;
const result = {
  rounds,
  node: process.version,
  ...summary,
  ratio: Math.round(ratio * 100) / 100,
  targets: { ratioMax: 3, rssMaxMiB: 150 },
  pass: ratio <= 3 && summary.synth.peakRssMiB <= 150,
};
writeResult('synth', {
  command: `npm run bench:synth${process.argv[2] === undefined ? '' : ` -- ${rounds}`}`,
  startedAt,
  versions: {
    node: process.version,
    cdktf: packageVersion('cdktf'),
    '@cdktf/provider-azurerm': packageVersion('@cdktf/provider-azurerm'),
    constructs: packageVersion('constructs'),
  },
  parameters: {
    rounds,
    floor: 'node -e "require(\'cdktf\')"',
    synth: 'node dist/stacks/main.js (all 7 stacks)',
  },
  runs: ['floor', 'synth'].flatMap((name) =>
    samples[name].map((s, i) => ({
      round: i + 1,
      case: name,
      ms: Math.round(s.ms),
      rssMiB: Math.round(s.rssMiB * 10) / 10,
    })),
  ),
  summary: { floor: summary.floor, synth: summary.synth, ratio: result.ratio },
  targets: [
    { label: 'synth median wall time / floor median', value: result.ratio, limit: '<= 3', met: ratio <= 3 },
    {
      label: 'synth peak RSS (MiB)',
      value: summary.synth.peakRssMiB,
      limit: '<= 150',
      met: summary.synth.peakRssMiB <= 150,
    },
  ],
});
process.stdout.write(
  `floor  require('cdktf'): median ${summary.floor.medianMs} ms, peak RSS ${summary.floor.peakRssMiB} MiB\n` +
    `synth  all 7 stacks: median ${summary.synth.medianMs} ms, peak RSS ${summary.synth.peakRssMiB} MiB\n` +
    `ratio ${result.ratio}x (target <= 3x), RSS target <= 150 MiB: ${result.pass ? 'PASS' : 'FAIL'}\n`,
);
process.exitCode = result.pass ? 0 : 1;
