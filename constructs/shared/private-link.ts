/**
 * A private endpoint for one Azure PaaS resource, registered in its `privatelink.*` DNS zone, so
 * that a resource with public network access off is still reachable from the virtual network.
 * Used by `SecretStore` (Key Vault), `ImageRegistry` (ACR), `MessageBus` (Service Bus / Event Hubs
 * namespace) and the Functions proxy (site); one per resource.
 */
import { Construct } from 'constructs';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';

/** Where a private endpoint goes (shared by every construct that offers one). */
export interface PrivateEndpointOptions {
  /** Resource id of the subnet that holds the endpoint's network interface. */
  readonly subnetId: string;
  /**
   * Resource id of the virtual network the private DNS zone is linked to, so that names resolve
   * to the endpoint from inside it. Ignored when `privateDnsZoneId` is given.
   */
  readonly virtualNetworkId: string;
  /**
   * Resource id of an existing `privatelink.*` zone (a hub-and-spoke landing zone usually owns
   * these centrally).
   * @default - a zone is created in the resource group and linked to `virtualNetworkId`
   */
  readonly privateDnsZoneId?: string;
}

/** Props of `PrivateLink`. */
export interface PrivateLinkProps {
  /** Subnet, VNet and (optionally) existing DNS zone: the owner's `privateEndpoint` prop as given. */
  readonly endpoint: PrivateEndpointOptions;
  readonly resourceGroupName: string;
  readonly location: string;
  /** Resource id of the PaaS resource the endpoint connects to. */
  readonly targetResourceId: string;
  /** Name of the endpoint (the NIC and connection names derive from it). */
  readonly endpointName: string;
  /** Sub-resource (group id), e.g. `vault`, `registry`, `namespace`. */
  readonly subresourceName: string;
  /** The `privatelink.*` zone name for that sub-resource, e.g. `privatelink.vaultcore.azure.net`. */
  readonly privateDnsZoneName: string;
  readonly tags?: Record<string, string>;
}

/**
 * Private endpoint + DNS zone group (+ zone and VNet link unless brought).
 *
 * @example
 * ```ts
 * new PrivateLink(this, 'VaultEndpoint', {
 *   endpoint: { subnetId: network.privateEndpointSubnetId, virtualNetworkId: network.virtualNetworkId },
 *   resourceGroupName: 'rg-webhooks-prod-weu',
 *   location: 'westeurope',
 *   targetResourceId: vaultId,
 *   endpointName: 'pe-kv-webhooks-prod',
 *   subresourceName: 'vault',
 *   privateDnsZoneName: 'privatelink.vaultcore.azure.net',
 * });
 * ```
 */
export class PrivateLink extends Construct {
  public readonly endpoint: PrivateEndpoint;
  /** The zone this construct created; undefined when `privateDnsZoneId` was brought. */
  public readonly dnsZone?: PrivateDnsZone;
  public readonly privateDnsZoneId: string;

  constructor(scope: Construct, id: string, props: PrivateLinkProps) {
    super(scope, id);
    const tags = props.tags ?? {};
    if (props.endpoint.privateDnsZoneId === undefined) {
      this.dnsZone = new PrivateDnsZone(this, 'DnsZone', {
        name: props.privateDnsZoneName,
        resourceGroupName: props.resourceGroupName,
        tags,
      });
      new PrivateDnsZoneVirtualNetworkLink(this, 'DnsZoneLink', {
        name: `${props.endpointName}-link`,
        resourceGroupName: props.resourceGroupName,
        privateDnsZoneName: this.dnsZone.name,
        virtualNetworkId: props.endpoint.virtualNetworkId,
        registrationEnabled: false,
        tags,
      });
      this.privateDnsZoneId = this.dnsZone.id;
    } else {
      this.privateDnsZoneId = props.endpoint.privateDnsZoneId;
    }
    this.endpoint = new PrivateEndpoint(this, 'Endpoint', {
      name: props.endpointName,
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      subnetId: props.endpoint.subnetId,
      customNetworkInterfaceName: `${props.endpointName}-nic`,
      privateServiceConnection: {
        name: `${props.endpointName}-connection`,
        privateConnectionResourceId: props.targetResourceId,
        subresourceNames: [props.subresourceName],
        isManualConnection: false,
      },
      privateDnsZoneGroup: { name: 'default', privateDnsZoneIds: [this.privateDnsZoneId] },
      tags,
    });
  }
}
