/**
 * Builds the cdktf App: `bootstrap` (state storage, once) and per environment (`dev`, `staging`,
 * `prod`) `<env>-foundation` and `<env>-platform`, the stacks of the deploy path in
 * docs/decisions/0010-first-deploy.md. Deterministic: no clocks or random values feed the stacks.
 * Inputs from outside: cdktf context (`CDKTF_CONTEXT_JSON`, `cdktf.json` or `options.context`) —
 * `imageTag`, which the release pipeline sets to the tag it pushed, and `tfstate` — and the
 * `TFSTATE_*` environment variables (stacks/backend.ts).
 */
import { App } from 'cdktf';
import { DOCKER_TAG } from '../constructs/hosting/container-app-parts';
import { bootstrap, environments, type BootstrapConfig, type EnvironmentConfig } from './config';
import { stateStorageFrom } from './backend';
import { BootstrapStack } from './bootstrap-stack';
import { FoundationStack } from './foundation-stack';
import { PlatformStack } from './platform-stack';

/** Context key read for the image tag of `webhook-runtime` and `webhook-nginx`. */
export const IMAGE_TAG_CONTEXT_KEY = 'imageTag';

export interface CreateAppOptions {
  /** @default - `CDKTF_OUTDIR` (set by cdktf-cli) or `cdktf.out` */
  readonly outdir?: string;
  /** @default - dev, staging and prod from `config.ts` */
  readonly environments?: readonly EnvironmentConfig[];
  /** @default - `bootstrap` from `config.ts` */
  readonly bootstrap?: BootstrapConfig;
  /** cdktf context, merged under `CDKTF_CONTEXT_JSON`. @default - none */
  readonly context?: Record<string, unknown>;
  /** Where `TFSTATE_*` are read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The `imageTag` context value, validated; undefined when the context does not set it. */
export function imageTagFromContext(app: App): string | undefined {
  const value: unknown = app.node.tryGetContext(IMAGE_TAG_CONTEXT_KEY);
  if (value === undefined) return undefined;
  // Build ids arrive as JSON numbers when the pipeline writes them unquoted.
  const tag = typeof value === 'number' && Number.isInteger(value) && value >= 0 ? String(value) : value;
  if (typeof tag !== 'string' || !DOCKER_TAG.test(tag)) {
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
  const env = options.env ?? process.env;
  const imageTag = imageTagFromContext(app);
  const stateStorage = stateStorageFrom(app, env);
  new BootstrapStack(app, 'bootstrap', { config: options.bootstrap ?? bootstrap, stateStorage });
  for (const config of options.environments ?? Object.values(environments)) {
    const foundation = new FoundationStack(app, `${config.name}-foundation`, { config, stateStorage });
    new PlatformStack(app, `${config.name}-platform`, {
      foundation,
      stateStorage,
      imageTag: imageTag ?? config.imageTag,
    });
  }
  return app;
}
