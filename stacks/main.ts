/** `npm run synth` / `cdktf synth` entry point: writes cdktf.out/stacks/{dev,staging,prod}/cdk.tf.json. */
import { createApp } from './app';

createApp().synth();
