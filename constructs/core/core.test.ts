import { addDiagnosticSettings } from './diagnostics';
import { ManagedIdentity } from './identity';
import { grantRole, roleAssignmentId } from './role-assignment';
import { onlyResource, synthJson, testStacks, TestPrincipal } from './testing';

const { newStack, cleanup } = testStacks('core-test');
afterAll(cleanup);

describe('addDiagnosticSettings', () => {
  it('sends allLogs and AllMetrics to the workspace (the AVM shape)', () => {
    const stack = newStack();
    addDiagnosticSettings(stack, 'Diag', {
      targetResourceId: '/subscriptions/x/res',
      logAnalyticsWorkspaceId: '/law',
    });
    expect(onlyResource(synthJson(stack), 'azurerm_monitor_diagnostic_setting')).toMatchObject({
      target_resource_id: '/subscriptions/x/res',
      log_analytics_workspace_id: '/law',
      enabled_log: [{ category_group: 'allLogs' }],
      enabled_metric: [{ category: 'AllMetrics' }],
    });
  });

  it('can switch metrics off and choose log groups', () => {
    const stack = newStack();
    addDiagnosticSettings(stack, 'Diag', {
      targetResourceId: '/r',
      logAnalyticsWorkspaceId: '/law',
      metrics: false,
      logCategoryGroups: ['audit'],
    });
    const setting = onlyResource(synthJson(stack), 'azurerm_monitor_diagnostic_setting');
    expect(setting.enabled_log).toEqual([{ category_group: 'audit' }]);
    expect(setting.enabled_metric).toBeUndefined();
  });

  it('fails if both logs and metrics are switched off', () => {
    expect(() =>
      addDiagnosticSettings(newStack(), 'Diag', {
        targetResourceId: '/r',
        logAnalyticsWorkspaceId: '/law',
        metrics: false,
        logCategoryGroups: [],
      }),
    ).toThrow(/must not both be empty/);
  });
});

describe('grantRole', () => {
  it('assigns the role at the given scope with the principal type and skips the AAD check for service principals', () => {
    const stack = newStack();
    const principal = new TestPrincipal(
      stack,
      'App',
      '00000000-0000-0000-0000-000000000001',
      'ServicePrincipal',
    );
    grantRole(stack, roleAssignmentId('Azure Service Bus Data Sender', principal), {
      scopeId: '/queue',
      roleDefinitionName: 'Azure Service Bus Data Sender',
      principal,
    });
    expect(onlyResource(synthJson(stack), 'azurerm_role_assignment')).toEqual({
      scope: '/queue',
      role_definition_name: 'Azure Service Bus Data Sender',
      principal_id: '00000000-0000-0000-0000-000000000001',
      principal_type: 'ServicePrincipal',
      skip_service_principal_aad_check: true,
    });
  });

  it('leaves principal_type to Azure when unknown', () => {
    const stack = newStack();
    const principal = new TestPrincipal(stack, 'Group', 'g');
    grantRole(stack, 'G', { scopeId: '/s', roleDefinitionName: 'Reader', principal });
    const assignment = onlyResource(synthJson(stack), 'azurerm_role_assignment');
    expect(assignment.principal_type).toBeUndefined();
    expect(assignment.skip_service_principal_aad_check).toBeUndefined();
  });

  it('derives stable ids from the role and the principal construct path', () => {
    const a = new TestPrincipal(newStack(), 'App', 'p');
    const b = new TestPrincipal(newStack(), 'App', 'p');
    const c = new TestPrincipal(newStack(), 'Other', 'p');
    expect(roleAssignmentId('AcrPull', a)).toBe(roleAssignmentId('AcrPull', b));
    expect(roleAssignmentId('AcrPull', a)).not.toBe(roleAssignmentId('AcrPull', c));
    expect(roleAssignmentId('Azure Event Hubs Data Sender', a)).toMatch(
      /^AzureEventHubsDataSender-[0-9a-f]{8}$/,
    );
  });
});

describe('ManagedIdentity', () => {
  it('creates a user-assigned identity and exposes its ids as a ServicePrincipal', () => {
    const stack = newStack();
    const identity = new ManagedIdentity(stack, 'Id', {
      name: 'id-webhooks',
      resourceGroupName: 'rg',
      location: 'westeurope',
    });
    grantRole(stack, 'Grant', { scopeId: '/s', roleDefinitionName: 'Reader', principal: identity });
    const out = synthJson(stack);
    expect(onlyResource(out, 'azurerm_user_assigned_identity')).toMatchObject({
      name: 'id-webhooks',
      resource_group_name: 'rg',
      location: 'westeurope',
    });
    expect(onlyResource(out, 'azurerm_role_assignment')).toMatchObject({
      principal_id: expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.\w+\.principal_id\}$/),
      principal_type: 'ServicePrincipal',
    });
    expect(identity.principalType).toBe('ServicePrincipal');
  });

  it('fails if the name breaks the Azure rule', () => {
    expect(
      () =>
        new ManagedIdentity(newStack(), 'Id', { name: 'a', resourceGroupName: 'rg', location: 'westeurope' }),
    ).toThrow(/name must be 3-128 letters, digits, - or _, starting with a letter or digit \(received "a"\)/);
  });
});
