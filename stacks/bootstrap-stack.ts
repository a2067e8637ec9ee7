/**
 * `bootstrap`: the Terraform state storage, deployed once by an operator with local state
 * (`terraform.bootstrap.tfstate` in the project root). Once the `TFSTATE_*` settings it prints are
 * exported, its own state moves into the account it created (`cdktf deploy bootstrap
 * --migrate-state`, key `webhooks/bootstrap.tfstate`), so no state stays on a laptop. A storage account with Entra ID auth only (shared keys off, so no key in any variable
 * group can open the state), blob versioning and soft delete (a bad apply's state can be restored),
 * infrastructure encryption, a `tfstate` container, a delete lock, and Storage Blob Data
 * Contributor on the container for the operator and each pipeline identity given. Its outputs are
 * the `TFSTATE_*` settings every other stack's backend reads (stacks/backend.ts).
 */
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { resolveRegion } from '../constructs/core/regions';
import { uniqueSuffix } from '../constructs/core/naming';
import type { BootstrapConfig } from './config';
import { useStateBackend, type StateStorage } from './backend';
import { addOutputs } from './outputs';
import { addAzurermProvider } from './provider';

export const STATE_CONTAINER_NAME = 'tfstate';

const GUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

export interface BootstrapStackProps {
  readonly config: BootstrapConfig;
  /** Where the state goes once the storage exists. @default - local state */
  readonly stateStorage?: StateStorage;
}

export class BootstrapStack extends TerraformStack {
  public readonly storageAccount: StorageAccount;
  public readonly container: StorageContainer;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const { config } = props;
    addAzurermProvider(this, { storageDataPlane: false });
    useStateBackend(this, props.stateStorage, 'webhooks/bootstrap.tfstate');

    const region = resolveRegion(config.location, { field: 'bootstrap.location' });
    const suffix = uniqueSuffix(['webhooks', 'tfstate', region.location, config.uniqueNameSeed], 6);
    const tags = { ...config.tags };
    const group = new ResourceGroup(this, 'ResourceGroup', {
      name: `rg-webhooks-tfstate-${region.code}`,
      location: region.location,
      tags,
    });
    this.storageAccount = new StorageAccount(this, 'StateStorage', {
      name: `stwebhookstf${suffix}`,
      resourceGroupName: group.name,
      location: region.location,
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      // Zone- and geo-redundant: the state of every environment survives a zone and a region outage.
      accountReplicationType: 'GZRS',
      minTlsVersion: 'TLS1_2',
      httpsTrafficOnlyEnabled: true,
      // Entra ID only: Terraform's backend and provider use use_azuread_auth / storage_use_azuread.
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      allowNestedItemsToBePublic: false,
      crossTenantReplicationEnabled: false,
      infrastructureEncryptionEnabled: true,
      // Pipeline agents reach it over the internet, with an Entra ID token; no anonymous access.
      publicNetworkAccessEnabled: true,
      blobProperties: {
        versioningEnabled: true,
        changeFeedEnabled: true,
        deleteRetentionPolicy: { days: 30 },
        containerDeleteRetentionPolicy: { days: 30 },
      },
      tags,
    });
    // By storage account id: azurerm 4.x then creates the container through Resource Manager, which
    // works with shared keys off before any data-plane role has propagated.
    this.container = new StorageContainer(this, 'StateContainer', {
      name: STATE_CONTAINER_NAME,
      storageAccountId: this.storageAccount.id,
      containerAccessType: 'private',
    });
    new ManagementLock(this, 'StateStorageLock', {
      name: 'do-not-delete-terraform-state',
      scope: this.storageAccount.id,
      lockLevel: 'CanNotDelete',
      notes: 'Holds the Terraform state of every webhook environment.',
    });

    const operator = new DataAzurermClientConfig(this, 'ClientConfig').objectId;
    const writers = [operator, ...stateWriters(config.stateWriterObjectIds)];
    writers.forEach((principalId, i) => {
      new RoleAssignment(this, i === 0 ? 'OperatorStateWriter' : `PipelineStateWriter${i}`, {
        scope: this.container.resourceManagerId,
        roleDefinitionName: 'Storage Blob Data Contributor',
        principalId,
      });
    });

    addOutputs(this, {
      tfstate_resource_group: [group.name, 'TFSTATE_RESOURCE_GROUP for every other stack'],
      tfstate_storage_account: [this.storageAccount.name, 'TFSTATE_STORAGE_ACCOUNT for every other stack'],
      tfstate_container: [this.container.name, 'TFSTATE_CONTAINER for every other stack'],
      backend_env: [
        `TFSTATE_RESOURCE_GROUP=${group.name} TFSTATE_STORAGE_ACCOUNT=${this.storageAccount.name} TFSTATE_CONTAINER=${this.container.name}`,
        'The three settings as shell assignments: export them before synthesizing the environment stacks',
      ],
    });
  }
}

/** The configured writers, deduplicated; a value that is not an object id stops the synth. */
function stateWriters(ids: readonly string[]): string[] {
  const bad = ids.filter((id) => !GUID.test(id));
  if (bad.length > 0) {
    throw new Error(
      `bootstrap.stateWriterObjectIds must list object ids (GUIDs) of the identities that write state, e.g. each pipeline service connection's (az ad sp show --id <application id> --query id -o tsv); received ${JSON.stringify(bad)}`,
    );
  }
  return [...new Set(ids)];
}
