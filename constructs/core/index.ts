/**
 * Public surface of the core area: the principal contract every grant takes, managed identities,
 * diagnostic settings, role grants and the CAF naming and region helpers. Validation rules, stable
 * role-assignment ids and stack-dependency helpers stay internal; code in this repository imports
 * them by their own path.
 */
export type { IPrincipal, PrincipalType } from './identity';
export { addDiagnosticSettings, type DiagnosticSettingsProps } from './diagnostics';
export { grantRole, type GrantRoleProps } from './role-assignment';
export {
  DeployerPrincipal,
  ManagedIdentity,
  type DeployerPrincipalProps,
  type ManagedIdentityProps,
} from './identity';
export {
  NAME_RULES,
  resourceName,
  uniqueSuffix,
  validateResourceName,
  type NamedResource,
  type ResourceNameParts,
} from './naming';
export {
  AZURE_REGIONS,
  resolveRegion,
  type AzureRegion,
  type ResolvedRegion,
  type ResolveRegionOptions,
} from './regions';
