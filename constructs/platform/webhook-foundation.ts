/**
 * WebhookFoundation: the long-lived half of one environment, deployed first and rarely changed:
 * resource group, network, Log Analytics + Application Insights + action group, Key Vault,
 * container registry and message bus. It holds everything that must exist BEFORE the workloads can
 * start (the secrets the gateway and the runtime read, the images the apps pull), so a deploy goes
 * foundation → secrets and images → `WebhookPlatform` (docs/decisions/0010-first-deploy.md).
 *
 * Put it in its own stack and the platform stack reads it through cdktf cross-stack references; or
 * put both in one stack, where the platform orders its apps and gateway after the private endpoints
 * they need.
 */
import { Construct } from 'constructs';
import { TerraformResource, TerraformStack, type ITerraformDependable } from 'cdktf';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { DeployerPrincipal, ManagedIdentity, type IPrincipal } from '../core/identity';
import { resourceName } from '../core/naming';
import { check, oneOf, validate } from '../core/validation';
import { MessageBus, type IMessageBus } from '../messaging';
import { WebhookNetwork, type IWebhookNetwork } from '../network';
import { Observability } from '../observability';
import {
  ImageRegistry,
  SecretStore,
  type IImageRegistry,
  type ISecretStore,
  type PrivateEndpointOptions,
  type PrivateLink,
} from '../shared';
import { platformNames, type PlatformNames } from './names';
import type {
  PlatformMessagingOptions,
  PlatformNetworkOptions,
  PlatformObservabilityOptions,
  PlatformSharedServicesOptions,
} from './options';

/**
 * How the deployer reaches the Key Vault's and registry's data planes to write secrets and push
 * images, while workloads use the private endpoints:
 * - `agentIpFirewall`: public network access on, default action Deny and no IP rule in Terraform;
 *   a Microsoft-hosted pipeline agent adds its own egress IP for the length of one step and removes
 *   it (pipelines/deploy/data-plane-access.sh). For agents outside the virtual network.
 * - `privateNetwork`: public network access off; the deployer runs inside the virtual network (a
 *   self-hosted agent, Managed DevOps Pools, or an operator on a VPN).
 */
export type DeployerNetworkAccess = 'agentIpFirewall' | 'privateNetwork';

/**
 * The identities the platform's workloads run as, created with the foundation so that their
 * registry, bus and telemetry roles exist (and have propagated, which Azure RBAC takes minutes to
 * do) long before the first revision pulls an image or publishes. Only the Key Vault secret reads
 * are granted by the platform: a role on a secret needs the secret, written after the foundation.
 */
export interface WorkloadIdentities {
  /** The webhook runtime: AcrPull, the bus's Data Sender, Monitoring Metrics Publisher. */
  readonly runtime: ManagedIdentity;
  /** The NGINX proxy tier: AcrPull. */
  readonly proxy: ManagedIdentity;
  /** The Application Gateway (reads its certificate; granted by the platform). */
  readonly gateway: ManagedIdentity;
  /**
   * The platform's dead-letter re-drive job (`WebhookPlatformProps.redriveJob`): AcrPull, the
   * bus's Data Receiver and Data Sender. Only with `WebhookFoundationProps.redriveJob`.
   */
  readonly redrive?: ManagedIdentity;
}

/** Which data planes a deployer outside the network must open for itself (`agentIpFirewall`). */
export type DeployerIpRuleTarget = 'keyvault' | 'registry';

/** How the deployer reaches the vault and registry data planes, and who it is (`WebhookFoundationProps.deployer`). */
export interface DeployerAccessOptions {
  /** @default 'privateNetwork' */
  readonly network?: DeployerNetworkAccess;
  /**
   * Who deploys: gets Key Vault Secrets Officer and Certificates Officer on the vault and AcrPush
   * on the registry, so it can write the secrets and push the images the platform needs. `false`
   * grants nothing (roles are managed elsewhere).
   * @default - the identity running Terraform (`DeployerPrincipal`)
   */
  readonly principal?: IPrincipal | false;
}

/** Props of `WebhookFoundation`. */
export interface WebhookFoundationProps {
  /** Environment name used in names and tags, e.g. `prod`: 2–10 lowercase letters or digits. */
  readonly environment: string;
  /** Azure region: a programmatic name (`westeurope`) or a display name (`West Europe`). */
  readonly location: string;
  /**
   * Short code of the region in resource names (`weu`). Needed only for a region the built-in
   * table lacks (sovereign clouds, a brand-new region).
   * @default - from the region table in `core/regions`
   */
  readonly regionCode?: string;
  /** Workload name in resource names (`rg-<workload>-<env>-<region>`). @default 'webhooks' */
  readonly workload?: string;
  /**
   * Extra input to the deterministic suffix of globally unique names (Key Vault, registry, bus),
   * e.g. your organisation's name, so two organisations deploying the same environment do not
   * collide.
   * @default '' (the suffix derives from workload, environment and region)
   */
  readonly uniqueNameSeed?: string;
  /** An existing resource group. @default - `rg-<workload>-<env>-<region>` is created */
  readonly resourceGroupName?: string;
  /** Tags on every resource. @default - no tags */
  readonly tags?: Record<string, string>;
  /** @default - a VNet with gateway, apps and private-endpoint subnets */
  readonly network?: PlatformNetworkOptions;
  /** @default - a workspace with 30-day retention and Application Insights, no action group */
  readonly observability?: PlatformObservabilityOptions;
  /** @default - Service Bus Standard with queue `webhooks` */
  readonly messaging?: PlatformMessagingOptions;
  /** @default - a private Key Vault and a private Premium registry */
  readonly sharedServices?: PlatformSharedServicesOptions;
  /** @default - `privateNetwork`, roles for the identity running Terraform */
  readonly deployer?: DeployerAccessOptions;
  /**
   * Create the identity of the platform's dead-letter re-drive job (`WebhookPlatformProps.redriveJob`)
   * with AcrPull on the registry and Data Receiver and Data Sender on the bus's entity, as
   * `workloadIdentities.redrive`: Azure checks the job's registry access when the platform creates
   * it, and roles granted here have propagated by then. Service Bus only (Event Hubs has no
   * dead-letter queue). Set it wherever the platform of the same environment sets `redriveJob`.
   * @default false - no re-drive identity
   */
  readonly redriveJob?: boolean;
}

/** Foundations per stack, by resource group name (workload, environment, region): a second one would collide. */
const environmentsByStack = new WeakMap<TerraformStack, Set<string>>();

/**
 * The long-lived half of one environment: everything the workloads need before they start.
 *
 * @example
 * ```ts
 * const foundation = new WebhookFoundation(this, 'Foundation', {
 *   environment: 'prod',
 *   location: 'West Europe',
 *   uniqueNameSeed: 'contoso',
 *   observability: { actionGroup: { emailReceivers: [{ name: 'oncall', emailAddress: 'oncall@contoso.com' }] } },
 * });
 * ```
 */
export class WebhookFoundation extends Construct {
  public readonly names: PlatformNames;
  public readonly environment: string;
  public readonly workload: string;
  /** Normalised programmatic region name (`westeurope`). */
  public readonly location: string;
  public readonly tags: Record<string, string>;
  /** The resource group this construct created; undefined when one was brought. */
  public readonly resourceGroup?: ResourceGroup;
  public readonly resourceGroupName: string;
  public readonly network: IWebhookNetwork;
  /** The network this construct created (its Subnet objects let later constructs check sizes). */
  public readonly createdNetwork?: WebhookNetwork;
  public readonly observability: Observability;
  public readonly messageBus: IMessageBus;
  public readonly secretStore: ISecretStore;
  public readonly imageRegistry: IImageRegistry;
  /** Name of the created Key Vault (undefined when one was brought). */
  public readonly keyVaultName?: string;
  /** Name of the created registry (undefined when one was brought). */
  public readonly registryName?: string;
  /** The deployer granted write access to the vault and push to the registry, if any. */
  public readonly deployer?: IPrincipal;
  public readonly deployerNetworkAccess: DeployerNetworkAccess;
  /** Data planes a deployer outside the network must add its IP to (see `DeployerNetworkAccess`). */
  public readonly deployerIpRuleTargets: readonly DeployerIpRuleTarget[];
  /**
   * Private endpoints and private DNS zone links created here: the apps and the gateway need them
   * at first start (image pull, Key Vault references, certificate) without referencing them.
   */
  public readonly privateAccessDependencies: readonly ITerraformDependable[];
  /**
   * DNS label the platform gives the gateway's public IP, `<workload>-<env>-<suffix>`, and the
   * name it yields, `<label>.<region>.cloudapp.azure.com`: known before the platform exists, so a
   * certificate can be issued for it between the foundation and the platform apply.
   */
  public readonly gatewayDomainNameLabel: string;
  public readonly gatewayDefaultHostName: string;
  /** The identities `WebhookPlatform` runs its runtime, proxy, gateway and re-drive job as. */
  public readonly workloadIdentities: WorkloadIdentities;

  constructor(scope: Construct, id: string, props: WebhookFoundationProps) {
    super(scope, id);
    this.workload = props.workload ?? 'webhooks';
    this.environment = props.environment;
    this.names = platformNames({
      workload: this.workload,
      environment: props.environment,
      location: props.location,
      regionCode: props.regionCode,
      seed: props.uniqueNameSeed ?? '',
    });
    this.location = this.names.location;
    this.gatewayDomainNameLabel = `${this.workload}-${this.environment}-${this.names.suffix}`;
    this.gatewayDefaultHostName = `${this.gatewayDomainNameLabel}.${this.location}.cloudapp.azure.com`;
    this.tags = props.tags ?? {};
    this.deployerNetworkAccess = props.deployer?.network ?? 'privateNetwork';
    const messaging = props.messaging ?? {};
    const kind = messaging.kind ?? 'serviceBus';
    const redriveJob = props.redriveJob ?? false;
    const stack = TerraformStack.of(this);
    const taken = environmentsByStack.get(stack) ?? new Set<string>();
    environmentsByStack.set(stack, taken);
    validate(`WebhookFoundation '${this.node.path}'`, [
      oneOf('deployer.network', this.deployerNetworkAccess, ['agentIpFirewall', 'privateNetwork']),
      check(
        'environment',
        !taken.has(this.names.resourceGroup),
        `unique among the foundations of stack '${stack.node.id}' (two would create the same resource group ${this.names.resourceGroup} and collide at apply)`,
        this.environment,
      ),
      check(
        'messaging.serviceBus',
        kind !== 'kafka' || messaging.serviceBus === undefined,
        'unset when messaging.kind is "kafka" (it would be ignored)',
        'set',
      ),
      check(
        'messaging.kafka',
        kind !== 'serviceBus' || messaging.kafka === undefined,
        'unset when messaging.kind is "serviceBus" (it would be ignored; set kind: "kafka")',
        'set',
      ),
      check(
        'redriveJob',
        !redriveJob || (messaging.existing?.kind ?? kind) === 'serviceBus',
        'false or absent on a Kafka bus (Event Hubs has no dead-letter queue; replay with `webhooks-admin kafka replay`)',
        redriveJob,
      ),
    ]);
    taken.add(this.names.resourceGroup);
    const location = this.location;
    const nameParts = {
      workload: this.workload,
      environment: this.environment,
      location,
      regionCode: this.names.region,
    };
    const tags = this.tags;

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
    this.createdNetwork =
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
    this.network = net.existing ?? (this.createdNetwork as WebhookNetwork);
    const privateEndpoint: PrivateEndpointOptions = {
      subnetId: this.network.privateEndpointSubnetId,
      virtualNetworkId: this.network.virtualNetworkId,
    };

    const obs = props.observability ?? {};
    this.observability = new Observability(this, 'Observability', {
      ...base,
      name: `${this.workload}-${this.environment}-${this.names.region}`,
      existingWorkspaceId: obs.existingWorkspaceId,
      retentionInDays: obs.retentionInDays,
      actionGroup: obs.actionGroup,
      existingActionGroupId: obs.existingActionGroupId,
    });
    const logAnalyticsWorkspaceId = this.observability.workspaceId;

    this.messageBus =
      messaging.existing ?? this.createMessageBus(messaging, base, privateEndpoint, logAnalyticsWorkspaceId);

    const firewalled = this.deployerNetworkAccess === 'agentIpFirewall';
    const shared = props.sharedServices ?? {};
    const createdStore =
      shared.secretStore === undefined
        ? new SecretStore(this, 'Secrets', {
            ...base,
            name: this.names.keyVault,
            privateEndpoint,
            // Default action Deny either way: with the agent firewall the public endpoint answers
            // only the IP a deployer adds for the length of one step.
            publicNetworkAccessEnabled: firewalled,
            logAnalyticsWorkspaceId,
          })
        : undefined;
    this.secretStore = shared.secretStore ?? (createdStore as SecretStore);
    this.keyVaultName = createdStore?.vaultName;

    const privateRegistry = shared.privateRegistry ?? true;
    const createdRegistry =
      shared.imageRegistry === undefined
        ? new ImageRegistry(this, 'Registry', {
            ...base,
            name: this.names.containerRegistry,
            privateEndpoint: privateRegistry ? privateEndpoint : undefined,
            publicNetworkAccessEnabled: privateRegistry ? firewalled : true,
            logAnalyticsWorkspaceId,
          })
        : undefined;
    this.imageRegistry = shared.imageRegistry ?? (createdRegistry as ImageRegistry);
    this.registryName = createdRegistry?.registryName;

    this.deployerIpRuleTargets = firewalled
      ? [
          ...(createdStore ? (['keyvault'] as const) : []),
          ...(createdRegistry && privateRegistry ? (['registry'] as const) : []),
        ]
      : [];

    const deployer =
      props.deployer?.principal === false
        ? undefined
        : (props.deployer?.principal ?? new DeployerPrincipal(this, 'Deployer'));
    if (deployer !== undefined) {
      this.secretStore.grantSecretWrite(deployer);
      this.secretStore.grantCertificateWrite(deployer);
      this.imageRegistry.grantPush(deployer);
      this.deployer = deployer;
    }

    const identity = (id: string, name: string): ManagedIdentity =>
      new ManagedIdentity(this, id, { ...base, name: `id-${name}` });
    // Names as WebhookRuntime, ProxyTier, WebhookIngress and DeadLetterRedriveJob would give their own.
    this.workloadIdentities = {
      runtime: identity('RuntimeIdentity', `ca-runtime-${this.environment}`),
      proxy: identity('ProxyIdentity', `ca-proxy-${this.environment}`),
      gateway: identity('GatewayIdentity', `agw-${this.workload}-${this.environment}-${this.names.region}`),
      ...(redriveJob ? { redrive: identity('RedriveIdentity', `caj-redrive-${this.environment}`) } : {}),
    };
    this.imageRegistry.grantPull(this.workloadIdentities.runtime);
    this.imageRegistry.grantPull(this.workloadIdentities.proxy);
    this.messageBus.grantSend(this.workloadIdentities.runtime);
    this.observability.grantTelemetryPublish(this.workloadIdentities.runtime);
    const redrive = this.workloadIdentities.redrive;
    if (redrive !== undefined) {
      // The roles DeadLetterRedriveJob would grant its own identity, one apply earlier.
      this.messageBus.grantReceive(redrive);
      this.messageBus.grantSend(redrive);
      this.imageRegistry.grantPull(redrive);
    }

    const links: (PrivateLink | undefined)[] = [
      createdStore?.privateLink,
      createdRegistry?.privateLink,
      this.messageBus instanceof MessageBus ? this.messageBus.privateLink : undefined,
    ];
    this.privateAccessDependencies = links.flatMap((link) =>
      link === undefined
        ? []
        : link.node.children.filter((c): c is TerraformResource => c instanceof TerraformResource),
    );
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
}
