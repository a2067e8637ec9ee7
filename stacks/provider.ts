/** The azurerm provider every stack uses, pinned to the schema the bindings were generated from. */
import type { TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';

/** The azurerm version @cdktf/provider-azurerm 14.23.1 was generated from (its schema). */
export const AZURERM_VERSION = '4.55.0';

export interface ProviderOptions {
  /**
   * Whether the provider may use storage accounts' data planes (queue and static-website
   * properties). The state storage has shared keys off and needs neither: with the data plane on,
   * every read of it would need a data role on the account and fail the plan on a 403.
   * @default true
   */
  readonly storageDataPlane?: boolean;
}

export function addAzurermProvider(stack: TerraformStack, options: ProviderOptions = {}): AzurermProvider {
  const provider = new AzurermProvider(stack, 'azurerm', {
    // An array: the bindings model the `features {}` block as a list.
    features: [
      {
        // Purge protection forbids purging anyway; never try on destroy.
        keyVault: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeletedKeyVaults: true }],
        resourceGroup: [{ preventDeletionIfContainsResources: true }],
        ...(options.storageDataPlane === false ? { storage: [{ dataPlaneAvailable: false }] } : {}),
      },
    ],
    // Storage data-plane calls with Entra ID: the state account has shared keys disabled, and a
    // provider falling back to keys would fail on it.
    storageUseAzuread: true,
  });
  // The bindings emit `~> 4.0` and source `azurerm`: pin the exact schema version they were
  // generated from, and name the source in full.
  stack.addOverride('terraform.required_providers.azurerm.version', AZURERM_VERSION);
  stack.addOverride('terraform.required_providers.azurerm.source', 'hashicorp/azurerm');
  return provider;
}
