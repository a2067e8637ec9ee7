import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { testStacks } from '../core/testing';
import { prefixLength, sameSubnet, subnetFacts } from './subnet';

const { newStack, cleanup } = testStacks('subnet-test');
afterAll(cleanup);

describe('subnetFacts', () => {
  test('reads literal prefixes and delegations from a created subnet', () => {
    const stack = newStack();
    const subnet = new Subnet(stack, 'Apps', {
      name: 'snet-apps',
      resourceGroupName: 'rg',
      virtualNetworkName: 'vnet',
      addressPrefixes: ['10.0.2.0/23'],
      delegation: [{ name: 'aca', serviceDelegation: { name: 'Microsoft.App/environments' } }],
    });
    expect(subnetFacts(subnet)).toMatchObject({
      addressPrefixes: ['10.0.2.0/23'],
      delegations: ['Microsoft.App/environments'],
      path: 'test/Apps',
    });
  });

  test('knows nothing about a subnet given by id', () => {
    expect(subnetFacts('/subnets/a')).toEqual({ id: '/subnets/a' });
  });
});

describe('prefixLength and sameSubnet', () => {
  test('parses IPv4 CIDRs only', () => {
    expect(prefixLength('10.0.0.0/27')).toBe(27);
    expect(prefixLength('fd00::/64')).toBeUndefined();
  });

  test('two literal ids are the same subnet regardless of case; different ones are not', () => {
    expect(sameSubnet({ id: '/Subnets/A' }, { id: '/subnets/a' })).toBe(true);
    expect(sameSubnet({ id: '/subnets/a' }, { id: '/subnets/b' })).toBe(false);
  });
});
