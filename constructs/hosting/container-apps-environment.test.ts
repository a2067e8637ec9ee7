import { onlyResource, synthJson, testStacks } from '../core/testing';
import { ContainerAppsEnvironment, type ContainerAppsEnvironmentProps } from './container-apps-environment';
import { environmentProps, fixture } from './testing';

const { newStack, cleanup } = testStacks('cae-test');
afterAll(cleanup);

function synthEnv(
  override: Partial<ContainerAppsEnvironmentProps> = {},
  appsPrefix?: string,
): Record<string, unknown> {
  const stack = newStack();
  const f = fixture(stack, appsPrefix);
  new ContainerAppsEnvironment(stack, 'Env', { ...environmentProps(f), ...override });
  return onlyResource(synthJson(stack), 'azurerm_container_app_environment');
}

describe('ContainerAppsEnvironment defaults', () => {
  test('is internal, zone redundant, in the delegated subnet and logs via azure-monitor (no shared key)', () => {
    const env = synthEnv();
    expect(env).toMatchObject({
      internal_load_balancer_enabled: true,
      zone_redundancy_enabled: true,
      logs_destination: 'azure-monitor',
      mutual_tls_enabled: false,
    });
    expect(env.log_analytics_workspace_id).toBeUndefined();
    expect(env.infrastructure_subnet_id).toBe('${azurerm_subnet.Apps.id}');
  });

  test('by default a diagnostic setting sends the environment logs to the workspace', () => {
    const stack = newStack();
    const f = fixture(stack);
    new ContainerAppsEnvironment(stack, 'Env', environmentProps(f));
    const diag = onlyResource(synthJson(stack), 'azurerm_monitor_diagnostic_setting');
    expect(diag).toMatchObject({
      target_resource_id: '${azurerm_container_app_environment.Env_C33A5BD9.id}',
      log_analytics_workspace_id: '/workspaces/law',
    });
  });

  test("logsDestination 'log-analytics' writes with the workspace key and adds no diagnostic setting", () => {
    const stack = newStack();
    const f = fixture(stack);
    new ContainerAppsEnvironment(stack, 'Env', { ...environmentProps(f), logsDestination: 'log-analytics' });
    const json = synthJson(stack);
    expect(onlyResource(json, 'azurerm_container_app_environment')).toMatchObject({
      logs_destination: 'log-analytics',
      log_analytics_workspace_id: '/workspaces/law',
    });
    expect(JSON.stringify(json)).not.toContain('azurerm_monitor_diagnostic_setting');
  });

  test('always declares a Consumption workload profile (it cannot be added after creation)', () => {
    expect(synthEnv().workload_profile).toEqual([
      { name: 'Consumption', workload_profile_type: 'Consumption' },
    ]);
  });

  test('dedicated profiles get their instance bounds', () => {
    const env = synthEnv({
      workloadProfiles: [
        { name: 'Consumption', type: 'Consumption' },
        { name: 'd4', type: 'D4', minimumCount: 1, maximumCount: 4 },
      ],
    });
    expect(env.workload_profile).toContainEqual({
      name: 'd4',
      workload_profile_type: 'D4',
      minimum_count: 1,
      maximum_count: 4,
    });
  });

  test('every default can be switched off', () => {
    const env = synthEnv({ internal: false, zoneRedundancyEnabled: false, mutualTlsEnabled: true });
    expect(env).toMatchObject({
      internal_load_balancer_enabled: false,
      zone_redundancy_enabled: false,
      mutual_tls_enabled: true,
    });
  });
});

describe('ContainerAppsEnvironment subnet (apply-time trap: size and delegation)', () => {
  test('accepts a /23 subnet', () => {
    expect(() => synthEnv({}, '10.20.4.0/23')).not.toThrow();
  });

  test('fails if the subnet is smaller than /27, naming the field, the rule and the prefix', () => {
    expect(() => synthEnv({}, '10.20.2.0/28')).toThrow(
      'infrastructureSubnet.addressPrefixes must be /27 or larger for a workload-profiles environment (received "10.20.2.0/28")',
    );
  });

  test('fails if the subnet is not delegated to Microsoft.App/environments', () => {
    const stack = newStack();
    const f = fixture(stack);
    expect(
      () =>
        new ContainerAppsEnvironment(stack, 'Env', {
          ...environmentProps(f),
          infrastructureSubnet: f.functionsSubnet,
        }),
    ).toThrow('infrastructureSubnet.delegation must be a delegation to Microsoft.App/environments');
  });

  test('takes an existing subnet id on trust', () => {
    const stack = newStack();
    const f = fixture(stack);
    new ContainerAppsEnvironment(stack, 'Env', {
      ...environmentProps(f),
      infrastructureSubnet: '/subnets/apps',
    });
    expect(onlyResource(synthJson(stack), 'azurerm_container_app_environment').infrastructure_subnet_id).toBe(
      '/subnets/apps',
    );
  });
});

describe('ContainerAppsEnvironment validation', () => {
  test('fails early on a bad name and a misnamed Consumption profile, listing both', () => {
    let message = '';
    try {
      synthEnv({ name: 'Env_1', workloadProfiles: [{ name: 'cons', type: 'Consumption' }] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('name must be 2-60 lowercase letters, digits or - (received "Env_1")');
    expect(message).toContain('workloadProfiles[0].name must be "Consumption" for the Consumption profile');
  });

  test('fails on an unknown profile type and an empty profile list', () => {
    expect(() => synthEnv({ workloadProfiles: [{ name: 'x', type: 'D3' }] })).toThrow(
      'workloadProfiles[0].type must be one of Consumption, D4',
    );
    expect(() => synthEnv({ workloadProfiles: [] })).toThrow('workloadProfiles must be at least one profile');
  });
});

describe('ContainerAppsEnvironment.fromEnvironmentAttributes', () => {
  test('exposes the attributes of an existing environment', () => {
    const stack = newStack();
    const env = ContainerAppsEnvironment.fromEnvironmentAttributes(stack, 'Existing', {
      environmentId: '/managedEnvironments/cae',
      defaultDomain: 'happy-sea-123.westeurope.azurecontainerapps.io',
      staticIpAddress: '10.20.2.10',
      resourceGroupName: 'rg',
      location: 'westeurope',
    });
    expect(env).toMatchObject({
      environmentId: '/managedEnvironments/cae',
      internal: true,
      defaultWorkloadProfileName: 'Consumption',
    });
  });
});
