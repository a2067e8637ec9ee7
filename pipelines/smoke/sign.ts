/**
 * Signs a request the way a Standard Webhooks sender does (https://www.standardwebhooks.com):
 * HMAC-SHA256 over `${id}.${timestamp}.${body}`, keyed with the base64-decoded secret after
 * `whsec_`, sent as `webhook-signature: v1,<base64>` with `webhook-id` and `webhook-timestamp`.
 */
import { createHmac } from 'node:crypto';

export interface SignedHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

export function signStandardWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): SignedHeaders {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  if (key.length === 0)
    throw new Error('the signing secret is empty or not base64 (expected whsec_<base64>)');
  const timestamp = String(timestampSeconds);
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${mac}` };
}
