/**
 * The webhook runtime and its NGINX proxy tier without `WebhookFoundation`/`WebhookPlatform`: for a
 * team that already runs a virtual network, a Log Analytics workspace, a container registry, a Key
 * Vault and a Service Bus queue. The constructs create only an internal Container Apps environment in
 * the team's (delegated, /27 or larger) subnet, the two container apps, their identities and the
 * roles those identities need (AcrPull, Key Vault Secrets User on the signing secret, Data Sender on
 * the queue). Put your own gateway (or `WebhookIngress`) in front of `proxy.fqdn`.
 */
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import {
  ContainerAppsEnvironment,
  ImageRegistry,
  MessageBus,
  ProxyTier,
  SecretStore,
  WebhookRuntime,
} from 'cdktf-azure-webhooks';

const subscription = '/subscriptions/00000000-0000-0000-0000-000000000000';
const group = `${subscription}/resourceGroups/rg-shared-prod-weu`;

class WorkloadStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    const resourceGroupName = 'rg-shared-prod-weu';
    const location = 'westeurope';

    // #region readme
    // What the team already has, imported by id: the grants work the same as on created ones.
    const registry = ImageRegistry.fromRegistryId(this, 'Registry', {
      registryId: `${group}/providers/Microsoft.ContainerRegistry/registries/crsharedprod`,
      loginServer: 'crsharedprod.azurecr.io',
    });
    const vault = SecretStore.fromVaultId(this, 'Vault', {
      vaultId: `${group}/providers/Microsoft.KeyVault/vaults/kv-shared-prod`,
      vaultUri: 'https://kv-shared-prod.vault.azure.net/',
    });
    const queue = MessageBus.fromNamespaceId(this, 'Bus', {
      namespaceId: `${group}/providers/Microsoft.ServiceBus/namespaces/sbns-shared-prod`,
      entityName: 'webhooks',
    });

    const environment = new ContainerAppsEnvironment(this, 'Environment', {
      name: 'cae-webhooks-prod-weu',
      resourceGroupName,
      location,
      // An existing subnet, by id: delegated to Microsoft.App/environments (taken on trust at synth).
      infrastructureSubnet: `${group}/providers/Microsoft.Network/virtualNetworks/vnet-shared/subnets/snet-apps`,
      logAnalyticsWorkspaceId: `${group}/providers/Microsoft.OperationalInsights/workspaces/log-shared-prod`,
    });
    const runtime = new WebhookRuntime(this, 'Runtime', {
      environment,
      name: 'ca-webhooks-runtime',
      registry,
      imageName: 'webhook-runtime',
      imageTag: '1.0.0',
      messageBus: queue,
      verify: 'github',
      webhookSecret: { store: vault, secretName: 'github-webhook-secret' },
    });
    const proxy = new ProxyTier(this, 'Proxy', {
      environment,
      runtime,
      name: 'ca-webhooks-proxy',
      registry,
      imageName: 'webhook-nginx',
      imageTag: '1.0.0',
      allowedSourceCidrs: ['10.0.4.0/24'], // your gateway's subnet: nothing else may call NGINX
      trustedProxyCidrs: ['10.0.4.0/24', '10.0.8.0/23'], // the gateway and the environment's subnet
    });
    // #endregion
    // The backend your gateway forwards to, over HTTPS.
    new TerraformOutput(this, 'proxy_fqdn', { value: proxy.fqdn });
  }
}

const app = new App();
new WorkloadStack(app, 'webhooks-workload');
app.synth();
