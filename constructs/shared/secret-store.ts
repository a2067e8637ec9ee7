/**
 * SecretStore: the Key Vault that holds the gateway's TLS certificate and the webhook signing
 * secrets. Secure by default: RBAC authorization (no access policies), purge protection, soft
 * delete, public network access off with network ACLs default Deny, optional private endpoint,
 * diagnostics to Log Analytics. Secret values are never set here (they would land in state):
 * operators or a pipeline write them; workloads read them by identity.
 */
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { IPrincipal } from '../core/identity';
import { addDiagnosticSettings } from '../core/diagnostics';
import { grantRole, roleAssignmentId } from '../core/role-assignment';
import { intInRange, matches, validate } from '../core/validation';
import { PrivateLink, type PrivateEndpointOptions } from './private-link';

/**
 * What a workload needs from the vault it reads secrets from: the part of `ISecretStore` that
 * `WebhookRuntime` and `WebhookIngress` take.
 */
export interface ISecretSource {
  /**
   * Versionless id (URL) of a secret in this vault, the form Container Apps and Application
   * Gateway take so that a rotated secret is picked up without a redeploy.
   */
  secretId(secretName: string): string;
  /**
   * Lets `principal` read secrets ("Key Vault Secrets User"), scoped to one secret when
   * `secretName` is given, else to the vault. `owner` is the construct whose stack creates the
   * assignment: give the reader when it is deployed after the secret is written (a role assignment
   * on a secret needs the secret).
   * @param owner - the construct whose stack creates the assignment (default: this vault's stack, or the principal's when that is another stack)
   */
  grantSecretRead(principal: IPrincipal, secretName?: string, owner?: Construct): RoleAssignment;
}

/** A secret held in Key Vault: the app reads it through its identity; no value enters Terraform. */
export interface KeyVaultSecretRef {
  readonly store: ISecretSource;
  /** Name of the secret in the vault. */
  readonly secretName: string;
}

/** A Key Vault the platform can read secrets from: created by `SecretStore` or imported. */
export interface ISecretStore extends ISecretSource {
  /** Resource id of the vault (scope of the role assignments). */
  readonly vaultId: string;
  /** `https://<name>.vault.azure.net/` */
  readonly vaultUri: string;
  /**
   * Lets `principal` create and rotate secrets ("Key Vault Secrets Officer" on the vault): the
   * deploying pipeline or operator that writes the signing secret, never a workload.
   */
  grantSecretWrite(principal: IPrincipal): RoleAssignment;
  /**
   * Lets `principal` import or create certificates ("Key Vault Certificates Officer" on the vault):
   * the deployer that imports the gateway's PFX or asks the vault for a self-signed one.
   */
  grantCertificateWrite(principal: IPrincipal): RoleAssignment;
}

/** Attributes of an existing vault, for `SecretStore.fromVaultId`. */
export interface SecretStoreAttributes {
  /** Resource id of the vault. */
  readonly vaultId: string;
  /** `https://<name>.vault.azure.net/` (the vault's `vault_uri`). */
  readonly vaultUri: string;
}

/**
 * What created and imported vaults share: versionless secret ids and the secret and certificate
 * grants, one role assignment per principal, role and scope. Extend it only to wrap a vault created
 * by other means.
 *
 * @example
 * ```ts
 * const vault: SecretStoreBase = new SecretStore(this, 'Vault', { name: 'kv-webhooks-prod-7f3a', resourceGroupName, location });
 * vault.secretId('webhook-secret'); // versionless: a rotated secret is picked up without a redeploy
 * ```
 */
export abstract class SecretStoreBase extends Construct implements ISecretStore {
  public abstract readonly vaultId: string;
  public abstract readonly vaultUri: string;
  private readonly grants = new Map<string, RoleAssignment>();

  public secretId(secretName: string): string {
    assertSecretName(secretName);
    // Azure's vault_uri ends with a slash; an imported URI typed without one gets it here.
    const uri =
      Token.isUnresolved(this.vaultUri) || this.vaultUri.endsWith('/') ? this.vaultUri : `${this.vaultUri}/`;
    return `${uri}secrets/${secretName}`;
  }

  public grantSecretRead(principal: IPrincipal, secretName?: string, owner?: Construct): RoleAssignment {
    if (secretName !== undefined) assertSecretName(secretName);
    return this.grant('Key Vault Secrets User', principal, secretName, owner);
  }

  public grantSecretWrite(principal: IPrincipal): RoleAssignment {
    return this.grant('Key Vault Secrets Officer', principal);
  }

  public grantCertificateWrite(principal: IPrincipal): RoleAssignment {
    return this.grant('Key Vault Certificates Officer', principal);
  }

  /** One assignment per (principal, role, scope): on the secret when named, else the vault. */
  private grant(role: string, principal: IPrincipal, secretName?: string, owner?: Construct): RoleAssignment {
    const key = `${principal.node.addr}/${role}/${secretName ?? '*'}`;
    const existing = this.grants.get(key);
    if (existing) return existing;
    // The id is stable because a construct path is.
    const id = `${roleAssignmentId(role, principal)}${secretName === undefined ? '' : `-${secretName}`}`;
    const grant = grantRole(this, id, {
      scopeId: secretName === undefined ? this.vaultId : `${this.vaultId}/secrets/${secretName}`,
      roleDefinitionName: role,
      principal,
      owner,
    });
    this.grants.set(key, grant);
    return grant;
  }
}

/** Props of `SecretStore`. */
export interface SecretStoreProps {
  /** Vault name: 3–24 characters, letters, digits and hyphens, starting with a letter, globally unique. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * Entra ID tenant of the vault.
   * @default - the tenant of the identity running Terraform (`azurerm_client_config`)
   */
  readonly tenantId?: string;
  /**
   * `standard` or `premium` (HSM-backed keys).
   * @default 'standard'
   */
  readonly skuName?: 'standard' | 'premium';
  /**
   * Days a deleted vault or secret stays recoverable, 7–90. Cannot be changed after creation.
   * @default 90
   */
  readonly softDeleteRetentionDays?: number;
  /**
   * Purge protection: a deleted vault or secret cannot be purged before its retention ends. Once
   * on it cannot be turned off.
   * @default true
   */
  readonly purgeProtectionEnabled?: boolean;
  /**
   * Whether the public endpoint accepts traffic at all (still filtered by the network ACLs).
   * @default false
   */
  readonly publicNetworkAccessEnabled?: boolean;
  /**
   * Public IP ranges (CIDR) allowed through the firewall; only meaningful with public access on.
   * @default []
   */
  readonly allowedIpRanges?: string[];
  /**
   * Subnet ids allowed through the firewall (service endpoint `Microsoft.KeyVault`).
   * @default []
   */
  readonly allowedSubnetIds?: string[];
  /**
   * Let trusted Azure services (e.g. Application Gateway reading its certificate) bypass the firewall.
   * @default true
   */
  readonly allowTrustedAzureServices?: boolean;
  /**
   * A private endpoint (sub-resource `vault`, zone `privatelink.vaultcore.azure.net`).
   * @default - no private endpoint
   */
  readonly privateEndpoint?: PrivateEndpointOptions;
  /**
   * Log Analytics workspace for diagnostic settings (allLogs + AllMetrics).
   * @default - no diagnostic settings
   */
  readonly logAnalyticsWorkspaceId?: string;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

const VAULT_NAME = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const SECRET_NAME = /^[a-zA-Z0-9-]{1,127}$/;

function assertSecretName(secretName: string): void {
  validate('SecretStore', [
    matches('secretName', secretName, SECRET_NAME, '1-127 letters, digits or hyphens'),
  ]);
}

function validateProps(path: string, props: SecretStoreProps): void {
  validate(`SecretStore '${path}'`, [
    matches(
      'name',
      props.name,
      VAULT_NAME,
      '3-24 letters, digits or hyphens, starting with a letter, ending with a letter or digit, without "--"',
    ),
    intInRange('softDeleteRetentionDays', props.softDeleteRetentionDays, 7, 90),
  ]);
}

/**
 * A Key Vault with RBAC authorization, purge protection and a closed network by default.
 *
 * @example
 * ```ts
 * const vault = new SecretStore(this, 'Vault', {
 *   name: 'kv-webhooks-prod-7f3a',
 *   resourceGroupName: 'rg-webhooks-prod-weu',
 *   location: 'westeurope',
 *   privateEndpoint: { subnetId: network.privateEndpointSubnetId, virtualNetworkId: network.virtualNetworkId },
 * });
 * vault.grantSecretRead(identity, 'webhook-secret'); // Key Vault Secrets User on that secret only
 * ```
 */
export class SecretStore extends SecretStoreBase {
  /** Imports an existing vault; `grantSecretRead` works the same on it. */
  public static fromVaultId(scope: Construct, id: string, attrs: SecretStoreAttributes): ISecretStore {
    class Imported extends SecretStoreBase {
      public readonly vaultId = attrs.vaultId;
      public readonly vaultUri = attrs.vaultUri;
    }
    return new Imported(scope, id);
  }

  public readonly vault: KeyVault;
  public readonly vaultId: string;
  public readonly vaultUri: string;
  public readonly vaultName: string;
  /** The private endpoint, when `privateEndpoint` was given. */
  public readonly privateLink?: PrivateLink;

  constructor(scope: Construct, id: string, props: SecretStoreProps) {
    super(scope, id);
    validateProps(this.node.path, props);
    const tags = props.tags ?? {};
    const tenantId = props.tenantId ?? new DataAzurermClientConfig(this, 'ClientConfig').tenantId;

    this.vault = new KeyVault(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tenantId,
      skuName: props.skuName ?? 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: props.purgeProtectionEnabled ?? true,
      softDeleteRetentionDays: props.softDeleteRetentionDays ?? 90,
      publicNetworkAccessEnabled: props.publicNetworkAccessEnabled ?? false,
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      networkAcls: {
        defaultAction: 'Deny',
        bypass: (props.allowTrustedAzureServices ?? true) ? 'AzureServices' : 'None',
        ipRules: props.allowedIpRanges ?? [],
        virtualNetworkSubnetIds: props.allowedSubnetIds ?? [],
      },
      tags,
    });
    this.vaultId = this.vault.id;
    this.vaultUri = this.vault.vaultUri;
    this.vaultName = this.vault.name;

    if (props.privateEndpoint) {
      this.privateLink = new PrivateLink(this, 'PrivateLink', {
        endpoint: props.privateEndpoint,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        targetResourceId: this.vault.id,
        endpointName: `pe-${props.name}`,
        subresourceName: 'vault',
        privateDnsZoneName: 'privatelink.vaultcore.azure.net',
        tags,
      });
    }
    if (props.logAnalyticsWorkspaceId !== undefined) {
      addDiagnosticSettings(this, 'Diagnostics', {
        targetResourceId: this.vault.id,
        logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      });
    }
  }
}
