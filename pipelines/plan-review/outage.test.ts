import { classifyType } from './categories';
import { isOutageType, OUTAGE_TYPE_REASONS, OUTAGE_TYPES, outageReason } from './outage';
import { isStatefulType } from './stateful';

describe('isOutageType', () => {
  it.each([
    'azurerm_container_app_environment',
    'azurerm_container_app',
    'azurerm_linux_function_app',
    'azurerm_application_gateway',
    'azurerm_public_ip',
    'azurerm_web_application_firewall_policy',
    'azurerm_private_dns_zone',
    'azurerm_private_dns_zone_virtual_network_link',
    'azurerm_private_dns_a_record',
    'azurerm_private_endpoint',
    'azurerm_virtual_network',
    'azurerm_subnet',
    'azurerm_user_assigned_identity',
    'azurerm_resource_group',
  ])('classifies %s as outage-causing', (type) => {
    expect(isOutageType(type)).toBe(true);
  });

  it.each([
    'azurerm_role_assignment',
    'azurerm_monitor_diagnostic_setting',
    'azurerm_monitor_metric_alert',
    'azurerm_network_security_group',
    'azurerm_network_security_rule',
    'azurerm_subnet_network_security_group_association',
    'terraform_data',
  ])('classifies %s as not outage-causing (replaced routinely, or no effect on traffic)', (type) => {
    expect(isOutageType(type)).toBe(false);
  });

  it('adds the extra types a caller names, and only those', () => {
    const extra = new Set(['terraform_data']);
    expect(isOutageType('terraform_data', extra)).toBe(true);
    expect(outageReason('terraform_data', extra)).toContain('--outage-type');
    expect(isOutageType('null_resource', extra)).toBe(false);
  });

  it('gives the reason the review prints, e.g. what replacing the environment recreates', () => {
    expect(outageReason('azurerm_container_app_environment')).toMatch(
      /^the environment's replacement recreates every app in it and changes its static IP and default domain/,
    );
  });

  it('lists only azurerm types, each with a reason, and none that is also stateful', () => {
    for (const type of OUTAGE_TYPES) {
      expect(type).toMatch(/^azurerm_[a-z0-9_]+$/);
      expect(OUTAGE_TYPE_REASONS.get(type)?.length ?? 0).toBeGreaterThan(20);
      expect(isStatefulType(type)).toBe(false);
    }
  });
});

describe('classifyType', () => {
  it('classifies stateful types as stateful and outage types as outage, each with its reason', () => {
    expect(classifyType('azurerm_key_vault')).toEqual({
      category: 'stateful',
      reason: expect.stringContaining('secrets') as unknown as string,
    });
    expect(classifyType('azurerm_public_ip')?.category).toBe('outage');
    expect(classifyType('azurerm_role_assignment')).toBeUndefined();
  });

  it('keeps a type named in both categories stateful (losing data is the graver consequence)', () => {
    const both = new Set(['terraform_data']);
    expect(classifyType('terraform_data', { stateful: both, outage: both })?.category).toBe('stateful');
    expect(classifyType('azurerm_key_vault', { outage: new Set(['azurerm_key_vault']) })?.category).toBe(
      'stateful',
    );
  });
});
