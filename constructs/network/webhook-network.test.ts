import { onlyResource, resourcesOf, synthJson, testStacks, type Synthesized } from '../core/testing';
import { parseCidr } from './cidr';
import { WebhookNetwork, type WebhookNetworkProps } from './webhook-network';

const { newStack, cleanup } = testStacks('network-test');
afterAll(cleanup);

const base: WebhookNetworkProps = {
  name: 'vnet-webhooks-prod-weu',
  resourceGroupName: 'rg',
  location: 'westeurope',
};

function synth(props: Partial<WebhookNetworkProps> = {}): Synthesized {
  const stack = newStack();
  new WebhookNetwork(stack, 'Network', { ...base, ...props });
  return synthJson(stack);
}

function subnetNamed(out: Synthesized, name: string): Record<string, unknown> {
  const subnet = resourcesOf(out, 'azurerm_subnet').find((s) => s.name === name);
  if (subnet === undefined) throw new Error(`no subnet ${name}`);
  return subnet;
}

describe('WebhookNetwork address plan', () => {
  it('creates the VNet and three subnets with the default plan', () => {
    const out = synth();
    expect(onlyResource(out, 'azurerm_virtual_network')).toMatchObject({ address_space: ['10.20.0.0/16'] });
    expect(subnetNamed(out, 'snet-appgw').address_prefixes).toEqual(['10.20.0.0/24']);
    expect(subnetNamed(out, 'snet-pe').address_prefixes).toEqual(['10.20.1.0/24']);
    expect(subnetNamed(out, 'snet-apps').address_prefixes).toEqual(['10.20.2.0/23']);
  });

  it('leaves the gateway subnet undelegated (App Gateway needs a dedicated subnet)', () => {
    const gateway = subnetNamed(synth(), 'snet-appgw');
    expect(gateway.delegation).toBeUndefined();
  });

  it('delegates the apps subnet to Microsoft.App/environments', () => {
    expect(subnetNamed(synth(), 'snet-apps').delegation).toEqual([
      {
        name: 'container-apps',
        service_delegation: {
          name: 'Microsoft.App/environments',
          actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
        },
      },
    ]);
  });

  it('turns network policies on and default outbound access off for private endpoints', () => {
    expect(subnetNamed(synth(), 'snet-pe')).toMatchObject({
      private_endpoint_network_policies: 'Enabled',
      default_outbound_access_enabled: false,
    });
  });

  it('accepts a custom plan', () => {
    const out = synth({
      addressSpace: ['172.16.0.0/20'],
      gatewaySubnetPrefix: '172.16.0.0/26',
      privateEndpointSubnetPrefix: '172.16.0.64/28',
      appsSubnetPrefix: '172.16.1.0/27',
    });
    expect(subnetNamed(out, 'snet-apps').address_prefixes).toEqual(['172.16.1.0/27']);
  });
});

describe('WebhookNetwork validation', () => {
  it('fails if the apps subnet is smaller than /27 (workload profiles)', () => {
    expect(() => synth({ appsSubnetPrefix: '10.20.2.0/28' })).toThrow(
      /appsSubnetPrefix must be \/27 or larger \(Container Apps workload-profiles environments need \/27 or larger\) \(received "10.20.2.0\/28"\)/,
    );
  });

  it('fails if the gateway subnet is smaller than /26', () => {
    expect(() => synth({ gatewaySubnetPrefix: '10.20.0.0/27' })).toThrow(
      /gatewaySubnetPrefix must be \/26 or larger/,
    );
  });

  it('fails if a subnet lies outside the VNet address space', () => {
    expect(() => synth({ appsSubnetPrefix: '10.30.0.0/23' })).toThrow(
      /appsSubnetPrefix must be inside the VNet address space 10.20.0.0\/16 \(received "10.30.0.0\/23"\)/,
    );
  });

  it('fails if two subnets overlap, naming both', () => {
    expect(() => synth({ appsSubnetPrefix: '10.20.0.0/23' })).toThrow(
      /appsSubnetPrefix must be not overlapping gatewaySubnetPrefix \(10.20.0.0\/24\)/,
    );
  });

  it('fails if a prefix is not aligned, giving the network address', () => {
    expect(() => synth({ gatewaySubnetPrefix: '10.20.0.5/24' })).toThrow(
      /network address of this prefix is 10.20.0.0\/24/,
    );
  });

  it('fails if a prefix is not a CIDR, listing every failure at once', () => {
    expect(() => synth({ addressSpace: ['10.20.0.0'], gatewaySubnetPrefix: '300.1.1.0/24' })).toThrow(
      /addressSpace\[0\] must be an IPv4 CIDR[\s\S]*gatewaySubnetPrefix must be an IPv4 CIDR with octets 0-255/,
    );
  });
});

describe('WebhookNetwork NSGs', () => {
  it('associates one NSG with each subnet', () => {
    const out = synth();
    expect(resourcesOf(out, 'azurerm_network_security_group')).toHaveLength(3);
    expect(resourcesOf(out, 'azurerm_subnet_network_security_group_association')).toHaveLength(3);
  });

  it('lets GatewayManager reach 65200-65535 and AzureLoadBalancer reach the gateway subnet (v2 requirements)', () => {
    const rules = resourcesOf(synth(), 'azurerm_network_security_rule');
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'AllowGatewayManager',
          direction: 'Inbound',
          access: 'Allow',
          protocol: 'Tcp',
          source_address_prefix: 'GatewayManager',
          destination_port_range: '65200-65535',
        }),
        expect.objectContaining({
          name: 'AllowAzureLoadBalancer',
          access: 'Allow',
          source_address_prefix: 'AzureLoadBalancer',
        }),
      ]),
    );
  });

  it('admits clients on 80 and 443 only, from a configurable source', () => {
    const rules = resourcesOf(
      synth({ gatewayClientSource: '203.0.113.0/24' }),
      'azurerm_network_security_rule',
    );
    expect(rules.find((r) => r.name === 'AllowClientsHttpHttps')).toMatchObject({
      source_address_prefix: '203.0.113.0/24',
      destination_address_prefix: '10.20.0.0/24',
      destination_port_ranges: ['80', '443'],
    });
  });
});

describe('WebhookNetwork diagnostics', () => {
  it('sends VNet logs+metrics and NSG logs to the workspace when one is given', () => {
    const settings = resourcesOf(
      synth({ logAnalyticsWorkspaceId: '/law' }),
      'azurerm_monitor_diagnostic_setting',
    );
    expect(settings).toHaveLength(4);
    const vnet = settings.find((d) => String(d.target_resource_id).includes('azurerm_virtual_network'));
    expect(vnet).toMatchObject({
      enabled_log: [{ category_group: 'allLogs' }],
      enabled_metric: [{ category: 'AllMetrics' }],
    });
    const nsgs = settings.filter((d) =>
      String(d.target_resource_id).includes('azurerm_network_security_group'),
    );
    expect(nsgs).toHaveLength(3);
    for (const nsg of nsgs) expect(nsg.enabled_metric).toBeUndefined();
  });

  it('adds none without a workspace', () => {
    expect(resourcesOf(synth(), 'azurerm_monitor_diagnostic_setting')).toHaveLength(0);
  });
});

describe('WebhookNetwork in an existing VNet', () => {
  const existingVirtualNetwork = {
    id: '/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub',
    name: 'vnet-hub',
    resourceGroupName: 'rg-hub',
  };

  it('creates subnets and NSGs in the existing VNet and no VNet', () => {
    const stack = newStack();
    const network = new WebhookNetwork(stack, 'Network', { ...base, existingVirtualNetwork });
    const out = synthJson(stack);
    expect(resourcesOf(out, 'azurerm_virtual_network')).toHaveLength(0);
    expect(network.virtualNetworkId).toBe(existingVirtualNetwork.id);
    for (const subnet of resourcesOf(out, 'azurerm_subnet')) {
      expect(subnet).toMatchObject({ virtual_network_name: 'vnet-hub', resource_group_name: 'rg-hub' });
    }
    expect(resourcesOf(out, 'azurerm_network_security_group')).toHaveLength(3);
  });

  it('checks the subnets against the existing address space when given', () => {
    expect(() => synth({ existingVirtualNetwork, addressSpace: ['10.99.0.0/16'] })).toThrow(
      /gatewaySubnetPrefix must be inside the VNet address space 10.99.0.0\/16/,
    );
  });

  it('fails if the existing VNet id is not a VNet id', () => {
    expect(() => synth({ existingVirtualNetwork: { ...existingVirtualNetwork, id: 'vnet-hub' } })).toThrow(
      /existingVirtualNetwork.id must be a virtual network resource id \(received "vnet-hub"\)/,
    );
  });
});

describe('WebhookNetwork.fromExisting', () => {
  const sub = '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet';
  it('exposes the ids of an existing network without creating anything', () => {
    const stack = newStack();
    const network = WebhookNetwork.fromExisting(stack, 'Byo', {
      virtualNetworkId: sub,
      gatewaySubnetId: `${sub}/subnets/agw`,
      appsSubnetId: `${sub}/subnets/apps`,
      privateEndpointSubnetId: `${sub}/subnets/pe`,
    });
    expect(network.appsSubnetId).toBe(`${sub}/subnets/apps`);
    expect(synthJson(stack).resource).toBeUndefined();
  });

  it('fails if an id is not a subnet id', () => {
    expect(() =>
      WebhookNetwork.fromExisting(newStack(), 'Byo', {
        virtualNetworkId: sub,
        gatewaySubnetId: 'agw',
        appsSubnetId: `${sub}/subnets/apps`,
        privateEndpointSubnetId: `${sub}/subnets/pe`,
      }),
    ).toThrow(/gatewaySubnetId must be a subnet resource id .* \(received "agw"\)/);
  });
});

describe('parseCidr', () => {
  it('computes the range of a prefix', () => {
    expect(parseCidr('10.0.0.0/30')).toMatchObject({ start: 167772160, end: 167772163, prefixLength: 30 });
  });
});
