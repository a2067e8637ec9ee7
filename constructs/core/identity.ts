import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { Construct, type IConstruct } from 'constructs';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { validate, matches } from './validation';

/**
 * An Entra ID principal that can be granted data-plane roles: a user-assigned identity, a
 * system-assigned identity, a group or a service principal.
 */
export interface IPrincipal extends IConstruct {
  /** Object (principal) id of the identity. */
  readonly principalId: string;
  /**
   * What kind of principal it is, when known: set on role assignments as `principal_type` (and a
   * `ServicePrincipal` skips the Entra ID replication check on a just-created identity).
   * @default - unknown; Azure looks it up
   */
  readonly principalType?: PrincipalType;
}

/** `principal_type` values of `azurerm_role_assignment`. */
export type PrincipalType = 'ServicePrincipal' | 'User' | 'Group';

/** Props of `ManagedIdentity`. */
export interface ManagedIdentityProps {
  /** Identity name: 3-128 characters, letters, digits, `-` and `_`, starting with a letter or digit. */
  readonly name: string;
  /** Resource group to create the identity in. */
  readonly resourceGroupName: string;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /**
   * Tags on the identity.
   * @default - no tags
   */
  readonly tags?: Record<string, string>;
}

/**
 * Principals: the `IPrincipal` contract every grant takes, a user-assigned managed identity
 * (`ManagedIdentity`) and the deploying principal (`DeployerPrincipal`). The identity is created
 * before the workloads that use it, so role assignments (AcrPull, Data Sender, Key Vault Secrets
 * User) exist before a first revision starts.
 *
 * @example
 * ```ts
 * const identity = new ManagedIdentity(this, 'Identity', {
 *   name: 'id-orders-api',
 *   resourceGroupName: 'rg-orders-prod-weu',
 *   location: 'westeurope',
 * });
 * bus.grantSend(identity);
 * ```
 */
export class ManagedIdentity extends Construct implements IPrincipal {
  /** The underlying `azurerm_user_assigned_identity`. */
  public readonly resource: UserAssignedIdentity;
  /** Resource id (what `identity { identity_ids }` and `registry { identity }` take). */
  public readonly id: string;
  /** Client (application) id: set it as `AZURE_CLIENT_ID` for DefaultAzureCredential. */
  public readonly clientId: string;
  /** Object id, the subject of role assignments. */
  public readonly principalId: string;
  public readonly principalType: PrincipalType = 'ServicePrincipal';

  constructor(scope: Construct, id: string, props: ManagedIdentityProps) {
    super(scope, id);
    validate(`ManagedIdentity '${this.node.path}'`, [
      matches(
        'name',
        props.name,
        /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/,
        '3-128 letters, digits, - or _, starting with a letter or digit',
      ),
    ]);
    this.resource = new UserAssignedIdentity(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags,
    });
    this.id = this.resource.id;
    this.clientId = this.resource.clientId;
    this.principalId = this.resource.principalId;
  }
}

/** Props of `DeployerPrincipal`. */
export interface DeployerPrincipalProps {
  /**
   * Object id of the deployer: the pipeline's service connection or an operator's user.
   * @default - the identity running Terraform (`azurerm_client_config.object_id`)
   */
  readonly principalId?: string;
  /** @default - unknown; Azure looks it up (a user or a service principal may run Terraform) */
  readonly principalType?: PrincipalType;
}

/**
 * Whoever deploys: the principal that writes secrets and pushes images between the foundation and
 * the platform apply. By default the identity running Terraform, so the pipeline that applied the
 * foundation can write into the vault and registry it just created, and no one else gains a role.
 *
 * @example
 * ```ts
 * const deployer = new DeployerPrincipal(this, 'Deployer'); // whoever runs Terraform
 * secretStore.grantSecretWrite(deployer);
 * ```
 */
export class DeployerPrincipal extends Construct implements IPrincipal {
  public readonly principalId: string;
  public readonly principalType?: PrincipalType;

  constructor(scope: Construct, id: string, props: DeployerPrincipalProps = {}) {
    super(scope, id);
    this.principalId = props.principalId ?? new DataAzurermClientConfig(this, 'ClientConfig').objectId;
    this.principalType = props.principalType;
  }
}
