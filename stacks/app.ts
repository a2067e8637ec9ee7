/**
 * Builds the cdktf App with one `WebhooksStack` per environment (`dev`, `staging`, `prod`).
 * Deterministic: no environment variables, clocks or random values feed the stacks.
 */
import { App } from 'cdktf';
import { environments, type EnvironmentConfig } from './config';
import { WebhooksStack } from './webhooks-stack';

export interface CreateAppOptions {
  /** @default - `CDKTF_OUTDIR` (set by cdktf-cli) or `cdktf.out` */
  readonly outdir?: string;
  /** @default - dev, staging and prod from `config.ts` */
  readonly environments?: readonly EnvironmentConfig[];
}

export function createApp(options: CreateAppOptions = {}): App {
  const app = new App(options.outdir === undefined ? {} : { outdir: options.outdir });
  for (const config of options.environments ?? Object.values(environments)) {
    new WebhooksStack(app, config.name, { config });
  }
  return app;
}
