/**
 * The seed's hosting of the proxy tier, made to work: an Elastic Premium plan (EP1–EP3) running
 * the NGINX custom-handler image (`nginx/Dockerfile.functions`) as a Linux function app, VNet
 * integrated (so it reaches the runtime in the internal environment), pulling by managed identity,
 * HTTPS only, FTP off, and reachable only by the gateway: through a private endpoint (public
 * access off) or, without one, through an access restriction to the gateway subnet. See docs/decisions/0006 and 0007.
 */
import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { LinuxFunctionApp } from '@cdktf/provider-azurerm/lib/linux-function-app';
import { addDiagnosticSettings } from '../core/diagnostics';
import type { ManagedIdentity } from '../core/identity';
import { grantRole, roleAssignmentId } from '../core/role-assignment';
import { intInRange, oneOf, validate, check } from '../core/validation';
import { PrivateLink, type PrivateEndpointOptions } from '../shared/private-link';
import { PROBE_PATHS } from '../../runtime/src/contract';
import type { ProxyEnvironment } from './proxy-contract';

/** The Elastic Premium plan sizes the Functions-hosted proxy accepts. */
export const ELASTIC_PREMIUM_SKUS = ['EP1', 'EP2', 'EP3'] as const;
/** An Elastic Premium plan size (`EP1`-`EP3`). */
export type ElasticPremiumSku = (typeof ELASTIC_PREMIUM_SKUS)[number];

/** Storage account the Functions host keeps its state in, reached by managed identity (no key). */
export interface FunctionsStorage {
  readonly name: string;
  readonly id: string;
}

/** Options of hosting `functionsPremium`. */
export interface FunctionsPremiumOptions {
  /** Subnet the function app integrates with (delegated to `Microsoft.Web/serverFarms`). */
  readonly integrationSubnetId: string;
  /**
   * A private endpoint (sub-resource `sites`, zone `privatelink.azurewebsites.net`): the gateway
   * then reaches the app privately and public network access is turned off.
   * @default - no private endpoint: public access restricted to `gatewaySubnetId`
   */
  readonly privateEndpoint?: PrivateEndpointOptions;
  /**
   * Subnet of the Application Gateway, the only source allowed on the public endpoint (the subnet
   * needs the `Microsoft.Web` service endpoint). Required without `privateEndpoint`.
   * @default - none
   */
  readonly gatewaySubnetId?: string;
  /** Host storage (`AzureWebJobsStorage`), accessed with the app's identity. */
  readonly storage: FunctionsStorage;
  /** Log Analytics workspace for the function app's diagnostics (FunctionAppLogs + metrics). */
  readonly logAnalyticsWorkspaceId: string;
  /** Plan size. @default 'EP1' */
  readonly sku?: ElasticPremiumSku;
  /**
   * Always-ready instances (Premium never scales to zero); at least 3 when zone balanced.
   * @default 3
   */
  readonly minimumInstances?: number;
  /**
   * Spread the plan's instances across availability zones (force-new; region must have zones).
   * @default true
   */
  readonly zoneBalancingEnabled?: boolean;
  /** Maximum elastic instances, at most 100 on Premium. @default 20 */
  readonly maximumInstances?: number;
  /** Minutes an instance may fail `/healthz` before it is replaced, 2–10. @default 2 */
  readonly healthCheckEvictionMinutes?: number;
}

/** Props of `ProxyFunctionApp` (set by `ProxyTier` with hosting `functionsPremium`). */
export interface ProxyFunctionAppProps extends FunctionsPremiumOptions {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly identity: ManagedIdentity;
  readonly registryLoginServer: string;
  readonly imageName: string;
  readonly imageTag: string;
  /** Application settings read by the NGINX image (nginx/render.sh: UPSTREAM_SERVERS, MAX_BODY_BYTES, …). */
  readonly appSettings: ProxyEnvironment;
  readonly dependsOn: ITerraformDependable[];
  readonly tags: Record<string, string>;
}

/**
 * The `ProxyFunctionApp` construct.
 *
 * @example
 * ```ts
 * // Created by ProxyTier with hosting 'functionsPremium':
 * const proxy = new ProxyTier(this, 'Proxy', { environment, runtime, name: 'func-webhooks-proxy', registry,
 *   imageName: 'webhook-nginx-functions', imageTag: '1.0.0', hosting: 'functionsPremium', functionsPremium });
 * proxy.functionApp?.fqdn; // <name>.azurewebsites.net
 * ```
 */
export class ProxyFunctionApp extends Construct {
  public readonly servicePlan: ServicePlan;
  public readonly functionApp: LinuxFunctionApp;
  /** `<name>.azurewebsites.net` (resolves to the private endpoint inside the VNet when there is one). */
  public readonly fqdn: string;
  public readonly privateLink?: PrivateLink;

  constructor(scope: Construct, id: string, props: ProxyFunctionAppProps) {
    super(scope, id);
    const sku = props.sku ?? 'EP1';
    const min = props.minimumInstances ?? 3;
    const zoneBalancing = props.zoneBalancingEnabled ?? true;
    const max = props.maximumInstances ?? 20;
    const eviction = props.healthCheckEvictionMinutes ?? 2;
    validate(`ProxyTier '${scope.node.path}' functionsPremium`, [
      oneOf('functionsPremium.sku', sku, ELASTIC_PREMIUM_SKUS),
      intInRange('functionsPremium.minimumInstances', min, 1, 20),
      intInRange('functionsPremium.maximumInstances', max, 1, 100),
      check('functionsPremium.minimumInstances', min <= max, `at most maximumInstances (${max})`, min),
      check(
        'functionsPremium.minimumInstances',
        !zoneBalancing || min >= 3,
        'at least 3 when zoneBalancingEnabled (a zone-redundant Premium plan runs 3 or more instances)',
        min,
      ),
      intInRange('functionsPremium.healthCheckEvictionMinutes', eviction, 2, 10),
      check(
        'functionsPremium.gatewaySubnetId',
        props.privateEndpoint !== undefined || props.gatewaySubnetId !== undefined,
        'set when no privateEndpoint is given (the public endpoint must admit only the gateway)',
        props.gatewaySubnetId,
      ),
    ]);
    const isPrivate = props.privateEndpoint !== undefined;

    // The host's storage by identity: blobs for leases and keys, queues/tables unused by HTTP-only apps.
    const storageGrant = grantRole(this, roleAssignmentId('Storage Blob Data Owner', props.identity), {
      scopeId: props.storage.id,
      roleDefinitionName: 'Storage Blob Data Owner',
      principal: props.identity,
    });

    this.servicePlan = new ServicePlan(this, 'Plan', {
      name: `asp-${props.name}`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      osType: 'Linux',
      skuName: sku,
      workerCount: min,
      maximumElasticWorkerCount: max,
      zoneBalancingEnabled: zoneBalancing,
      tags: props.tags,
    });

    this.functionApp = new LinuxFunctionApp(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      servicePlanId: this.servicePlan.id,
      functionsExtensionVersion: '~4',
      storageAccountName: props.storage.name,
      storageUsesManagedIdentity: true,
      identity: { type: 'UserAssigned', identityIds: [props.identity.id] },
      keyVaultReferenceIdentityId: props.identity.id,
      httpsOnly: true,
      publicNetworkAccessEnabled: !isPrivate,
      ftpPublishBasicAuthenticationEnabled: false,
      webdeployPublishBasicAuthenticationEnabled: false,
      virtualNetworkSubnetId: props.integrationSubnetId,
      vnetImagePullEnabled: true,
      appSettings: {
        FUNCTIONS_WORKER_RUNTIME: 'custom',
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: props.identity.clientId,
        ...sortedRecord(props.appSettings),
      },
      siteConfig: {
        alwaysOn: false,
        elasticInstanceMinimum: min,
        appScaleLimit: max,
        healthCheckPath: PROBE_PATHS.liveness,
        healthCheckEvictionTimeInMin: eviction,
        ftpsState: 'Disabled',
        minimumTlsVersion: '1.2',
        scmMinimumTlsVersion: '1.2',
        http2Enabled: true,
        vnetRouteAllEnabled: true,
        runtimeScaleMonitoringEnabled: true,
        containerRegistryUseManagedIdentity: true,
        containerRegistryManagedIdentityClientId: props.identity.clientId,
        applicationStack: {
          docker: [
            {
              registryUrl: `https://${props.registryLoginServer}`,
              imageName: props.imageName,
              imageTag: props.imageTag,
            },
          ],
        },
        ipRestrictionDefaultAction: 'Deny',
        ipRestriction:
          props.gatewaySubnetId === undefined
            ? undefined
            : [
                {
                  name: 'allow-gateway-subnet',
                  action: 'Allow',
                  priority: 100,
                  virtualNetworkSubnetId: props.gatewaySubnetId,
                },
              ],
        scmIpRestrictionDefaultAction: 'Deny',
        scmUseMainIpRestriction: false,
      },
      dependsOn: [...props.dependsOn, storageGrant],
      tags: props.tags,
    });
    this.fqdn = this.functionApp.defaultHostname;
    if (props.privateEndpoint !== undefined) {
      this.privateLink = new PrivateLink(this, 'PrivateLink', {
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        targetResourceId: this.functionApp.id,
        endpointName: `pep-${props.name}`,
        subresourceName: 'sites',
        privateDnsZoneName: 'privatelink.azurewebsites.net',
        endpoint: props.privateEndpoint,
        tags: props.tags,
      });
    }
    addDiagnosticSettings(this, 'Diagnostics', {
      targetResourceId: this.functionApp.id,
      logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
    });
  }
}

/** `r` with its keys sorted (stable plans), unset (`undefined`) ones left out. */
function sortedRecord(r: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(r)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
