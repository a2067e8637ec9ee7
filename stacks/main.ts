/**
 * `npm run synth` / `cdktf synth` entry point: writes cdktf.out/stacks/<stack>/cdk.tf.json for every
 * stack of stacks/app.ts, prints the warnings the constructs recorded (unless cdktf-cli does) and
 * then one line naming the stacks (stacks/synth-summary.ts).
 */
import { createApp } from './app';
import { formatAnnotations, readManifest, readSynthSummary } from './synth-summary';

const app = createApp();
app.synth();
// cdktf-cli sets this variable when it runs the app, and prints the annotations itself
// (@cdktf/cli-core synth-stack: "we want to display the errors ourselves").
if (process.env['CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS'] !== 'true') {
  for (const line of formatAnnotations(readManifest(app.outdir))) process.stderr.write(`${line}\n`);
}
process.stdout.write(`${readSynthSummary(app.outdir)}\n`);
