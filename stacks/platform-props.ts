/** Maps one environment's typed config onto `WebhookPlatformProps`. */
import type { WebhookPlatformProps } from '../constructs/platform';
import type { EnvironmentConfig } from './config';

export function platformProps(config: EnvironmentConfig): WebhookPlatformProps {
  const { messaging } = config;
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
    observability: { retentionInDays: config.logRetentionDays },
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
    containerApps: { zoneRedundancyEnabled: config.zoneRedundant },
    runtime: {
      imageTag: config.imageTag,
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
    ingress: { minCapacity: config.gateway.minCapacity, maxCapacity: config.gateway.maxCapacity },
    alerts: {
      backlogMessages: config.alerts.backlogMessages,
      gateway5xx: config.alerts.gateway5xx,
      backendResponseTimeMs: config.alerts.backendResponseTimeMs,
      containerRestarts: config.alerts.containerRestarts,
    },
  };
}
