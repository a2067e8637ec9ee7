/**
 * ImageRegistry: the Azure Container Registry the runtime and NGINX images are pulled from, by
 * managed identity (`grantPull`): admin user off, anonymous pull off. Private (Premium, public
 * network access off, private endpoint) when a private endpoint is given.
 */
import { Construct } from 'constructs';
import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { IPrincipal } from '../core/identity';
import { addDiagnosticSettings } from '../core/diagnostics';
import { grantRole, roleAssignmentId } from '../core/role-assignment';
import { check, intInRange, matches, validate, type Rule } from '../core/validation';
import { PrivateLink, type PrivateEndpointOptions } from './private-link';

/**
 * What a container app needs from the registry it pulls from by managed identity: the part of
 * `IImageRegistry` that `WebhookRuntime` and `ProxyTier` take.
 */
export interface IPullRegistry {
  /** `<name>.azurecr.io`: the `server` of a container app's `registry` block. */
  readonly loginServer: string;
  /**
   * Lets `principal` pull images (AcrPull on the registry). A container app depends on the
   * returned assignment, so its first revision can pull.
   */
  grantPull(principal: IPrincipal): RoleAssignment;
}

/** A registry workloads pull from: created by `ImageRegistry` or imported. */
export interface IImageRegistry extends IPullRegistry {
  /** Resource id of the registry (scope of the role assignments). */
  readonly registryId: string;
  /** Lets `principal` push images (AcrPush on the registry), e.g. the build pipeline's identity. */
  grantPush(principal: IPrincipal): RoleAssignment;
}

/** Attributes of an existing registry, for `ImageRegistry.fromRegistryId`. */
export interface ImageRegistryAttributes {
  readonly registryId: string;
  readonly loginServer: string;
}

/**
 * What created and imported registries share: `grantPull` and `grantPush`, one role assignment per
 * principal and role. Extend it only to wrap a registry created by other means.
 *
 * @example
 * ```ts
 * const registry: ImageRegistryBase = new ImageRegistry(this, 'Registry', { name: 'crwebhooksprod7f3a', resourceGroupName, location });
 * registry.grantPush(pipelineIdentity); // AcrPush
 * ```
 */
export abstract class ImageRegistryBase extends Construct implements IImageRegistry {
  public abstract readonly registryId: string;
  public abstract readonly loginServer: string;
  private readonly grants = new Map<string, RoleAssignment>();

  public grantPull(principal: IPrincipal): RoleAssignment {
    return this.grant('AcrPull', principal);
  }

  public grantPush(principal: IPrincipal): RoleAssignment {
    return this.grant('AcrPush', principal);
  }

  private grant(role: 'AcrPull' | 'AcrPush', principal: IPrincipal): RoleAssignment {
    const id = roleAssignmentId(role, principal);
    const existing = this.grants.get(id);
    if (existing) return existing;
    const assignment = grantRole(this, id, { scopeId: this.registryId, roleDefinitionName: role, principal });
    this.grants.set(id, assignment);
    return assignment;
  }
}

/** Azure Container Registry SKUs. */
export type ImageRegistrySku = 'Basic' | 'Standard' | 'Premium';

/** Props of `ImageRegistry`. */
export interface ImageRegistryProps {
  /** Registry name: 5–50 letters and digits, globally unique. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * A private endpoint (sub-resource `registry`, zone `privatelink.azurecr.io`); requires Premium.
   * @default - no private endpoint
   */
  readonly privateEndpoint?: PrivateEndpointOptions;
  /**
   * SKU. Private endpoints, network rules, zone redundancy and retention need Premium.
   * @default - 'Premium' with a private endpoint, else 'Standard'
   */
  readonly sku?: ImageRegistrySku;
  /**
   * Whether the public endpoint accepts traffic. Turning it off without a private endpoint makes
   * the registry unreachable.
   * @default - false with a private endpoint, else true
   */
  readonly publicNetworkAccessEnabled?: boolean;
  /**
   * What the public endpoint does with addresses no rule allows (Premium only; only meaningful
   * with public network access on). `Deny` with no IP rule in Terraform is the mode for a
   * Microsoft-hosted pipeline agent: it adds its own egress IP for the length of a push and removes
   * it (pipelines/deploy/data-plane-access.sh), while workloads pull through the private endpoint.
   * @default - 'Deny' on Premium with public network access on; no rule set otherwise
   */
  readonly publicDefaultAction?: 'Allow' | 'Deny';
  /**
   * Zone redundancy (Premium only; cannot change after creation).
   * @default - true on Premium, else false
   */
  readonly zoneRedundancyEnabled?: boolean;
  /**
   * Days untagged manifests are kept before deletion (Premium only), 0–365.
   * @default - 7 on Premium, else no retention policy
   */
  readonly retentionPolicyInDays?: number;
  /**
   * Regions to geo-replicate to (Premium only).
   * @default []
   */
  readonly georeplicationLocations?: string[];
  /**
   * Log Analytics workspace for diagnostic settings (allLogs + AllMetrics).
   * @default - no diagnostic settings
   */
  readonly logAnalyticsWorkspaceId?: string;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

const REGISTRY_NAME = /^[a-zA-Z0-9]{5,50}$/;

function validateProps(path: string, props: ImageRegistryProps, sku: ImageRegistrySku): void {
  // Each of these is accepted by `terraform plan` on Basic/Standard and fails only at apply.
  const premiumOnly: [string, boolean][] = [
    ['privateEndpoint', props.privateEndpoint !== undefined],
    ['zoneRedundancyEnabled', props.zoneRedundancyEnabled === true],
    ['retentionPolicyInDays', props.retentionPolicyInDays !== undefined],
    ['georeplicationLocations', (props.georeplicationLocations ?? []).length > 0],
    ['publicDefaultAction', props.publicDefaultAction !== undefined],
  ];
  const rules: Rule[] = [
    matches('name', props.name, REGISTRY_NAME, '5-50 letters or digits (no hyphens)'),
    intInRange('retentionPolicyInDays', props.retentionPolicyInDays, 0, 365),
    ...premiumOnly.map(([field, used]) =>
      check(`sku (${field} is set)`, !used || sku === 'Premium', "'Premium'", sku),
    ),
  ];
  validate(`ImageRegistry '${path}'`, rules);
}

/**
 * An Azure Container Registry pulled from by managed identity.
 *
 * @example
 * ```ts
 * const registry = new ImageRegistry(this, 'Registry', {
 *   name: 'crwebhooksprod7f3a',
 *   resourceGroupName: 'rg-webhooks-prod-weu',
 *   location: 'westeurope',
 *   privateEndpoint: { subnetId: network.privateEndpointSubnetId, virtualNetworkId: network.virtualNetworkId },
 * });
 * registry.grantPull(identity); // AcrPull
 * ```
 */
export class ImageRegistry extends ImageRegistryBase {
  /** Imports an existing registry; `grantPull` works the same on it. */
  public static fromRegistryId(scope: Construct, id: string, attrs: ImageRegistryAttributes): IImageRegistry {
    class Imported extends ImageRegistryBase {
      public readonly registryId = attrs.registryId;
      public readonly loginServer = attrs.loginServer;
    }
    return new Imported(scope, id);
  }

  public readonly registry: ContainerRegistry;
  public readonly registryId: string;
  public readonly loginServer: string;
  public readonly privateLink?: PrivateLink;
  /** Registry name (the `--name` of `az acr login`). */
  public readonly registryName: string;

  constructor(scope: Construct, id: string, props: ImageRegistryProps) {
    super(scope, id);
    const isPrivate = props.privateEndpoint !== undefined;
    const sku = props.sku ?? (isPrivate ? 'Premium' : 'Standard');
    validateProps(this.node.path, props, sku);
    const premium = sku === 'Premium';
    const publicAccess = props.publicNetworkAccessEnabled ?? !isPrivate;
    const tags = props.tags ?? {};

    this.registry = new ContainerRegistry(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku,
      adminEnabled: false,
      anonymousPullEnabled: false,
      publicNetworkAccessEnabled: publicAccess,
      // Dedicated data endpoints keep layer downloads on the registry's private endpoint.
      dataEndpointEnabled: premium && isPrivate,
      ...(premium && publicAccess
        ? {
            // Rules in Terraform stay empty: an IP a deployer adds for a push and forgets shows up
            // in the next plan as a change back to none.
            networkRuleSet: [{ defaultAction: props.publicDefaultAction ?? 'Deny', ipRule: [] }],
            networkRuleBypassOption: 'AzureServices',
          }
        : {}),
      // No export of artifacts out of a closed registry (the provider allows it only then).
      exportPolicyEnabled: premium && !publicAccess ? false : undefined,
      zoneRedundancyEnabled: props.zoneRedundancyEnabled ?? premium,
      retentionPolicyInDays: premium ? (props.retentionPolicyInDays ?? 7) : undefined,
      // Omitted when empty: an empty list is how checkov's CKV_AZURE_233 crashes instead of checking.
      georeplications:
        (props.georeplicationLocations ?? []).length === 0
          ? undefined
          : (props.georeplicationLocations ?? []).map((location) => ({
              location,
              zoneRedundancyEnabled: true,
              tags,
            })),
      tags,
      // Azure now makes every registry in a zone-capable region zone redundant whatever this says,
      // and is changing what the API reports (Microsoft Learn, "Zone redundancy" in Container
      // Registry; provider PR #31808 deprecates the argument). It is ForceNew: a report that
      // differs from the configuration would replace the registry, and every image with it, on
      // every plan. Setting it has no effect after creation anyway.
      lifecycle: { ignoreChanges: ['zone_redundancy_enabled'] },
    });
    this.registryId = this.registry.id;
    this.loginServer = this.registry.loginServer;
    this.registryName = this.registry.name;

    if (props.privateEndpoint) {
      this.privateLink = new PrivateLink(this, 'PrivateLink', {
        endpoint: props.privateEndpoint,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        targetResourceId: this.registry.id,
        endpointName: `pe-${props.name}`,
        subresourceName: 'registry',
        privateDnsZoneName: 'privatelink.azurecr.io',
        tags,
      });
    }
    if (props.logAnalyticsWorkspaceId !== undefined) {
      addDiagnosticSettings(this, 'Diagnostics', {
        targetResourceId: this.registry.id,
        logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      });
    }
  }
}
