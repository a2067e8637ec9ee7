/**
 * The platform's virtual network: a dedicated Application Gateway subnet, a Container Apps
 * workload-profiles subnet delegated to `Microsoft.App/environments`, and a private-endpoint
 * subnet, each with its own NSG. Address space is validated at synth (aligned CIDRs, subnets inside
 * the VNet, no overlap, Microsoft's minimum sizes) so a bad plan fails here rather than at apply.
 */
import { Construct } from 'constructs';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { Subnet, type SubnetConfig } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { addDiagnosticSettings } from '../core/diagnostics';
import { matches, validate } from '../core/validation';
import { addressPlanRules, type SubnetPlan } from './address-plan';

/** What the other constructs need from a network, created here or brought by the user. */
export interface IWebhookNetwork {
  /** Resource id of the VNet (private DNS zone links take it). */
  readonly virtualNetworkId: string;
  /** Subnet dedicated to the Application Gateway. */
  readonly gatewaySubnetId: string;
  /** Subnet of the Container Apps environment (delegated to `Microsoft.App/environments`). */
  readonly appsSubnetId: string;
  /** Subnet for private endpoints (Service Bus Premium, Key Vault, registry). */
  readonly privateEndpointSubnetId: string;
}

/** Props of `WebhookNetwork`. */
export interface WebhookNetworkProps {
  /** VNet name, e.g. `vnet-webhooks-prod-weu`. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * VNet address space (IPv4 CIDRs). With `existingVirtualNetwork`, give the existing VNet's space
   * so the subnets are checked against it.
   * @default ['10.20.0.0/16']; with `existingVirtualNetwork`, no containment check
   */
  readonly addressSpace?: readonly string[];
  /**
   * Create the subnets and NSGs in this existing VNet instead of a new one (it must have room
   * for the three prefixes).
   * @default - a VNet `name` is created
   */
  readonly existingVirtualNetwork?: ExistingVirtualNetwork;
  /**
   * Application Gateway v2 subnet. Microsoft recommends /24 so autoscale can reach 125 instances;
   * /26 is the smallest accepted here.
   * @default '10.20.0.0/24'
   */
  readonly gatewaySubnetPrefix?: string;
  /**
   * Private-endpoint subnet: /28 or larger.
   * @default '10.20.1.0/24'
   */
  readonly privateEndpointSubnetPrefix?: string;
  /**
   * Container Apps workload-profiles subnet: /27 or larger (Microsoft's rule for workload-profiles
   * environments); every node and replica batch takes addresses, so leave room.
   * @default '10.20.2.0/23'
   */
  readonly appsSubnetPrefix?: string;
  /**
   * Source allowed to reach the gateway on 80/443 (an NSG source: service tag or CIDR).
   * @default 'Internet'
   */
  readonly gatewayClientSource?: string;
  /**
   * Send the VNet's logs and metrics and the NSGs' logs (NSGs emit no metrics) to this workspace.
   * @default - no diagnostic settings
   */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * Tags on the VNet and NSGs.
   * @default - no tags
   */
  readonly tags?: Record<string, string>;
}

/** An existing VNet to add the subnets to. */
export interface ExistingVirtualNetwork {
  readonly id: string;
  readonly name: string;
  readonly resourceGroupName: string;
}

/** Ids of an existing VNet and its subnets, for `WebhookNetwork.fromExisting`. */
export interface WebhookNetworkAttributes {
  readonly virtualNetworkId: string;
  readonly gatewaySubnetId: string;
  readonly appsSubnetId: string;
  readonly privateEndpointSubnetId: string;
}

const SUBNET_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i;
const VNET_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i;

/**
 * The `WebhookNetwork` construct.
 *
 * @example
 * ```ts
 * const network = new WebhookNetwork(this, 'Network', {
 *   name: 'vnet-webhooks-prod-weu',
 *   resourceGroupName: 'rg-webhooks-prod-weu',
 *   location: 'westeurope',
 *   addressSpace: ['10.30.0.0/16'],
 *   gatewaySubnetPrefix: '10.30.0.0/24',
 *   privateEndpointSubnetPrefix: '10.30.1.0/24',
 *   appsSubnetPrefix: '10.30.2.0/23',
 * });
 * ```
 */
export class WebhookNetwork extends Construct implements IWebhookNetwork {
  /**
   * Uses an existing VNet and subnets (bring your own). Nothing is created; the subnets must
   * already follow the rules this construct enforces (gateway subnet dedicated, apps subnet
   * delegated to `Microsoft.App/environments` and /27 or larger).
   */
  public static fromExisting(scope: Construct, id: string, attrs: WebhookNetworkAttributes): IWebhookNetwork {
    const path = `${scope.node.path}/${id}`;
    validate(`WebhookNetwork.fromExisting '${path}'`, [
      matches('virtualNetworkId', attrs.virtualNetworkId, VNET_ID, 'a virtual network resource id'),
      ...(['gatewaySubnetId', 'appsSubnetId', 'privateEndpointSubnetId'] as const).map((field) =>
        matches(
          field,
          attrs[field],
          SUBNET_ID,
          'a subnet resource id (/subscriptions/…/virtualNetworks/…/subnets/…)',
        ),
      ),
    ]);
    class Imported extends Construct implements IWebhookNetwork {
      public readonly virtualNetworkId = attrs.virtualNetworkId;
      public readonly gatewaySubnetId = attrs.gatewaySubnetId;
      public readonly appsSubnetId = attrs.appsSubnetId;
      public readonly privateEndpointSubnetId = attrs.privateEndpointSubnetId;
    }
    return new Imported(scope, id);
  }

  /** The created VNet; `undefined` with `existingVirtualNetwork`. */
  public readonly virtualNetwork?: VirtualNetwork;
  public readonly gatewaySubnet: Subnet;
  public readonly appsSubnet: Subnet;
  public readonly privateEndpointSubnet: Subnet;
  public readonly gatewayNsg: NetworkSecurityGroup;
  public readonly appsNsg: NetworkSecurityGroup;
  public readonly privateEndpointNsg: NetworkSecurityGroup;
  public readonly virtualNetworkId: string;
  public readonly gatewaySubnetId: string;
  public readonly appsSubnetId: string;
  public readonly privateEndpointSubnetId: string;
  private readonly vnetName: string;
  private readonly resourceGroupName: string;
  private readonly location: string;

  constructor(scope: Construct, id: string, props: WebhookNetworkProps) {
    super(scope, id);
    const existing = props.existingVirtualNetwork;
    const addressSpace = [...(props.addressSpace ?? (existing === undefined ? ['10.20.0.0/16'] : []))];
    const plans: SubnetPlan[] = [
      {
        field: 'gatewaySubnetPrefix',
        prefix: props.gatewaySubnetPrefix ?? '10.20.0.0/24',
        maxPrefixLength: 26,
        why: 'Application Gateway v2 needs one address per instance (up to 125); /24 recommended',
      },
      {
        field: 'privateEndpointSubnetPrefix',
        prefix: props.privateEndpointSubnetPrefix ?? '10.20.1.0/24',
        maxPrefixLength: 28,
        why: 'one address per private endpoint plus 5 reserved by Azure',
      },
      {
        field: 'appsSubnetPrefix',
        prefix: props.appsSubnetPrefix ?? '10.20.2.0/23',
        maxPrefixLength: 27,
        why: 'Container Apps workload-profiles environments need /27 or larger',
      },
    ];
    validate(`WebhookNetwork '${this.node.path}'`, [
      ...addressPlanRules(addressSpace, plans, existing === undefined),
      ...(existing === undefined
        ? []
        : [matches('existingVirtualNetwork.id', existing.id, VNET_ID, 'a virtual network resource id')]),
    ]);

    const { name, location, tags } = props;
    this.location = location;
    if (existing === undefined) {
      this.virtualNetwork = new VirtualNetwork(this, 'Resource', {
        name,
        resourceGroupName: props.resourceGroupName,
        location,
        addressSpace,
        tags,
      });
    }
    this.vnetName = this.virtualNetwork?.name ?? existing?.name ?? name;
    this.resourceGroupName =
      this.virtualNetwork?.resourceGroupName ?? existing?.resourceGroupName ?? props.resourceGroupName;
    this.virtualNetworkId = this.virtualNetwork?.id ?? existing?.id ?? '';
    const [gateway, privateEndpoints, apps] = plans as [SubnetPlan, SubnetPlan, SubnetPlan];

    this.gatewaySubnet = this.subnet('GatewaySubnet', 'snet-appgw', gateway.prefix, {});
    this.privateEndpointSubnet = this.subnet('PrivateEndpointSubnet', 'snet-pe', privateEndpoints.prefix, {
      // NSG rules apply to private endpoints only when network policies are on; private endpoints
      // never originate traffic to the internet, so no default outbound access.
      privateEndpointNetworkPolicies: 'Enabled',
      defaultOutboundAccessEnabled: false,
    });
    this.appsSubnet = this.subnet('AppsSubnet', 'snet-apps', apps.prefix, {
      delegation: [
        {
          name: 'container-apps',
          serviceDelegation: {
            name: 'Microsoft.App/environments',
            // Azure adds this action itself; declaring it keeps plans free of a perpetual diff.
            actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
          },
        },
      ],
    });

    this.gatewayNsg = this.nsg('GatewayNsg', `nsg-appgw-${name}`, this.gatewaySubnet, tags);
    this.appsNsg = this.nsg('AppsNsg', `nsg-apps-${name}`, this.appsSubnet, tags);
    this.privateEndpointNsg = this.nsg(
      'PrivateEndpointNsg',
      `nsg-pe-${name}`,
      this.privateEndpointSubnet,
      tags,
    );
    this.addGatewayRules(props.gatewayClientSource ?? 'Internet', gateway.prefix);

    const workspace = props.logAnalyticsWorkspaceId;
    if (workspace !== undefined) {
      if (this.virtualNetwork !== undefined) {
        addDiagnosticSettings(this, 'Diagnostics', {
          targetResourceId: this.virtualNetwork.id,
          logAnalyticsWorkspaceId: workspace,
        });
      }
      for (const [nsgId, nsg] of [
        ['GatewayNsg', this.gatewayNsg],
        ['AppsNsg', this.appsNsg],
        ['PrivateEndpointNsg', this.privateEndpointNsg],
      ] as const) {
        addDiagnosticSettings(this, `${nsgId}Diagnostics`, {
          targetResourceId: nsg.id,
          logAnalyticsWorkspaceId: workspace,
          metrics: false,
        });
      }
    }

    this.gatewaySubnetId = this.gatewaySubnet.id;
    this.appsSubnetId = this.appsSubnet.id;
    this.privateEndpointSubnetId = this.privateEndpointSubnet.id;
  }

  private subnet(
    id: string,
    name: string,
    prefix: string,
    extra: Pick<
      SubnetConfig,
      'delegation' | 'privateEndpointNetworkPolicies' | 'defaultOutboundAccessEnabled'
    >,
  ): Subnet {
    return new Subnet(this, id, {
      name,
      resourceGroupName: this.resourceGroupName,
      virtualNetworkName: this.vnetName,
      addressPrefixes: [prefix],
      delegation: extra.delegation,
      privateEndpointNetworkPolicies: extra.privateEndpointNetworkPolicies,
      defaultOutboundAccessEnabled: extra.defaultOutboundAccessEnabled,
    });
  }

  private nsg(
    id: string,
    name: string,
    subnet: Subnet,
    tags: Record<string, string> | undefined,
  ): NetworkSecurityGroup {
    const nsg = new NetworkSecurityGroup(this, id, {
      name,
      resourceGroupName: this.resourceGroupName,
      location: this.location,
      tags,
    });
    new SubnetNetworkSecurityGroupAssociation(this, `${id}Association`, {
      subnetId: subnet.id,
      networkSecurityGroupId: nsg.id,
    });
    return nsg;
  }

  /**
   * Application Gateway v2 rules (learn.microsoft.com "Application Gateway infrastructure
   * configuration"): GatewayManager must reach 65200-65535 and AzureLoadBalancer must be allowed,
   * or the gateway fails to provision or reports unhealthy; clients reach the listeners on 80/443.
   */
  private addGatewayRules(clientSource: string, gatewayPrefix: string): void {
    const rules: {
      id: string;
      priority: number;
      source: string;
      ports: string[];
      protocol: string;
      destination: string;
    }[] = [
      {
        id: 'AllowGatewayManager',
        priority: 100,
        source: 'GatewayManager',
        ports: ['65200-65535'],
        protocol: 'Tcp',
        destination: '*',
      },
      {
        id: 'AllowAzureLoadBalancer',
        priority: 110,
        source: 'AzureLoadBalancer',
        ports: ['*'],
        protocol: '*',
        destination: '*',
      },
      {
        id: 'AllowClientsHttpHttps',
        priority: 120,
        source: clientSource,
        ports: ['80', '443'],
        protocol: 'Tcp',
        destination: gatewayPrefix,
      },
    ];
    for (const rule of rules) {
      new NetworkSecurityRule(this, `Gateway${rule.id}`, {
        name: rule.id,
        networkSecurityGroupName: this.gatewayNsg.name,
        resourceGroupName: this.resourceGroupName,
        priority: rule.priority,
        direction: 'Inbound',
        access: 'Allow',
        protocol: rule.protocol,
        sourceAddressPrefix: rule.source,
        sourcePortRange: '*',
        destinationAddressPrefix: rule.destination,
        // A single port or range goes in destination_port_range; Azure rejects '*' inside a list.
        destinationPortRange: rule.ports.length === 1 ? rule.ports[0] : undefined,
        destinationPortRanges: rule.ports.length > 1 ? rule.ports : undefined,
      });
    }
  }
}
