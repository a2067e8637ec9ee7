import { Construct, type IConstruct } from 'constructs';
import { ContainerAppEnvironment } from '@cdktf/provider-azurerm/lib/container-app-environment';
import { check, matches, oneOf, intInRange, validate, type Rule } from '../core/validation';
import { addDiagnosticSettings } from '../core/diagnostics';
import type { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { prefixLength, subnetFacts, type SubnetFacts, type SubnetRef } from './subnet';

/** The delegation Container Apps needs on its infrastructure subnet (workload profiles environments). */
export const CONTAINER_APPS_DELEGATION = 'Microsoft.App/environments';
/** Smallest subnet Microsoft allows for a workload-profiles environment. */
export const MIN_WORKLOAD_PROFILES_PREFIX = 27;

/** An environment apps can be placed in: created by `ContainerAppsEnvironment` or imported. */
export interface IContainerAppsEnvironment extends IConstruct {
  /** Resource id of the environment. */
  readonly environmentId: string;
  /** The environment's default domain (`<unique>.<region>.azurecontainerapps.io`). */
  readonly defaultDomain: string;
  /** The environment's ingress IP: a private IP in the subnet when internal. */
  readonly staticIpAddress: string;
  /** Whether ingress is on an internal load balancer (reachable only from the virtual network). */
  readonly internal: boolean;
  readonly resourceGroupName: string;
  readonly location: string;
  /** Workload profile apps run on unless they choose another. */
  readonly defaultWorkloadProfileName: string;
  /** The infrastructure subnet, when known (WebhookIngress refuses to share it). */
  readonly infrastructureSubnet?: SubnetFacts;
}

/** A workload profile of the environment. */
export interface WorkloadProfile {
  /** Profile name; a `Consumption` profile must be named `Consumption`. */
  readonly name: string;
  /** `Consumption`, or a dedicated size: `D4`…`D32`, `E4`…`E32`. */
  readonly type: string;
  /** Minimum dedicated instances (ignored for Consumption). @default 1 */
  readonly minimumCount?: number;
  /** Maximum dedicated instances (ignored for Consumption). @default 3 */
  readonly maximumCount?: number;
}

export const WORKLOAD_PROFILE_TYPES = ['Consumption', 'D4', 'D8', 'D16', 'D32', 'E4', 'E8', 'E16', 'E32'];

/** Props of `ContainerAppsEnvironment`. */
export interface ContainerAppsEnvironmentProps {
  /** Environment name: 2–60 lowercase letters, digits and hyphens. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * Infrastructure subnet: /27 or larger, delegated to `Microsoft.App/environments`, used by
   * nothing else. Checked at synth when a provider `Subnet` is passed; an id is taken on trust.
   */
  readonly infrastructureSubnet: SubnetRef;
  /** Log Analytics workspace receiving the apps' console and system logs. */
  readonly logAnalyticsWorkspaceId: string;
  /**
   * How logs reach the workspace. `azure-monitor` sends them through a diagnostic setting on the
   * environment (Entra ID auth, works with workspace local auth disabled, as Observability does by
   * default). `log-analytics` has the environment write with the workspace shared key: it REQUIRES
   * local (key) auth enabled on the workspace, otherwise Azure refuses the writes.
   * @default 'azure-monitor'
   */
  readonly logsDestination?: 'azure-monitor' | 'log-analytics';
  /**
   * Ingress on an internal load balancer (no public IP). Force-new.
   * @default true
   */
  readonly internal?: boolean;
  /**
   * Spread replicas across availability zones (the region must have zones). Force-new.
   * @default true
   */
  readonly zoneRedundancyEnabled?: boolean;
  /**
   * Workload profiles. At least one is always declared: an environment created without one can
   * never get one later.
   * @default `[{ name: 'Consumption', type: 'Consumption' }]`
   */
  readonly workloadProfiles?: readonly WorkloadProfile[];
  /**
   * Encrypt traffic between apps inside the environment (peer-to-peer mTLS, preview).
   * @default false
   */
  readonly mutualTlsEnabled?: boolean;
  /**
   * Name of the resource group Azure creates for the environment's infrastructure (load balancer,
   * public IPs of the platform). Must not exist yet. Always set: azurerm 4.55 declares this argument
   * Optional + ForceNew but not Computed, and Azure fills in `ME_<env>_<rg>_<region>` when it is
   * left out, so every later plan would replace the environment and every app in it (provider
   * issues #27481, #28727, #31839). Force-new: changing it replaces the environment.
   * @default - `ME_<name>`
   */
  readonly infrastructureResourceGroupName?: string;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

/** Attributes of an existing environment, for `ContainerAppsEnvironment.fromEnvironmentAttributes`. */
export interface ContainerAppsEnvironmentAttributes {
  readonly environmentId: string;
  readonly defaultDomain: string;
  readonly staticIpAddress: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** @default true */
  readonly internal?: boolean;
  /** @default 'Consumption' */
  readonly defaultWorkloadProfileName?: string;
  /** @default - unknown (the gateway-subnet check then only compares ids) */
  readonly infrastructureSubnet?: SubnetRef;
}

class ImportedEnvironment extends Construct implements IContainerAppsEnvironment {
  public readonly environmentId: string;
  public readonly defaultDomain: string;
  public readonly staticIpAddress: string;
  public readonly internal: boolean;
  public readonly resourceGroupName: string;
  public readonly location: string;
  public readonly defaultWorkloadProfileName: string;
  public readonly infrastructureSubnet?: SubnetFacts;

  constructor(scope: Construct, id: string, attrs: ContainerAppsEnvironmentAttributes) {
    super(scope, id);
    this.environmentId = attrs.environmentId;
    this.defaultDomain = attrs.defaultDomain;
    this.staticIpAddress = attrs.staticIpAddress;
    this.internal = attrs.internal ?? true;
    this.resourceGroupName = attrs.resourceGroupName;
    this.location = attrs.location;
    this.defaultWorkloadProfileName = attrs.defaultWorkloadProfileName ?? 'Consumption';
    this.infrastructureSubnet =
      attrs.infrastructureSubnet === undefined ? undefined : subnetFacts(attrs.infrastructureSubnet);
  }
}

/**
 * ContainerAppsEnvironment: an internal Azure Container Apps environment with workload profiles,
 * injected into a delegated subnet, logging to Log Analytics. Internal means its apps are reached
 * only through the virtual network (App Gateway in front, see WebhookIngress).
 *
 * @example
 * ```ts
 * const environment = new ContainerAppsEnvironment(this, 'Environment', {
 *   name: 'cae-webhooks-prod-weu',
 *   resourceGroupName: 'rg-webhooks-prod-weu',
 *   location: 'westeurope',
 *   infrastructureSubnet: network.appsSubnet, // /27 or larger, delegated to Microsoft.App/environments
 *   logAnalyticsWorkspaceId: observability.workspaceId,
 * });
 * ```
 */
export class ContainerAppsEnvironment extends Construct implements IContainerAppsEnvironment {
  /** An environment created elsewhere, with the same interface as a created one. */
  public static fromEnvironmentAttributes(
    scope: Construct,
    id: string,
    attrs: ContainerAppsEnvironmentAttributes,
  ): IContainerAppsEnvironment {
    return new ImportedEnvironment(scope, id, attrs);
  }

  /** The underlying `azurerm_container_app_environment`. */
  public readonly resource: ContainerAppEnvironment;
  public readonly environmentId: string;
  public readonly defaultDomain: string;
  public readonly staticIpAddress: string;
  public readonly internal: boolean;
  public readonly resourceGroupName: string;
  public readonly location: string;
  public readonly defaultWorkloadProfileName: string;
  public readonly infrastructureSubnet: SubnetFacts;
  /** The resource group Azure keeps the environment's infrastructure in (set, never left to Azure). */
  public readonly infrastructureResourceGroupName: string;
  /** Where logs go (see `ContainerAppsEnvironmentProps.logsDestination`). */
  public readonly logsDestination: 'azure-monitor' | 'log-analytics';
  /** Diagnostic setting to the workspace; set only with `logsDestination: 'azure-monitor'`. */
  public readonly diagnosticSetting?: MonitorDiagnosticSetting;

  constructor(scope: Construct, id: string, props: ContainerAppsEnvironmentProps) {
    super(scope, id);
    const profiles = props.workloadProfiles ?? [{ name: 'Consumption', type: 'Consumption' }];
    const subnet = subnetFacts(props.infrastructureSubnet);
    validate(`ContainerAppsEnvironment '${this.node.path}'`, [
      matches('name', props.name, /^[a-z][a-z0-9-]{0,58}[a-z0-9]$/, '2-60 lowercase letters, digits or -'),
      matches(
        'infrastructureResourceGroupName',
        props.infrastructureResourceGroupName,
        /^[-\w._()]{0,89}[-\w_()]$/,
        '1-90 letters, digits, _ - . ( ), not ending with "."',
      ),
      check('workloadProfiles', profiles.length > 0, 'at least one profile', profiles.length),
      ...profiles.flatMap((p, i) => profileRules(`workloadProfiles[${i}]`, p)),
      ...subnetRules(subnet),
    ]);

    this.internal = props.internal ?? true;
    this.infrastructureResourceGroupName = props.infrastructureResourceGroupName ?? `ME_${props.name}`;
    this.logsDestination = props.logsDestination ?? 'azure-monitor';
    this.resource = new ContainerAppEnvironment(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      infrastructureSubnetId: subnet.id,
      infrastructureResourceGroupName: this.infrastructureResourceGroupName,
      internalLoadBalancerEnabled: this.internal,
      zoneRedundancyEnabled: props.zoneRedundancyEnabled ?? true,
      logsDestination: this.logsDestination,
      logAnalyticsWorkspaceId:
        this.logsDestination === 'log-analytics' ? props.logAnalyticsWorkspaceId : undefined,
      mutualTlsEnabled: props.mutualTlsEnabled ?? false,
      workloadProfile: profiles.map((p) => ({
        name: p.name,
        workloadProfileType: p.type,
        minimumCount: p.type === 'Consumption' ? undefined : (p.minimumCount ?? 1),
        maximumCount: p.type === 'Consumption' ? undefined : (p.maximumCount ?? 3),
      })),
      tags: props.tags ?? {},
    });
    if (this.logsDestination === 'azure-monitor') {
      this.diagnosticSetting = addDiagnosticSettings(this, 'Diagnostics', {
        targetResourceId: this.resource.id,
        logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      });
    }
    this.environmentId = this.resource.id;
    this.defaultDomain = this.resource.defaultDomain;
    this.staticIpAddress = this.resource.staticIpAddress;
    this.resourceGroupName = props.resourceGroupName;
    this.location = props.location;
    this.defaultWorkloadProfileName =
      profiles.find((p) => p.type === 'Consumption')?.name ?? profiles[0]!.name;
    this.infrastructureSubnet = subnet;
  }
}

function profileRules(field: string, p: WorkloadProfile): Rule[] {
  return [
    oneOf(`${field}.type`, p.type, WORKLOAD_PROFILE_TYPES),
    check(
      `${field}.name`,
      p.type !== 'Consumption' || p.name === 'Consumption',
      '"Consumption" for the Consumption profile',
      p.name,
    ),
    intInRange(`${field}.minimumCount`, p.minimumCount, 0, 100),
    intInRange(`${field}.maximumCount`, p.maximumCount, 1, 100),
    check(
      `${field}.minimumCount`,
      (p.minimumCount ?? 1) <= (p.maximumCount ?? 3),
      `at most maximumCount (${p.maximumCount ?? 3})`,
      p.minimumCount ?? 1,
    ),
  ];
}

function subnetRules(subnet: SubnetFacts): Rule[] {
  const prefixes = subnet.addressPrefixes ?? [];
  return [
    ...prefixes.map((cidr) => {
      const len = prefixLength(cidr);
      return check(
        'infrastructureSubnet.addressPrefixes',
        len === undefined || len <= MIN_WORKLOAD_PROFILES_PREFIX,
        `/${MIN_WORKLOAD_PROFILES_PREFIX} or larger for a workload-profiles environment`,
        cidr,
      );
    }),
    check(
      'infrastructureSubnet.delegation',
      subnet.delegations === undefined || subnet.delegations.includes(CONTAINER_APPS_DELEGATION),
      `a delegation to ${CONTAINER_APPS_DELEGATION}`,
      subnet.delegations?.join(', ') ?? '',
    ),
  ];
}
