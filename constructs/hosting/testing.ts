/**
 * Test fixtures for the hosting and ingress tests (not exported from the package entry): a VNet
 * with the three subnets, an imported registry and Key Vault (the real `constructs/shared`
 * constructs), and a Service Bus queue imported with the real `MessageBus.fromNamespaceId`.
 */
import type { TerraformStack } from 'cdktf';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { MessageBus, type IMessageBus } from '../messaging';
import { ImageRegistry, SecretStore, type IImageRegistry, type ISecretStore } from '../shared';
import { ContainerAppsEnvironment, type ContainerAppsEnvironmentProps } from './container-apps-environment';

export const NAMESPACE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb-webhooks';

export interface Fixture {
  readonly vnet: VirtualNetwork;
  readonly gatewaySubnet: Subnet;
  readonly appsSubnet: Subnet;
  readonly functionsSubnet: Subnet;
  readonly registry: IImageRegistry;
  readonly vault: ISecretStore;
  readonly bus: IMessageBus;
}

export function fixture(stack: TerraformStack, appsPrefix = '10.20.2.0/27'): Fixture {
  const vnet = new VirtualNetwork(stack, 'Vnet', {
    name: 'vnet-webhooks',
    resourceGroupName: 'rg',
    location: 'westeurope',
    addressSpace: ['10.20.0.0/16'],
  });
  const subnet = (id: string, prefix: string, delegation?: string): Subnet =>
    new Subnet(stack, id, {
      name: `snet-${id.toLowerCase()}`,
      resourceGroupName: 'rg',
      virtualNetworkName: vnet.name,
      addressPrefixes: [prefix],
      delegation:
        delegation === undefined
          ? undefined
          : [{ name: 'delegation', serviceDelegation: { name: delegation } }],
    });
  return {
    vnet,
    gatewaySubnet: subnet('Gateway', '10.20.0.0/24'),
    appsSubnet: subnet('Apps', appsPrefix, 'Microsoft.App/environments'),
    functionsSubnet: subnet('Functions', '10.20.3.0/26', 'Microsoft.Web/serverFarms'),
    registry: ImageRegistry.fromRegistryId(stack, 'Registry', {
      registryId:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acrwebhooks',
      loginServer: 'acrwebhooks.azurecr.io',
    }),
    vault: SecretStore.fromVaultId(stack, 'Vault', {
      vaultId:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-webhooks',
      vaultUri: 'https://kv-webhooks.vault.azure.net/',
    }),
    bus: MessageBus.fromNamespaceId(stack, 'Bus', { namespaceId: NAMESPACE_ID, entityName: 'webhooks' }),
  };
}

/** Environment props over the fixture's apps subnet. */
export function environmentProps(f: Fixture): ContainerAppsEnvironmentProps {
  return {
    name: 'cae-webhooks',
    resourceGroupName: 'rg',
    location: 'westeurope',
    infrastructureSubnet: f.appsSubnet,
    logAnalyticsWorkspaceId: '/workspaces/law',
  };
}

export function newEnvironment(stack: TerraformStack, f: Fixture): ContainerAppsEnvironment {
  return new ContainerAppsEnvironment(stack, 'Env', environmentProps(f));
}
