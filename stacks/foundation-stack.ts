/**
 * `<env>-foundation`: the long-lived half of one environment (`WebhookFoundation`): resource group,
 * network, observability with the action group, Key Vault, registry and message bus, and the data
 * roles of the identity that deploys. Applied first; the pipeline then writes the secrets and pushes
 * the images (it reads these outputs), and only then plans the platform stack.
 */
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { WebhookFoundation } from '../constructs/platform';
import type { EnvironmentConfig } from './config';
import { useStateBackend, type StateStorage } from './backend';
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
    const out = (name: string, value: string, description: string): void => {
      new TerraformOutput(this, name, { value, description });
    };
    // Names, addresses and ids only: never a key, SAS or connection string (test/stacks/secrets.test.ts).
    // pipelines/deploy/*.sh read these (terraform output -json).
    out('resource_group_name', f.resourceGroupName, 'Resource group holding the environment');
    out('key_vault_name', f.keyVaultName ?? '', 'Key Vault the secrets step writes to');
    out('key_vault_uri', f.secretStore.vaultUri, 'Key Vault for the gateway certificate and webhook secrets');
    out('registry_name', f.registryName ?? '', 'Container registry the images step pushes to');
    out('registry_login_server', f.imageRegistry.loginServer, 'Login server of that registry');
    out('bus_namespace_fqdn', f.messageBus.namespaceFqdn, 'Namespace downstream consumers connect to');
    out('bus_entity_name', f.messageBus.entityName, 'Queue, topic or event hub holding the webhooks');
    out(
      'webhook_secret_name',
      WEBHOOK_SECRET_NAME,
      'Key Vault secret with the signing secret (written when missing)',
    );
    out('gateway_certificate_name', GATEWAY_CERTIFICATE_NAME, 'Key Vault certificate the gateway serves');
    out(
      'gateway_certificate_source',
      config.gateway.certificate,
      'import (PFX secure file) or self-signed (Key Vault issues it)',
    );
    out(
      'gateway_host_name',
      config.gateway.hostName ?? f.gatewayDefaultHostName,
      'DNS name the certificate is for and senders post to',
    );
    out(
      'deployer_ip_rule_targets',
      f.deployerIpRuleTargets.join(','),
      'Data planes a Microsoft-hosted agent adds its egress IP to while it writes (empty: none)',
    );
  }
}
