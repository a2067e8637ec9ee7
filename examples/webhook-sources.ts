/**
 * One platform receiving webhooks from five senders, each on its own route `POST /webhooks/<name>`
 * with its own signature scheme, secrets, delivery id, message key and NGINX rate limit (README
 * "Webhook sources"). Every secret is a Key Vault secret name in the foundation's vault: the
 * runtime's identity may read exactly those. `POST /webhook` stays as it was (the default source).
 */
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { WebhookFoundation, WebhookPlatform, type WebhookSource } from 'cdktf-azure-webhooks';

// #region readme
const sources: WebhookSource[] = [
  // GitHub: X-Hub-Signature-256; delivery id X-GitHub-Delivery; `ping` answered without publishing.
  { name: 'github', verify: 'github', secretNames: ['github-webhook-secret'] },
  // Stripe: Stripe-Signature; delivery id the event's `id` in the body. A rotation under way: the
  // old secret verifies until its notAfter, then only the new one does.
  {
    name: 'stripe',
    verify: 'stripe',
    secretNames: [
      'stripe-webhook-secret-2',
      { name: 'stripe-webhook-secret-1', notAfter: '2027-01-31T00:00:00Z' },
    ],
    rateLimit: { rps: 50, burst: 100 },
  },
  // Shopify: X-Shopify-Hmac-Sha256; the shop's domain as the message key (one partition per shop).
  {
    name: 'shopify',
    verify: 'shopify',
    secretNames: ['shopify-webhook-secret'],
    key: { header: 'X-Shopify-Shop-Domain' },
  },
  // Standard Webhooks (Svix, Zapier, …): webhook-id / webhook-timestamp / webhook-signature.
  { name: 'billing', verify: 'standard-webhooks', secretNames: ['billing-webhook-secret'] },
  // Your own sender: HMAC-SHA256 of the body, hex, in X-Signature as `sha256=<hex>`; its body is
  // the seed's {clientId, opportunity} contract, keyed by clientId.
  {
    name: 'crm',
    verify: {
      scheme: 'hmac',
      header: 'X-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: 'sha256=',
    },
    secretNames: ['crm-webhook-secret'],
    deliveryId: { header: 'X-Crm-Delivery' },
    body: 'contract',
  },
];
// #endregion

class WebhooksStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    const foundation = new WebhookFoundation(this, 'Foundation', {
      environment: 'prod',
      location: 'westeurope',
      uniqueNameSeed: 'contoso',
      observability: {
        actionGroup: { emailReceivers: [{ name: 'oncall', emailAddress: 'oncall@contoso.com' }] },
      },
    });
    const platform = new WebhookPlatform(this, 'Platform', {
      foundation,
      runtime: { imageTag: '1.0.0', sources },
      proxy: { imageTag: '1.0.0' },
    });
    // The URL to give each sender: https://<host>/webhooks/<name>.
    for (const [name, url] of Object.entries(platform.sourceUrls)) {
      new TerraformOutput(this, `${name}_webhook_url`, { value: url });
    }
  }
}

const app = new App();
new WebhooksStack(app, 'webhooks-prod');
app.synth();
