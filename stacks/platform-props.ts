/** Maps one environment's typed config onto the foundation's and the platform's props. */
import type { WebhookFoundation, WebhookFoundationProps, WebhookPlatformProps } from '../constructs/platform';
import type { EnvironmentConfig } from './config';

/** Key Vault secret holding the runtime's signing secret(s); written by pipelines/deploy/secrets.sh. */
export const WEBHOOK_SECRET_NAME = 'webhook-secret';
/** Key Vault certificate (and its secret) the gateway serves; imported or issued by secrets.sh. */
export const GATEWAY_CERTIFICATE_NAME = 'gateway-tls';

export function foundationProps(config: EnvironmentConfig): WebhookFoundationProps {
  const { messaging, alerts } = config;
  return {
    environment: config.name,
    location: config.location,
    workload: 'webhooks',
    tags: { ...config.tags },
    network: {
      addressSpace: [config.network.addressSpace],
      gatewaySubnetPrefix: config.network.gatewaySubnet,
      privateEndpointSubnetPrefix: config.network.privateEndpointSubnet,
      appsSubnetPrefix: config.network.appsSubnet,
    },
    observability: {
      retentionInDays: config.logRetentionDays,
      actionGroup:
        alerts.receivers === 'none'
          ? undefined
          : {
              shortName: `webhooks-${config.name}`.slice(0, 12),
              emailReceivers: alerts.receivers.emails.map((emailAddress, i) => ({
                name: `email-${i + 1}`,
                emailAddress,
              })),
              webhookReceivers: (alerts.receivers.webhooks ?? []).map((serviceUri, i) => ({
                name: `webhook-${i + 1}`,
                serviceUri,
              })),
            },
    },
    messaging: {
      kind: 'serviceBus',
      serviceBus: {
        sku: messaging.sku,
        capacity: messaging.sku === 'Premium' ? messaging.capacity : undefined,
        premiumMessagingPartitions: messaging.sku === 'Premium' ? 1 : undefined,
      },
      privateEndpoint: messaging.privateEndpoint,
    },
    sharedServices: { privateRegistry: config.privateRegistry },
    deployer: { network: config.deployerNetwork },
    // The re-drive job's identity and roles, an apply before the platform creates the job.
    redriveJob: config.redriveJob,
  };
}

export function platformProps(
  config: EnvironmentConfig,
  foundation: WebhookFoundation,
): WebhookPlatformProps {
  return {
    foundation,
    containerApps: { zoneRedundancyEnabled: config.zoneRedundant },
    runtime: {
      imageTag: config.imageTag,
      webhookSecretName: WEBHOOK_SECRET_NAME,
      minReplicas: config.runtime.minReplicas,
      maxReplicas: config.runtime.maxReplicas,
      concurrentRequestsPerReplica: config.runtime.concurrentRequests,
    },
    proxy: {
      imageTag: config.imageTag,
      minReplicas: config.proxy.minReplicas,
      maxReplicas: config.proxy.maxReplicas,
      concurrentRequestsPerReplica: config.proxy.concurrentRequests,
    },
    ingress: {
      minCapacity: config.gateway.minCapacity,
      maxCapacity: config.gateway.maxCapacity,
      hostName: config.gateway.hostName,
      certificateSecretName: GATEWAY_CERTIFICATE_NAME,
    },
    redriveJob: config.redriveJob,
    alerts: {
      notifyNobody: config.alerts.receivers === 'none',
      backlogMessages: config.alerts.backlogMessages,
      gateway5xx: config.alerts.gateway5xx,
      backendResponseTimeMs: config.alerts.backendResponseTimeMs,
      containerRestarts: config.alerts.containerRestarts,
    },
  };
}
