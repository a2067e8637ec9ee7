/**
 * Builds the cdktf App with one `WebhooksStack` per environment (`dev`, `staging`, `prod`).
 * Deterministic: no clocks or random values feed the stacks. The one input from outside is cdktf
 * context (`CDKTF_CONTEXT_JSON`, `cdktf.json` or `options.context`): `imageTag`, which the release
 * pipeline sets to the tag it pushed, so the synthesized files name that run's images.
 */
import { App } from 'cdktf';
import { environments, type EnvironmentConfig } from './config';
import { WebhooksStack } from './webhooks-stack';

/** Context key read for the image tag of `webhook-runtime` and `webhook-nginx`. */
export const IMAGE_TAG_CONTEXT_KEY = 'imageTag';

/** Docker's rule for a tag: up to 128 characters of `[A-Za-z0-9_.-]`, not starting with `.` or `-`. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface CreateAppOptions {
  /** @default - `CDKTF_OUTDIR` (set by cdktf-cli) or `cdktf.out` */
  readonly outdir?: string;
  /** @default - dev, staging and prod from `config.ts` */
  readonly environments?: readonly EnvironmentConfig[];
  /** cdktf context, merged under `CDKTF_CONTEXT_JSON`. @default - none */
  readonly context?: Record<string, unknown>;
}

/** The `imageTag` context value, validated; undefined when the context does not set it. */
export function imageTagFromContext(app: App): string | undefined {
  const value: unknown = app.node.tryGetContext(IMAGE_TAG_CONTEXT_KEY);
  if (value === undefined) return undefined;
  // Build ids arrive as JSON numbers when the pipeline writes them unquoted.
  const tag = typeof value === 'number' && Number.isInteger(value) && value >= 0 ? String(value) : value;
  if (typeof tag !== 'string' || !IMAGE_TAG.test(tag)) {
    throw new Error(
      `context "${IMAGE_TAG_CONTEXT_KEY}" must be a Docker image tag (1-128 of [A-Za-z0-9_.-], not ` +
        `starting with "." or "-"); received ${JSON.stringify(value)}`,
    );
  }
  return tag;
}

export function createApp(options: CreateAppOptions = {}): App {
  const app = new App({
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
    ...(options.context === undefined ? {} : { context: options.context }),
  });
  const imageTag = imageTagFromContext(app);
  for (const config of options.environments ?? Object.values(environments)) {
    new WebhooksStack(app, config.name, {
      config: imageTag === undefined ? config : { ...config, imageTag },
    });
  }
  return app;
}
