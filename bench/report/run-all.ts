/**
 * `npm run bench`: every benchmark in turn, then the report. A failing measure (a target not met,
 * or a crash) does not stop the others, the report is still written, and the exit code is 1.
 * Fault injection is separate (`npm run faults`, then `npm run bench:report`).
 */
import { spawnSync } from 'node:child_process';
import { ROOT } from '../lib/results';

const MEASURES = ['bench:synth', 'bench:http', 'bench:e2e', 'bench:servicebus', 'bench:report'];

const outcome: Array<[string, string]> = [];
for (const name of MEASURES) {
  process.stdout.write(`\n=== npm run ${name}\n`);
  const run = spawnSync('npm', ['run', name], { cwd: ROOT, stdio: 'inherit' });
  outcome.push([name, run.status === 0 ? 'ok' : `exit ${run.status ?? run.signal}`]);
}
process.stdout.write(`\n${outcome.map(([n, o]) => `${n.padEnd(18)} ${o}`).join('\n')}\n`);
process.exitCode = outcome.every(([, o]) => o === 'ok') ? 0 : 1;
