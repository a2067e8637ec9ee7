/**
 * WebhookPlatform: one environment of the webhook-ingestion system from one props object:
 * network, observability, message bus, Key Vault, container registry, Container Apps
 * environment, webhook runtime, NGINX proxy tier, App Gateway WAF ingress and metric alerts.
 * Every part has secure defaults; the parts users commonly own already (resource group, network,
 * workspace, bus, Key Vault, registry, environment) can be brought instead of created.
 */
import { Construct } from 'constructs';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { resourceName } from '../core/naming';
import type { IMessageBus } from '../core/types';
import {
  ContainerAppsEnvironment,
  ProxyTier,
  WebhookRuntime,
  type IContainerAppsEnvironment,
} from '../hosting';
import { WebhookIngress } from '../ingress';
import { MessageBus } from '../messaging';
import { WebhookNetwork, type IWebhookNetwork } from '../network';
import { Observability, WebhookAlerts } from '../observability';
import {
  ImageRegistry,
  SecretStore,
  type IImageRegistry,
  type ISecretStore,
  type PrivateEndpointOptions,
} from '../shared';
import { platformNames, type PlatformNames } from './names';
import type {
  PlatformAlertOptions,
  PlatformContainerAppsOptions,
  PlatformIngressOptions,
  PlatformMessagingOptions,
  PlatformNetworkOptions,
  PlatformObservabilityOptions,
  PlatformProxyOptions,
  PlatformRuntimeOptions,
  PlatformSharedServicesOptions,
} from './options';

export interface WebhookPlatformProps {
  /** Environment name used in names and tags, e.g. `prod`: 2–10 lowercase letters or digits. */
  readonly environment: string;
  /** Azure region, e.g. `westeurope` (one with a short code in `core/naming`). */
  readonly location: string;
  /** Workload name in resource names (`rg-<workload>-<env>-<region>`). @default 'webhooks' */
  readonly workload?: string;
  /**
   * Extra input to the deterministic suffix of globally unique names (Key Vault, registry), e.g.
   * your organisation's name, so two organisations deploying the same environment do not collide.
   * @default '' (the suffix derives from workload, environment and region)
   */
  readonly uniqueNameSeed?: string;
  /** An existing resource group. @default - `rg-<workload>-<env>-<region>` is created */
  readonly resourceGroupName?: string;
  /** Tags on every resource. @default {} */
  readonly tags?: Record<string, string>;
  /** @default - a VNet with gateway, apps and private-endpoint subnets */
  readonly network?: PlatformNetworkOptions;
  /** @default - a workspace with 30-day retention and Application Insights */
  readonly observability?: PlatformObservabilityOptions;
  /** @default - Service Bus Standard with queue `webhooks` */
  readonly messaging?: PlatformMessagingOptions;
  /** @default - a private Key Vault and a private Premium registry */
  readonly sharedServices?: PlatformSharedServicesOptions;
  /** @default - an internal, zone-redundant environment */
  readonly containerApps?: PlatformContainerAppsOptions;
  /** The webhook runtime (image tag required). */
  readonly runtime: PlatformRuntimeOptions;
  /** The NGINX proxy tier (image tag required). */
  readonly proxy: PlatformProxyOptions;
  /** @default - WAF_v2, zones 1-3, capacity 2-10, certificate secret `gateway-tls` */
  readonly ingress?: PlatformIngressOptions;
  /** @default - all alerts on, default thresholds */
  readonly alerts?: PlatformAlertOptions;
}

/** One environment of the webhook-ingestion platform. */
export class WebhookPlatform extends Construct {
  public readonly names: PlatformNames;
  /** The resource group this construct created; undefined when one was brought. */
  public readonly resourceGroup?: ResourceGroup;
  public readonly resourceGroupName: string;
  public readonly network: IWebhookNetwork;
  public readonly observability: Observability;
  public readonly messageBus: IMessageBus;
  public readonly secretStore: ISecretStore;
  public readonly imageRegistry: IImageRegistry;
  public readonly containerAppsEnvironment: IContainerAppsEnvironment;
  public readonly runtime: WebhookRuntime;
  public readonly proxy: ProxyTier;
  public readonly ingress: WebhookIngress;

  constructor(scope: Construct, id: string, props: WebhookPlatformProps) {
    super(scope, id);
    const workload = props.workload ?? 'webhooks';
    const { environment, location } = props;
    this.names = platformNames({ workload, environment, location, seed: props.uniqueNameSeed ?? '' });
    const nameParts = { workload, environment, location };
    const caf = (abbreviation: string): string =>
      `${abbreviation}-${workload}-${environment}-${this.names.region}`;
    const tags = props.tags ?? {};

    if (props.resourceGroupName === undefined) {
      this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', {
        name: this.names.resourceGroup,
        location,
        tags,
      });
      this.resourceGroupName = this.resourceGroup.name;
    } else {
      this.resourceGroupName = props.resourceGroupName;
    }
    const base = { resourceGroupName: this.resourceGroupName, location, tags };

    const net = props.network ?? {};
    const createdNetwork =
      net.existing === undefined
        ? new WebhookNetwork(this, 'Network', {
            ...base,
            name: resourceName('virtualNetwork', nameParts),
            addressSpace: net.addressSpace,
            gatewaySubnetPrefix: net.gatewaySubnetPrefix,
            privateEndpointSubnetPrefix: net.privateEndpointSubnetPrefix,
            appsSubnetPrefix: net.appsSubnetPrefix,
          })
        : undefined;
    this.network = net.existing ?? (createdNetwork as WebhookNetwork);
    const privateEndpoint: PrivateEndpointOptions = {
      subnetId: this.network.privateEndpointSubnetId,
      virtualNetworkId: this.network.virtualNetworkId,
    };

    const obs = props.observability ?? {};
    this.observability = new Observability(this, 'Observability', {
      ...base,
      name: `${workload}-${environment}-${this.names.region}`,
      existingWorkspaceId: obs.existingWorkspaceId,
      retentionInDays: obs.retentionInDays,
      actionGroup: obs.actionGroup,
      existingActionGroupId: obs.existingActionGroupId,
    });
    const logAnalyticsWorkspaceId = this.observability.workspaceId;

    this.messageBus =
      props.messaging?.existing ??
      this.createMessageBus(props.messaging ?? {}, base, privateEndpoint, logAnalyticsWorkspaceId);

    const shared = props.sharedServices ?? {};
    this.secretStore =
      shared.secretStore ??
      new SecretStore(this, 'Secrets', {
        ...base,
        name: this.names.keyVault,
        privateEndpoint,
        logAnalyticsWorkspaceId,
      });
    const privateRegistry = shared.privateRegistry ?? true;
    this.imageRegistry =
      shared.imageRegistry ??
      new ImageRegistry(this, 'Registry', {
        ...base,
        name: this.names.containerRegistry,
        privateEndpoint: privateRegistry ? privateEndpoint : undefined,
        logAnalyticsWorkspaceId,
      });

    const apps = props.containerApps ?? {};
    this.containerAppsEnvironment =
      apps.existing ??
      new ContainerAppsEnvironment(this, 'ContainerApps', {
        ...base,
        name: caf('cae'),
        // The created network's Subnet object lets the environment check size and delegation.
        infrastructureSubnet: createdNetwork?.appsSubnet ?? this.network.appsSubnetId,
        logAnalyticsWorkspaceId,
        internal: true,
        zoneRedundancyEnabled: apps.zoneRedundancyEnabled,
      });

    const rt = props.runtime;
    const proxyHosting = props.proxy.hosting ?? 'containerApps';
    this.runtime = new WebhookRuntime(this, 'Runtime', {
      environment: this.containerAppsEnvironment,
      name: `ca-runtime-${environment}`,
      registry: this.imageRegistry,
      imageName: rt.imageName ?? 'webhook-runtime',
      imageTag: rt.imageTag,
      messageBus: this.messageBus,
      verify: rt.verify,
      webhookSecret:
        (rt.verify ?? 'standard-webhooks') === 'none'
          ? undefined
          : { store: this.secretStore, secretName: rt.webhookSecretName ?? 'webhook-secret' },
      // Not a credential here: Application Insights has local authentication off, so ingestion
      // needs the identity's Entra token (granted below) whatever the connection string says.
      applicationInsightsConnectionString: this.observability.applicationInsights.connectionString,
      maxBodyBytes: rt.maxBodyBytes,
      cpu: rt.cpu,
      minReplicas: rt.minReplicas,
      maxReplicas: rt.maxReplicas,
      concurrentRequestsPerReplica: rt.concurrentRequestsPerReplica,
      reachableFromVirtualNetwork: proxyHosting === 'functionsPremium',
      tags,
    });
    this.observability.grantTelemetryPublish(this.runtime.identity);

    const px = props.proxy;
    this.proxy = new ProxyTier(this, 'Proxy', {
      environment: this.containerAppsEnvironment,
      runtime: this.runtime,
      name: `ca-proxy-${environment}`,
      registry: this.imageRegistry,
      imageName: px.imageName ?? 'webhook-nginx',
      imageTag: px.imageTag,
      hosting: proxyHosting,
      functionsPremium: px.functionsPremium,
      minReplicas: px.minReplicas,
      maxReplicas: px.maxReplicas,
      concurrentRequestsPerReplica: px.concurrentRequestsPerReplica,
      tags,
    });

    const ing = props.ingress ?? {};
    this.ingress = new WebhookIngress(this, 'Ingress', {
      ...base,
      name: caf('agw'),
      gatewaySubnet: createdNetwork?.gatewaySubnet ?? this.network.gatewaySubnetId,
      backend: this.proxy,
      certificate: { store: this.secretStore, secretName: ing.certificateSecretName ?? 'gateway-tls' },
      logAnalyticsWorkspaceId,
      environment: this.containerAppsEnvironment,
      virtualNetworkId: this.network.virtualNetworkId,
      hostName: ing.hostName,
      zones: ing.zones,
      minCapacity: ing.minCapacity,
      maxCapacity: ing.maxCapacity,
      waf: ing.waf,
    });

    if (props.alerts?.enabled ?? true) this.addAlerts(props.alerts ?? {}, `${workload}-${environment}`);
  }

  private createMessageBus(
    options: PlatformMessagingOptions,
    base: { resourceGroupName: string; location: string; tags: Record<string, string> },
    privateEndpoint: PrivateEndpointOptions,
    logAnalyticsWorkspaceId: string,
  ): MessageBus {
    const kind = options.kind ?? 'serviceBus';
    const sku = (kind === 'kafka' ? options.kafka?.sku : options.serviceBus?.sku) ?? 'Standard';
    const usePrivateEndpoint = options.privateEndpoint ?? sku === 'Premium';
    return new MessageBus(this, 'Bus', {
      ...base,
      name: this.names.busNamespace(kind),
      kind,
      serviceBus: kind === 'serviceBus' ? options.serviceBus : undefined,
      kafka: kind === 'kafka' ? options.kafka : undefined,
      privateEndpoint: usePrivateEndpoint ? privateEndpoint : undefined,
      logAnalyticsWorkspaceId,
    });
  }

  private addAlerts(options: PlatformAlertOptions, prefix: string): void {
    const obs = this.observability;
    const bus = this.messageBus;
    if (bus.kind === 'serviceBus') {
      obs.addMetricAlert('DeadLetterAlert', {
        ...WebhookAlerts.serviceBusDeadLetters(prefix, bus.entityName),
        scopes: [bus.namespaceId],
      });
      obs.addMetricAlert('BacklogAlert', {
        ...WebhookAlerts.serviceBusBacklog(prefix, options.backlogMessages ?? 1000, bus.entityName),
        scopes: [bus.namespaceId],
      });
    } else {
      obs.addMetricAlert('ThrottledAlert', {
        ...WebhookAlerts.eventHubsThrottled(prefix, bus.entityName),
        scopes: [bus.namespaceId],
      });
    }
    const gatewayId = this.ingress.applicationGateway.id;
    obs.addMetricAlert('Gateway5xxAlert', {
      ...WebhookAlerts.gateway5xx(prefix, options.gateway5xx ?? 10),
      scopes: [gatewayId],
    });
    obs.addMetricAlert('BackendLatencyAlert', {
      ...WebhookAlerts.gatewayBackendResponseTime(prefix, options.backendResponseTimeMs ?? 1000),
      scopes: [gatewayId],
    });
    obs.addMetricAlert('UnhealthyHostsAlert', {
      ...WebhookAlerts.gatewayUnhealthyHosts(prefix),
      scopes: [gatewayId],
    });
    // One alert per app: Azure Monitor supports multi-resource metric alerts only for a few types.
    const restarts = options.containerRestarts ?? 3;
    obs.addMetricAlert('RuntimeRestartsAlert', {
      ...WebhookAlerts.containerRestarts(`${prefix}-runtime`, restarts),
      scopes: [this.runtime.containerApp.id],
    });
    if (this.proxy.containerApp) {
      obs.addMetricAlert('ProxyRestartsAlert', {
        ...WebhookAlerts.containerRestarts(`${prefix}-proxy`, restarts),
        scopes: [this.proxy.containerApp.id],
      });
    }
  }
}
