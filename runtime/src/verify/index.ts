/** Builds the configured scheme's verifier once, at start. */
import type { VerifyScheme } from '../config';
import { apiKeyVerifier } from './api-key';
import { githubVerifier } from './github';
import { shopifyVerifier } from './shopify';
import { standardWebhooksVerifier } from './standard-webhooks';
import { stripeVerifier } from './stripe';
import type { Verifier } from './types';

export type { Verifier, VerifyRequest, VerifyResult } from './types';

/** `none` accepts every request: only when chosen explicitly (the entry logs a warning). */
export const noneVerifier: Verifier = { scheme: 'none', verify: () => ({ ok: true }) };

export function createVerifier(scheme: VerifyScheme, secrets: readonly string[]): Verifier {
  if (scheme !== 'none' && secrets.length === 0) {
    throw new Error(`createVerifier: scheme ${scheme} needs at least one secret, received none`);
  }
  switch (scheme) {
    case 'standard-webhooks':
      return standardWebhooksVerifier(secrets);
    case 'github':
      return githubVerifier(secrets);
    case 'stripe':
      return stripeVerifier(secrets);
    case 'shopify':
      return shopifyVerifier(secrets);
    case 'api-key':
      return apiKeyVerifier(secrets);
    case 'none':
      return noneVerifier;
  }
}
