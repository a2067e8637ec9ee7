/**
 * A user-assigned managed identity: created before the workloads that use it, so role assignments
 * (AcrPull, Data Sender, Key Vault Secrets User) exist before a first revision starts.
 */
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { Construct } from 'constructs';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import type { IPrincipal, PrincipalType } from './types';
import { validate, matches } from './validation';

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
