/**
 * The whole platform for one environment, the way stacks/ deploys it: a foundation stack (resource
 * group, network, observability, Key Vault, registry, Service Bus, workload identities) and a
 * platform stack on top of it (Container Apps environment, webhook runtime, NGINX proxy tier,
 * App Gateway WAF, alerts). Deploy `prod-foundation`, write the secrets and push the images, then
 * deploy `prod-platform` (README "First deploy").
 */
// #region readme
import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { WebhookFoundation, WebhookPlatform } from 'cdktf-azure-webhooks';

class FoundationStack extends TerraformStack {
  public readonly foundation: WebhookFoundation;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    this.foundation = new WebhookFoundation(this, 'Foundation', {
      environment: 'prod',
      location: 'West Europe',
      uniqueNameSeed: 'contoso', // globally unique names (Key Vault, registry, bus) hash it
      observability: {
        actionGroup: { emailReceivers: [{ name: 'oncall', emailAddress: 'oncall@contoso.com' }] },
      },
      deployer: { network: 'agentIpFirewall' }, // a Microsoft-hosted agent opens the firewall for its IP
    });
  }
}

class PlatformStack extends TerraformStack {
  constructor(scope: Construct, id: string, foundation: WebhookFoundation) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    new WebhookPlatform(this, 'Platform', {
      foundation, // read through cdktf cross-stack references
      runtime: { imageTag: '1.0.0' }, // webhook-runtime:1.0.0 in the foundation's registry
      proxy: { imageTag: '1.0.0' }, // webhook-nginx:1.0.0
    });
  }
}

const app = new App();
const { foundation } = new FoundationStack(app, 'prod-foundation');
new PlatformStack(app, 'prod-platform', foundation);
app.synth();
// #endregion
