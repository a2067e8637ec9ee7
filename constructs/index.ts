/**
 * Package entry (`main: dist/constructs/index.js`): every construct area, so a consumer writes
 * `import { WebhookPlatform, MessageBus } from 'cdktf-azure-webhooks'`. Test helpers
 * (`core/testing`, `hosting/testing`) are not exported.
 */
export * from './core';
export * from './network';
export * from './observability';
export * from './messaging';
export * from './shared';
export * from './hosting';
export * from './ingress';
export * from './platform';
