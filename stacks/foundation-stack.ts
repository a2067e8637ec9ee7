/**
 * `<env>-foundation`: the long-lived half of one environment (`WebhookFoundation`): resource group,
 * network, observability with the action group, Key Vault, registry and message bus, and the data
 * roles of the identity that deploys. Applied first; the pipeline then writes the secrets and pushes
 * the images (it reads these outputs), and only then plans the platform stack.
 */
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { WebhookFoundation } from '../constructs/platform';
import type { EnvironmentConfig } from './config';
import { useStateBackend, type StateStorage } from './backend';
import { addOutputs } from './outputs';
import { addAzurermProvider } from './provider';
import { GATEWAY_CERTIFICATE_NAME, WEBHOOK_SECRET_NAME, foundationProps } from './platform-props';

export interface FoundationStackProps {
  readonly config: EnvironmentConfig;
  readonly stateStorage?: StateStorage;
}

export class FoundationStack extends TerraformStack {
  public readonly foundation: WebhookFoundation;
  public readonly config: EnvironmentConfig;

  constructor(scope: Construct, id: string, props: FoundationStackProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;
    addAzurermProvider(this);
    useStateBackend(this, props.stateStorage, `webhooks/${config.name}/foundation.tfstate`);
    this.foundation = new WebhookFoundation(this, 'Foundation', foundationProps(config));

    const f = this.foundation;
    // pipelines/deploy/*.sh read these (terraform output -json).
    addOutputs(this, {
      resource_group_name: [f.resourceGroupName, 'Resource group holding the environment'],
      key_vault_name: [f.keyVaultName ?? '', 'Key Vault the secrets step writes to'],
      key_vault_uri: [f.secretStore.vaultUri, 'Key Vault for the gateway certificate and webhook secrets'],
      registry_name: [f.registryName ?? '', 'Container registry the images step pushes to'],
      registry_login_server: [f.imageRegistry.loginServer, 'Login server of that registry'],
      bus_namespace_fqdn: [f.messageBus.namespaceFqdn, 'Namespace downstream consumers connect to'],
      bus_entity_name: [f.messageBus.entityName, 'Queue, topic or event hub holding the webhooks'],
      webhook_secret_name: [
        WEBHOOK_SECRET_NAME,
        'Key Vault secret with the signing secret (written when missing)',
      ],
      gateway_certificate_name: [GATEWAY_CERTIFICATE_NAME, 'Key Vault certificate the gateway serves'],
      gateway_certificate_source: [
        config.gateway.certificate,
        'import (PFX secure file) or self-signed (Key Vault issues it)',
      ],
      gateway_host_name: [
        config.gateway.hostName ?? f.gatewayDefaultHostName,
        'DNS name the certificate is for and senders post to',
      ],
      deployer_ip_rule_targets: [
        f.deployerIpRuleTargets.join(','),
        'Data planes a Microsoft-hosted agent adds its egress IP to while it writes (empty: none)',
      ],
    });
  }
}
