/**
 * Test fixtures for named sources: a configuration read by the real loader (WEBHOOK_SOURCES and
 * the variables its secrets name) and an app serving it, plus signers per scheme.
 */
import { createHmac } from 'node:crypto';
import { loadConfig } from '../config';
import { makeApp } from '../http/test-fixtures';
import type { AppOptions } from '../http/app';
import { createSource } from '.';

export const GITHUB_SECRET = 'github-source-secret-0';
export const GITHUB_OLD_SECRET = 'github-source-old-secret';
export const HMAC_SECRET = 'acme-hmac-secret-of-16+';
export const OLD_NOT_AFTER = '2027-01-31T00:00:00Z';

export const SOURCES = [
  {
    name: 'github',
    verify: 'github',
    secrets: [
      { env: 'WEBHOOK_SOURCE_GITHUB_SECRET_0' },
      { env: 'WEBHOOK_SOURCE_GITHUB_SECRET_1', notAfter: OLD_NOT_AFTER },
    ],
  },
  {
    name: 'orders',
    verify: 'github',
    secrets: [{ env: 'WEBHOOK_SOURCE_GITHUB_SECRET_0' }],
    body: 'contract',
  },
  {
    name: 'acme',
    verify: {
      scheme: 'hmac',
      header: 'X-Acme-Signature',
      algorithm: 'sha512',
      encoding: 'base64',
      prefix: 'v1=',
    },
    secrets: [{ env: 'WEBHOOK_SOURCE_ACME_SECRET_0' }],
    deliveryId: { jsonPointer: '/event/id' },
    key: { header: 'X-Acme-Tenant' },
  },
  { name: 'open', verify: 'none', key: { jsonPointer: '/account' } },
];

export const SOURCES_ENV = {
  BUS: 'kafka',
  KAFKA_BROKERS: 'localhost:9092',
  WEBHOOK_VERIFY: 'github',
  WEBHOOK_SECRET: 'test-secret-of-16-bytes',
  WEBHOOK_SOURCES: JSON.stringify(SOURCES),
  WEBHOOK_SOURCE_GITHUB_SECRET_0: GITHUB_SECRET,
  WEBHOOK_SOURCE_GITHUB_SECRET_1: GITHUB_OLD_SECRET,
  WEBHOOK_SOURCE_ACME_SECRET_0: HMAC_SECRET,
};

/** The app with {@link SOURCES}; `now` fixed before the old GitHub secret's notAfter unless given. */
export function makeSourcesApp(overrides: Partial<AppOptions> = {}) {
  const config = loadConfig(SOURCES_ENV);
  return makeApp({
    sources: config.sources.map(createSource),
    now: () => Date.parse(OLD_NOT_AFTER) - 60_000,
    ...overrides,
  });
}

export const githubSigned = (body: string, headers: Record<string, string> = {}, secret = GITHUB_SECRET) => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    ...headers,
  },
  body,
});

export const acmeSigned = (body: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    'x-acme-signature': `v1=${createHmac('sha512', HMAC_SECRET).update(body).digest('base64')}`,
    ...headers,
  },
  body,
});
