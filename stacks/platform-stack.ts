/**
 * `<env>-platform`: the workloads of one environment (`WebhookPlatform`) on the foundation of
 * `<env>-foundation`, read through cdktf cross-stack references (a `terraform_remote_state` of the
 * foundation's state). Planned only after the foundation is applied and the secrets and images
 * exist: the gateway reads its certificate and the apps pull their images when they are created.
 */
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { WebhookPlatform } from '../constructs/platform';
import { useStateBackend, type StateStorage } from './backend';
import type { FoundationStack } from './foundation-stack';
import { addOutputs } from './outputs';
import { addAzurermProvider } from './provider';
import { platformProps } from './platform-props';

export interface PlatformStackProps {
  readonly foundation: FoundationStack;
  readonly stateStorage?: StateStorage;
  /** Image tag of both images (the pipeline's build id, or the config's). */
  readonly imageTag: string;
}

export class PlatformStack extends TerraformStack {
  public readonly platform: WebhookPlatform;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const { config } = props.foundation;
    addAzurermProvider(this);
    useStateBackend(this, props.stateStorage, `webhooks/${config.name}/platform.tfstate`);
    this.addDependency(props.foundation);
    this.platform = new WebhookPlatform(
      this,
      'Platform',
      platformProps({ ...config, imageTag: props.imageTag }, props.foundation.foundation),
    );

    const p = this.platform;
    addOutputs(this, {
      gateway_public_ip: [p.ingress.publicIp.ipAddress, 'Public IP senders post webhooks to'],
      gateway_host_name: [p.hostName, 'DNS name senders use (point your CNAME at the public IP name)'],
      webhook_url: [p.webhookUrl, 'The webhook endpoint (the smoke stage posts here)'],
      runtime_fqdn: [p.runtime.fqdn, 'Internal FQDN of the webhook runtime'],
      ...(p.redriveJob === undefined
        ? {}
        : {
            redrive_job_name: [
              p.redriveJob.jobName,
              'Dead-letter re-drive job (az containerapp job start -n <name> -g <resource group>)',
            ] as const,
          }),
    });
  }
}
