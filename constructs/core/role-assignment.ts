/**
 * Azure RBAC role assignments for data-plane grants (`grantSend`, `grantPull`, ...). Construct ids
 * are derived from the role and the principal's construct address, so they are stable across
 * synths and two grants of the same role to the same principal collide loudly instead of silently
 * duplicating.
 *
 * Every `grant*` method of this package, and of the interfaces it takes (`IMessageBus`,
 * `IPullRegistry`, `ISecretSource`, ...), returns the `RoleAssignment` it made: what a caller needs
 * is a resource to name in `depends_on` (so a first revision starts after its grants) and the
 * assignment itself as an escape hatch (`addOverride`, `lifecycle`). A wrapper type would add
 * nothing to that; a grant that creates nothing is not a case this package has.
 */
import { TerraformResource, TerraformStack } from 'cdktf';
import type { Construct, IConstruct } from 'constructs';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { IPrincipal } from './identity';

/** Props of `grantRole`: the scope, the built-in role and the principal. */
export interface GrantRoleProps {
  /** Resource id the role applies to: keep it as narrow as the service allows (an entity, not a namespace). */
  readonly scopeId: string;
  /** Built-in role name, e.g. `Azure Service Bus Data Sender`. */
  readonly roleDefinitionName: string;
  /** Who receives the role. */
  readonly principal: IPrincipal;
  /**
   * Construct to create the assignment under: its stack holds it. Give the construct that needs
   * the grant when the grant must be created with it, e.g. a Key Vault secret's reader in the
   * stack that runs after the secret was written.
   * @default - `scope` when the principal is in its stack, else the principal
   */
  readonly owner?: Construct;
}

/**
 * A stable construct id for `roleDefinitionName` granted to `principal`:
 * `<RoleWithoutSpaces>-<first 8 chars of the principal's node.addr>`.
 */
export function roleAssignmentId(roleDefinitionName: string, principal: IPrincipal): string {
  return `${roleDefinitionName.replace(/[^A-Za-z0-9]/g, '')}-${principal.node.addr.slice(0, 8)}`;
}

/**
 * Creates one role assignment with construct id `id`: under `scope` (the granting resource's
 * construct) when the principal is in the same stack, else under the principal, in the principal's
 * stack. A grant is part of the grantee's deployment (as in the AWS CDK): placed in the resource's
 * stack it would reference the grantee's identity while the grantee's stack already reads the
 * resource, a cycle between the foundation and platform stacks that cdktf cannot order.
 */
export function grantRole(scope: Construct, id: string, props: GrantRoleProps): RoleAssignment {
  const principalType = props.principal.principalType;
  const sameStack = TerraformStack.of(scope) === TerraformStack.of(props.principal);
  // Elsewhere than under `scope`, the id also names the granting construct: one principal may hold
  // the same role on two resources (AcrPull on two registries).
  const [owner, ownerId] =
    props.owner !== undefined
      ? [props.owner, `${id}-on-${scope.node.addr.slice(0, 8)}`]
      : sameStack
        ? [scope, id]
        : [props.principal as unknown as Construct, `${id}-on-${scope.node.addr.slice(0, 8)}`];
  return new RoleAssignment(owner, ownerId, {
    scope: props.scopeId,
    roleDefinitionName: props.roleDefinitionName,
    principalId: props.principal.principalId,
    principalType,
    // A just-created managed identity may not have replicated to Entra ID when the assignment is
    // made; skipping the lookup avoids a PrincipalNotFound failure on first apply (provider docs).
    skipServicePrincipalAadCheck: principalType === 'ServicePrincipal' ? true : undefined,
  });
}

/**
 * The resources among `candidates` (grants, optional resources) that `scope`'s stack holds: what it
 * may name in `depends_on` (Terraform cannot depend on a resource of another stack; that stack is
 * applied first anyway).
 */
export function dependenciesInStack(
  scope: IConstruct,
  candidates: readonly (TerraformResource | undefined)[],
): TerraformResource[] {
  const stack = TerraformStack.of(scope);
  return candidates.filter((c): c is TerraformResource => c !== undefined && TerraformStack.of(c) === stack);
}
