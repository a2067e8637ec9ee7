/**
 * The whole platform on resources that already exist: an existing resource group, virtual network
 * and subnets, Log Analytics workspace and action group, Key Vault, container registry and Service
 * Bus queue. `WebhookFoundation` then creates only the workload identities and their roles;
 * `WebhookPlatform` creates the Container Apps environment, runtime, proxy tier, gateway and alerts.
 * Both halves sit in one stack here; the platform orders its apps after what they need.
 */
import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import {
  ImageRegistry,
  MessageBus,
  SecretStore,
  WebhookFoundation,
  WebhookNetwork,
  WebhookPlatform,
} from 'cdktf-azure-webhooks';

const group = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-landing-zone-weu';
const vnet = `${group}/providers/Microsoft.Network/virtualNetworks/vnet-landing-zone-weu`;

class WebhooksStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });

    // #region readme
    const foundation = new WebhookFoundation(this, 'Foundation', {
      environment: 'prod',
      location: 'westeurope',
      uniqueNameSeed: 'contoso',
      resourceGroupName: 'rg-landing-zone-weu',
      network: {
        existing: WebhookNetwork.fromExisting(this, 'Network', {
          virtualNetworkId: vnet,
          gatewaySubnetId: `${vnet}/subnets/snet-gateway`,
          appsSubnetId: `${vnet}/subnets/snet-apps`,
          privateEndpointSubnetId: `${vnet}/subnets/snet-endpoints`,
        }),
      },
      observability: {
        existingWorkspaceId: `${group}/providers/Microsoft.OperationalInsights/workspaces/log-landing-zone`,
        existingActionGroupId: `${group}/providers/Microsoft.Insights/actionGroups/ag-platform-oncall`,
      },
      messaging: {
        existing: MessageBus.fromNamespaceId(this, 'Bus', {
          namespaceId: `${group}/providers/Microsoft.ServiceBus/namespaces/sbns-landing-zone`,
          entityName: 'webhooks',
        }),
      },
      sharedServices: {
        secretStore: SecretStore.fromVaultId(this, 'Vault', {
          vaultId: `${group}/providers/Microsoft.KeyVault/vaults/kv-landing-zone`,
          vaultUri: 'https://kv-landing-zone.vault.azure.net/',
        }),
        imageRegistry: ImageRegistry.fromRegistryId(this, 'Registry', {
          registryId: `${group}/providers/Microsoft.ContainerRegistry/registries/crlandingzone`,
          loginServer: 'crlandingzone.azurecr.io',
        }),
      },
      deployer: { principal: false }, // the landing zone's pipeline already holds its data roles
    });
    new WebhookPlatform(this, 'Webhooks', {
      foundation,
      runtime: { imageTag: '1.0.0', verify: 'stripe', webhookSecretName: 'stripe-signing-secret' },
      // A brought network's CIDRs are unknown at synth: name the gateway subnet's.
      proxy: { imageTag: '1.0.0', allowedSourceCidrs: ['10.0.4.0/24'] },
      alerts: { backlogMessages: 5000 },
    });
    // #endregion
  }
}

const app = new App();
new WebhooksStack(app, 'webhooks-byo');
app.synth();
