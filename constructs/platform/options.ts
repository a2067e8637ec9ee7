/**
 * The parts of `WebhookPlatformProps`, one interface per area. Each is optional except what has
 * no sensible default (the image tags); each lets the user bring an existing part.
 */
import type { IMessageBus, MessageBusKind } from '../messaging/message-bus-base';
import type {
  FunctionsPremiumOptions,
  IContainerAppsEnvironment,
  ProxyHosting,
  WebhookSource,
  WebhookVerifyScheme,
} from '../hosting';
import type { WafOptions } from '../ingress';
import type { KafkaOptions, ServiceBusOptions } from '../messaging';
import type { IWebhookNetwork } from '../network';
import type { ActionGroupProps } from '../observability';
import type { IImageRegistry, ISecretStore } from '../shared';

/** The network of `WebhookFoundation`, created or brought (`WebhookFoundationProps.network`). */
export interface PlatformNetworkOptions {
  /** VNet address space. @default ['10.20.0.0/16'] */
  readonly addressSpace?: readonly string[];
  /** Application Gateway subnet (its own; /24 recommended for v2 autoscale). @default '10.20.0.0/24' */
  readonly gatewaySubnetPrefix?: string;
  /** Private endpoint subnet. @default '10.20.1.0/24' */
  readonly privateEndpointSubnetPrefix?: string;
  /** Container Apps subnet: /27 or larger, delegated to `Microsoft.App/environments`. @default '10.20.2.0/23' */
  readonly appsSubnetPrefix?: string;
  /** An existing VNet and subnets (`WebhookNetwork.fromExisting`). @default - a network is created */
  readonly existing?: IWebhookNetwork;
}

/** Logs, telemetry and alert receivers of `WebhookFoundation` (`WebhookFoundationProps.observability`). */
export interface PlatformObservabilityOptions {
  /** An existing Log Analytics workspace. @default - one is created */
  readonly existingWorkspaceId?: string;
  /** Log retention in days. @default 30 */
  readonly retentionInDays?: number;
  /**
   * Who is told when an alert fires (email and/or webhook receivers). A platform on this foundation
   * refuses to synthesize without an action group unless its `alerts.notifyNobody` is set.
   * @default - no action group
   */
  readonly actionGroup?: ActionGroupProps;
  /** An existing action group instead. @default - none */
  readonly existingActionGroupId?: string;
}

/** The message bus of `WebhookFoundation`, created or brought (`WebhookFoundationProps.messaging`). */
export interface PlatformMessagingOptions {
  /** @default 'serviceBus' */
  readonly kind?: MessageBusKind;
  /** Service Bus settings (kind `serviceBus`). @default - Standard, queue `webhooks` */
  readonly serviceBus?: ServiceBusOptions;
  /** Event Hubs settings (kind `kafka`). @default - Standard, event hub `webhooks` */
  readonly kafka?: KafkaOptions;
  /**
   * A private endpoint in the platform's network, public network access off. Service Bus allows it
   * only on Premium.
   * @default - true on Premium, else false
   */
  readonly privateEndpoint?: boolean;
  /** An existing bus (`MessageBus.fromNamespaceId`). @default - a bus is created */
  readonly existing?: IMessageBus;
}

/** Key Vault and container registry of `WebhookFoundation`, created or brought (`WebhookFoundationProps.sharedServices`). */
export interface PlatformSharedServicesOptions {
  /**
   * Registry behind a private endpoint: Premium, public network access off. The Key Vault always
   * gets a private endpoint (it is cheap and holds the secrets).
   * @default true
   */
  readonly privateRegistry?: boolean;
  /** An existing Key Vault (RBAC authorization). @default - a `SecretStore` is created */
  readonly secretStore?: ISecretStore;
  /** An existing registry. @default - an `ImageRegistry` is created */
  readonly imageRegistry?: IImageRegistry;
}

/** The webhook runtime of `WebhookPlatform` (`WebhookPlatformProps.runtime`). */
export interface PlatformRuntimeOptions {
  /** Repository of the runtime image in the registry. @default 'webhook-runtime' */
  readonly imageName?: string;
  /** Tag of the runtime image (a pinned version). */
  readonly imageTag: string;
  /** Signature scheme (`WEBHOOK_VERIFY`). @default 'standard-webhooks' */
  readonly verify?: WebhookVerifyScheme;
  /** Key Vault secret holding the signing secret(s) (`WEBHOOK_SECRET`). @default 'webhook-secret' */
  readonly webhookSecretName?: string;
  /**
   * Named webhook sources, `POST /webhooks/<name>` each (README "Webhook sources"); their
   * `secretNames` are secrets in the foundation's Key Vault. `verify: 'none'` is refused in `prod`.
   * @default [] - only `POST /webhook`
   */
  readonly sources?: readonly WebhookSource[];
  /** Largest accepted body (`MAX_BODY_BYTES`); the WAF body limit follows it. @default 1048576 */
  readonly maxBodyBytes?: number;
  /** vCPU per replica. @default 0.5 */
  readonly cpu?: number;
  /** @default 2 */
  readonly minReplicas?: number;
  /** @default 10 */
  readonly maxReplicas?: number;
  /** @default 50 */
  readonly concurrentRequestsPerReplica?: number;
}

/** The NGINX proxy tier of `WebhookPlatform` (`WebhookPlatformProps.proxy`). */
export interface PlatformProxyOptions {
  /** Repository of the NGINX image. @default 'webhook-nginx' */
  readonly imageName?: string;
  /** Tag of the NGINX image. */
  readonly imageTag: string;
  /** @default 'containerApps' */
  readonly hosting?: ProxyHosting;
  /** Required with hosting `functionsPremium`. @default - none */
  readonly functionsPremium?: FunctionsPremiumOptions;
  /** @default 2 */
  readonly minReplicas?: number;
  /** @default 10 */
  readonly maxReplicas?: number;
  /** @default 100 */
  readonly concurrentRequestsPerReplica?: number;
  /**
   * CIDRs allowed to call NGINX (Container Apps ingress IP restrictions): the gateway subnet, so
   * nothing else in the virtual network bypasses the WAF. Required when the foundation's network
   * was brought by id (its CIDRs are unknown at synth).
   * @default - the created network's gateway subnet
   */
  readonly allowedSourceCidrs?: readonly string[];
  /**
   * Proxies whose `X-Forwarded-For` NGINX believes (`TRUSTED_PROXY_CIDR`).
   * @default - `allowedSourceCidrs` plus the created network's apps subnet (the environment's
   * ingress is the peer NGINX sees)
   */
  readonly trustedProxyCidrs?: readonly string[];
}

/** The Container Apps environment of `WebhookPlatform`, created or brought (`WebhookPlatformProps.containerApps`). */
export interface PlatformContainerAppsOptions {
  /** Zone-redundant environment (cannot change after creation). @default true */
  readonly zoneRedundancyEnabled?: boolean;
  /**
   * Resource group Azure creates for the environment's infrastructure; must not exist. Force-new.
   * @default - `ME_<environment name>` (always set: left to Azure, every later plan would replace
   * the environment)
   */
  readonly infrastructureResourceGroupName?: string;
  /** An existing internal environment. @default - one is created in the apps subnet */
  readonly existing?: IContainerAppsEnvironment;
}

/** The Application Gateway of `WebhookPlatform` (`WebhookPlatformProps.ingress`). */
export interface PlatformIngressOptions {
  /** Key Vault secret holding the gateway's TLS certificate (PFX, imported by an operator). @default 'gateway-tls' */
  readonly certificateSecretName?: string;
  /**
   * The DNS name senders use (your CNAME to the gateway); the listener answers only it.
   * @default - any host; the platform's `hostName` is the public IP's Azure-provided name
   */
  readonly hostName?: string;
  /**
   * DNS label of the gateway's public IP: `<label>.<region>.cloudapp.azure.com`, unique in the region.
   * @default - `<workload>-<environment>-<unique suffix>`
   */
  readonly domainNameLabel?: string;
  /** @default 2 */
  readonly minCapacity?: number;
  /** @default 10 */
  readonly maxCapacity?: number;
  /** @default ['1', '2', '3'] */
  readonly zones?: readonly string[];
  /** @default - Prevention, Microsoft_DefaultRuleSet 2.1, body limit from the runtime's */
  readonly waf?: WafOptions;
}

/** The metric alerts of `WebhookPlatform` and their thresholds (`WebhookPlatformProps.alerts`). */
export interface PlatformAlertOptions {
  /** Create the metric alerts at all. @default true */
  readonly enabled?: boolean;
  /**
   * Create the alerts although the foundation has no action group: they fire in Azure Monitor and
   * notify nobody (a warning annotation says so). Refused in environment `prod`.
   * @default false - no action group is an error
   */
  readonly notifyNobody?: boolean;
  /** Active messages above which the backlog alert fires (Service Bus). @default 1000 */
  readonly backlogMessages?: number;
  /** Gateway 5xx responses per 5 minutes above which the alert fires. @default 10 */
  readonly gateway5xx?: number;
  /** Average backend response time (ms) above which the alert fires. @default 1000 */
  readonly backendResponseTimeMs?: number;
  /** Container restarts per 15 minutes above which the alert fires. @default 3 */
  readonly containerRestarts?: number;
}

/**
 * The dead-letter re-drive job of `WebhookPlatform` (`WebhookPlatformProps.redriveJob`): a
 * `DeadLetterRedriveJob` on the foundation's Service Bus, running the runtime's image.
 */
export interface PlatformRedriveJobOptions {
  /**
   * The topic subscription to re-drive. Required when the foundation's bus is a topic.
   * @default - none: the queue's dead-letter queue
   */
  readonly subscriptionName?: string;
  /**
   * Further `dlq redrive` options, e.g. `['--rate', '100']` (not the entity's: those come from the bus).
   * @default - none
   */
  readonly args?: readonly string[];
  /** vCPU of the job's replica (memory is twice it). @default 0.5 */
  readonly cpu?: number;
  /** Seconds an execution may run, 60–86400. @default 1800 */
  readonly replicaTimeoutInSeconds?: number;
}
