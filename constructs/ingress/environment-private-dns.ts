import { Construct } from 'constructs';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsARecord } from '@cdktf/provider-azurerm/lib/private-dns-a-record';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { intInRange, validate } from '../core/validation';
import type { IContainerAppsEnvironment } from '../hosting/container-apps-environment';

/** Props of `EnvironmentPrivateDns`. */
export interface EnvironmentPrivateDnsProps {
  readonly environment: IContainerAppsEnvironment;
  /** Resource group of the zone. */
  readonly resourceGroupName: string;
  /** Virtual network the zone is linked to (the gateway's). */
  readonly virtualNetworkId: string;
  /** TTL of the A records in seconds. @default 300 */
  readonly ttl?: number;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

/**
 * EnvironmentPrivateDns: the private DNS zone an internal Container Apps environment needs so that
 * anything in the virtual network (the Application Gateway) can resolve its apps. The zone is named
 * after the environment's `default_domain`; `*` and `@` point to its `static_ip_address` (the
 * internal load balancer). Without it the gateway's backend FQDN does not resolve and every probe
 * fails.
 *
 * @example
 * ```ts
 * new EnvironmentPrivateDns(this, 'EnvironmentDns', {
 *   environment, // an internal ContainerAppsEnvironment
 *   resourceGroupName: 'rg-webhooks-prod-weu',
 *   virtualNetworkId: network.virtualNetworkId,
 * });
 * ```
 */
export class EnvironmentPrivateDns extends Construct {
  public readonly zone: PrivateDnsZone;
  public readonly wildcardRecord: PrivateDnsARecord;
  public readonly apexRecord: PrivateDnsARecord;
  public readonly virtualNetworkLink: PrivateDnsZoneVirtualNetworkLink;

  constructor(scope: Construct, id: string, props: EnvironmentPrivateDnsProps) {
    super(scope, id);
    const ttl = props.ttl ?? 300;
    validate(`EnvironmentPrivateDns '${this.node.path}'`, [intInRange('ttl', ttl, 1, 2_147_483_647)]);
    const tags = props.tags ?? {};
    this.zone = new PrivateDnsZone(this, 'Zone', {
      name: props.environment.defaultDomain,
      resourceGroupName: props.resourceGroupName,
      tags,
    });
    const record = (rid: string, name: string): PrivateDnsARecord =>
      new PrivateDnsARecord(this, rid, {
        name,
        zoneName: this.zone.name,
        resourceGroupName: props.resourceGroupName,
        ttl,
        records: [props.environment.staticIpAddress],
        tags,
      });
    this.wildcardRecord = record('Wildcard', '*');
    this.apexRecord = record('Apex', '@');
    this.virtualNetworkLink = new PrivateDnsZoneVirtualNetworkLink(this, 'VnetLink', {
      name: 'link-to-gateway-vnet',
      resourceGroupName: props.resourceGroupName,
      privateDnsZoneName: this.zone.name,
      virtualNetworkId: props.virtualNetworkId,
      registrationEnabled: false,
      tags,
    });
  }
}
