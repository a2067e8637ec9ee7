import { isStatefulType, statefulReason, STATEFUL_TYPE_REASONS, STATEFUL_TYPES } from './stateful';

describe('isStatefulType', () => {
  it.each([
    'azurerm_servicebus_namespace',
    'azurerm_servicebus_queue',
    'azurerm_servicebus_topic',
    'azurerm_servicebus_subscription',
    'azurerm_eventhub_namespace',
    'azurerm_eventhub',
    'azurerm_key_vault',
    'azurerm_key_vault_secret',
    'azurerm_storage_account',
    'azurerm_storage_container',
    'azurerm_log_analytics_workspace',
    'azurerm_container_registry',
    'azurerm_cosmosdb_account',
  ])('classifies %s as stateful', (type) => {
    expect(isStatefulType(type)).toBe(true);
  });

  it.each([
    'azurerm_container_app',
    'azurerm_container_app_environment',
    'azurerm_application_gateway',
    'azurerm_web_application_firewall_policy',
    'azurerm_role_assignment',
    'azurerm_monitor_diagnostic_setting',
    'azurerm_servicebus_namespace_authorization_rule',
    'azurerm_user_assigned_identity',
    'terraform_data',
  ])('classifies %s as not stateful (it can be recreated without data loss)', (type) => {
    expect(isStatefulType(type)).toBe(false);
  });

  it('adds the extra types a caller names, and only those', () => {
    const extra = new Set(['terraform_data']);
    expect(isStatefulType('terraform_data', extra)).toBe(true);
    expect(isStatefulType('null_resource', extra)).toBe(false);
  });

  it('lists only azurerm types (the provider this toolkit deploys with)', () => {
    for (const type of STATEFUL_TYPES) expect(type).toMatch(/^azurerm_[a-z0-9_]+$/);
  });
});

describe('statefulReason', () => {
  it('says what is lost, for listed types and for the database families', () => {
    expect(statefulReason('azurerm_servicebus_queue')).toContain('messages');
    expect(statefulReason('azurerm_cosmosdb_sql_container')).toBe('the data in the database is lost');
    expect(statefulReason('azurerm_redis_cache')).toBe('the cached data is lost');
    expect(statefulReason('azurerm_container_app')).toBeUndefined();
  });

  it('names the option that made an extra type stateful', () => {
    expect(statefulReason('terraform_data', new Set(['terraform_data']))).toContain('--stateful-type');
  });

  it('has a reason for every listed type', () => {
    for (const type of STATEFUL_TYPES) expect(STATEFUL_TYPE_REASONS.get(type)).toBeTruthy();
  });
});
