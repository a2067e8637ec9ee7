/**
 * `npm run bench:synth [-- rounds]` (default 7): wall time and peak RSS of the README's command
 * `npm run synth` — spawned whole: npm, the shell, esbuild bundling stacks/main.ts, then node running
 * the bundle and writing all 7 stacks — and of `node .tmp/synth.cjs` (the bundle alone), against the
 * floor `node -e "require('cdktf')"`, in one run, interleaved, several rounds.
 *
 * Every case runs under GNU time (Debian package `time`): its `%M` is the ru_maxrss wait4 reports
 * for the child, which Linux takes as the maximum over the child and every descendant it waited for,
 * so it is the peak RSS of any process of the command's tree. Node cannot read RUSAGE_CHILDREN itself.
 *
 * Targets (issue 12): median `npm run synth` wall time <= 4x the floor's; peak RSS of any process of
 * it <= 150 MiB.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, packageVersion, ROOT, round, writeResult } from '../lib/results';

const GNU_TIME = '/usr/bin/time';
const RATIO_MAX = 4;
const RSS_MAX_MIB = 150;
const STACKS = 7;
const BUNDLE = join('.tmp', 'synth.cjs');

type CaseName = 'floor' | 'synth' | 'bundle';
interface Case {
  readonly name: CaseName;
  /** How the case is shown in the results. */
  readonly label: string;
  readonly argv: readonly [string, ...string[]];
  /** Whether it writes the stacks (its output directory is then checked). */
  readonly synthesizes: boolean;
}
interface Sample {
  readonly ms: number;
  readonly rssMiB: number;
}

const CASES: readonly Case[] = [
  {
    name: 'floor',
    label: `node -e "require('cdktf')"`,
    argv: ['node', '-e', "require('cdktf')"],
    synthesizes: false,
  },
  { name: 'synth', label: 'npm run synth', argv: ['npm', 'run', 'synth'], synthesizes: true },
  { name: 'bundle', label: `node ${BUNDLE}`, argv: ['node', BUNDLE], synthesizes: true },
];

/** Runs one case under GNU time in `root` with the stacks going to `outdir`; wall time and tree peak RSS. */
function runOnce(root: string, c: Case, outdir: string): Sample {
  const rssFile = join(outdir, '..', `${c.name}.rss`);
  const start = process.hrtime.bigint();
  const child = spawnSync(GNU_TIME, ['-f', '%M', '-o', rssFile, ...c.argv], {
    cwd: root,
    env: { ...process.env, CDKTF_OUTDIR: outdir },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.error !== undefined) throw child.error;
  if (child.status !== 0) throw new Error(`${c.label} exited ${child.status}: ${child.stderr}`);
  if (c.synthesizes) checkWritten(c, child.stdout, outdir);
  const kib = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
  if (!Number.isFinite(kib)) throw new Error(`${GNU_TIME} wrote no peak RSS for ${c.label}`);
  return { ms, rssMiB: kib / 1024 };
}

/** A synth counts only when it wrote every stack and ended with the line naming them. */
function checkWritten(c: Case, stdout: string, outdir: string): void {
  const last = stdout.trimEnd().split('\n').pop() ?? '';
  const written = existsSync(join(outdir, 'stacks')) ? readdirSync(join(outdir, 'stacks')) : [];
  if (!last.startsWith(`synthesized ${STACKS} stacks into `) || written.length !== STACKS) {
    throw new Error(`${c.label} wrote ${written.length} stacks and ended with: ${last}`);
  }
}

function main(): void {
  const rounds = Number(process.argv[2] ?? 7);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`rounds must be a positive integer: ${process.argv[2]}`);
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} missing: install GNU time (apt-get install time)`);

  const startedAt = new Date().toISOString();
  const loadAtStart = round(loadavg()[0] ?? Number.NaN);
  const samples: Record<CaseName, Sample[]> = { floor: [], synth: [], bundle: [] };
  const work = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  let runs = 0;
  const outdir = (): string => join(work, `out-${(runs += 1)}`);
  try {
    // `npm run synth` first: it writes the bundle the `bundle` case runs; it also warms the file cache.
    for (const c of CASES) runOnce(ROOT, c, outdir());
    for (let i = 0; i < rounds; i += 1) {
      // Rotate the order each round so no case always runs right after another.
      for (let k = 0; k < CASES.length; k += 1) {
        const c = CASES[(i + k) % CASES.length] as Case;
        samples[c.name].push(runOnce(ROOT, c, outdir()));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const summarize = (xs: readonly Sample[]) => ({
    medianMs: Math.round(median(xs.map((s) => s.ms))),
    minMs: Math.round(Math.min(...xs.map((s) => s.ms))),
    peakRssMiB: round(Math.max(...xs.map((s) => s.rssMiB)), 1),
  });
  const floor = summarize(samples.floor);
  const synth = summarize(samples.synth);
  const bundle = summarize(samples.bundle);
  const ratio = round(synth.medianMs / floor.medianMs);
  const bundleRatio = round(bundle.medianMs / floor.medianMs);
  const targets = [
    {
      label: '`npm run synth` median wall time / floor median',
      value: ratio,
      limit: `<= ${RATIO_MAX}`,
      met: ratio <= RATIO_MAX,
    },
    {
      label: '`npm run synth` peak RSS of any process (MiB)',
      value: synth.peakRssMiB,
      limit: `<= ${RSS_MAX_MIB}`,
      met: synth.peakRssMiB <= RSS_MAX_MIB,
    },
  ];
  writeResult('synth', {
    command: `npm run bench:synth${process.argv[2] === undefined ? '' : ` -- ${rounds}`}`,
    startedAt,
    versions: {
      node: process.version,
      npm: /^npm\/(\S+)/.exec(process.env.npm_config_user_agent ?? '')?.[1] ?? null,
      esbuild: packageVersion('esbuild'),
      cdktf: packageVersion('cdktf'),
      '@cdktf/provider-azurerm': packageVersion('@cdktf/provider-azurerm'),
      constructs: packageVersion('constructs'),
    },
    parameters: {
      rounds,
      stacks: STACKS,
      ...Object.fromEntries(CASES.map((c) => [c.name, c.label])),
      peakRss: `${GNU_TIME} -f %M: the largest ru_maxrss of the process and its descendants`,
      // The machine may be shared: wall times stretch with its load, the ratio much less.
      loadAverage1m: { atStart: loadAtStart, atEnd: round(loadavg()[0] ?? Number.NaN) },
    },
    runs: CASES.flatMap((c) =>
      samples[c.name].map((s, i) => ({
        round: i + 1,
        case: c.name,
        ms: Math.round(s.ms),
        rssMiB: round(s.rssMiB, 1),
      })),
    ),
    summary: { floor, synth, bundle, ratio, bundleRatio },
    targets,
  });
  const pass = targets.every((t) => t.met);
  process.stdout.write(
    `floor   require('cdktf'):  median ${floor.medianMs} ms, peak RSS ${floor.peakRssMiB} MiB\n` +
      `synth   npm run synth:     median ${synth.medianMs} ms, peak RSS ${synth.peakRssMiB} MiB (any process)\n` +
      `bundle  node ${BUNDLE}: median ${bundle.medianMs} ms, peak RSS ${bundle.peakRssMiB} MiB\n` +
      `ratio ${ratio}x (target <= ${RATIO_MAX}x; bundle alone ${bundleRatio}x), ` +
      `RSS target <= ${RSS_MAX_MIB} MiB: ${pass ? 'PASS' : 'FAIL'}\n`,
  );
  process.exitCode = pass ? 0 : 1;
}

try {
  main();
} catch (error: unknown) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
