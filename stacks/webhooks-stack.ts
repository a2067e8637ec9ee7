/**
 * One environment's stack: the azurerm provider (pinned to the version the bindings were
 * generated for), its remote state backend, the `WebhookPlatform`, and the outputs operators and
 * pipelines read. Outputs live here, never in library constructs, and none holds a credential.
 */
import { AzurermBackend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { WebhookPlatform } from '../constructs/platform';
import type { EnvironmentConfig } from './config';
import { platformProps } from './platform-props';

/** The azurerm version @cdktf/provider-azurerm 14.23.1 was generated from (its schema). */
export const AZURERM_VERSION = '4.55.0';

export interface WebhooksStackProps {
  readonly config: EnvironmentConfig;
}

export class WebhooksStack extends TerraformStack {
  public readonly platform: WebhookPlatform;

  constructor(scope: Construct, id: string, props: WebhooksStackProps) {
    super(scope, id);
    const { config } = props;

    new AzurermProvider(this, 'azurerm', {
      // An array: the bindings model the `features {}` block as a list.
      features: [
        {
          // Purge protection forbids purging anyway; never try on destroy.
          keyVault: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeletedKeyVaults: true }],
          resourceGroup: [{ preventDeletionIfContainsResources: true }],
        },
      ],
      // Data-plane calls (none today) use Entra ID, not storage account keys.
      storageUseAzuread: true,
    });
    // The bindings emit `~> 4.0` and source `azurerm`: pin the exact schema version they were
    // generated from, and name the source in full.
    this.addOverride('terraform.required_providers.azurerm.version', AZURERM_VERSION);
    this.addOverride('terraform.required_providers.azurerm.source', 'hashicorp/azurerm');

    new AzurermBackend(this, {
      resourceGroupName: config.backend.resourceGroupName,
      storageAccountName: config.backend.storageAccountName,
      containerName: config.backend.containerName,
      key: `webhooks/${config.name}.tfstate`,
      useAzureadAuth: true,
      useOidc: true,
    });

    this.platform = new WebhookPlatform(this, 'Platform', platformProps(config));
    this.outputs();
  }

  private outputs(): void {
    const p = this.platform;
    const out = (id: string, value: string, description: string): void => {
      new TerraformOutput(this, id, { value, description });
    };
    // Names, addresses and ids only: never a key, SAS or connection string (test/stacks/secrets.test.ts).
    out('resource_group_name', p.resourceGroupName, 'Resource group holding the environment');
    out(
      'gateway_public_ip',
      p.ingress.publicIp.ipAddress,
      'Public IP senders post webhooks to (point DNS here)',
    );
    out('bus_namespace_fqdn', p.messageBus.namespaceFqdn, 'Namespace downstream consumers connect to');
    out('bus_entity_name', p.messageBus.entityName, 'Queue, topic or event hub holding the webhooks');
    out('runtime_fqdn', p.runtime.fqdn, 'Internal FQDN of the webhook runtime');
    out(
      'key_vault_uri',
      p.secretStore.vaultUri,
      'Key Vault for the gateway certificate and webhook signing secrets',
    );
    out('registry_login_server', p.imageRegistry.loginServer, 'Container registry the images are pushed to');
  }
}
