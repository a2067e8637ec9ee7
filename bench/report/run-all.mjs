#!/usr/bin/env node
// `npm run bench`: every benchmark in turn, then the report. A measure whose npm script does not
// exist (yet) is skipped and shows as "not run"; a failing measure (a target not met, or a crash)
// does not stop the others, the report is still written, and the exit code is 1.
// Fault injection is separate (`npm run faults`, then `npm run bench:report`).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/results.mjs';

const MEASURES = ['bench:synth', 'bench:http', 'bench:e2e', 'bench:servicebus'];
const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts ?? {};
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const outcome = [];
for (const name of MEASURES) {
  if (scripts[name] === undefined) {
    outcome.push([name, 'skipped (no such npm script)']);
    continue;
  }
  process.stdout.write(`\n=== npm run ${name}\n`);
  const run = spawnSync(npm, ['run', name], { cwd: ROOT, stdio: 'inherit' });
  outcome.push([name, run.status === 0 ? 'ok' : `exit ${run.status ?? run.signal}`]);
}
process.stdout.write('\n=== npm run bench:report\n');
const report = spawnSync(npm, ['run', 'bench:report'], { cwd: ROOT, stdio: 'inherit' });
outcome.push(['bench:report', report.status === 0 ? 'ok' : `exit ${report.status ?? report.signal}`]);
process.stdout.write(`\n${outcome.map(([n, o]) => `${n.padEnd(18)} ${o}`).join('\n')}\n`);
process.exitCode = outcome.every(([, o]) => o === 'ok' || o.startsWith('skipped')) ? 0 : 1;
