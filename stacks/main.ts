/**
 * `npm run synth` / `cdktf synth` entry point: writes cdktf.out/stacks/<stack>/cdk.tf.json for every
 * stack of stacks/app.ts, then prints one line naming them (stacks/synth-summary.ts).
 */
import { createApp } from './app';
import { readSynthSummary } from './synth-summary';

const app = createApp();
app.synth();
process.stdout.write(`${readSynthSummary(app.outdir)}\n`);
