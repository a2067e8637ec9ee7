import {
  onlyResource,
  resourcesOf,
  synthJson,
  testStacks,
  TestPrincipal,
  type Synthesized,
} from '../core/testing';
import { WebhookAlerts } from './alerts';
import { Observability, type ObservabilityProps } from './observability';

const { newStack, cleanup } = testStacks('observability-test');
afterAll(cleanup);

const base: ObservabilityProps = {
  name: 'webhooks-prod-weu',
  resourceGroupName: 'rg',
  location: 'westeurope',
};

function synth(props: Partial<ObservabilityProps> = {}, build?: (o: Observability) => void): Synthesized {
  const stack = newStack();
  const o = new Observability(stack, 'Obs', { ...base, ...props });
  build?.(o);
  return synthJson(stack);
}

describe('Observability workspace', () => {
  it('creates a workspace with 30-day retention and shared-key access off', () => {
    expect(onlyResource(synth(), 'azurerm_log_analytics_workspace')).toMatchObject({
      name: 'log-webhooks-prod-weu',
      sku: 'PerGB2018',
      retention_in_days: 30,
      daily_quota_gb: -1,
      local_authentication_enabled: false,
    });
  });

  it('can switch workspace local authentication on and change retention', () => {
    expect(
      onlyResource(
        synth({ workspaceLocalAuthenticationEnabled: true, retentionInDays: 90 }),
        'azurerm_log_analytics_workspace',
      ),
    ).toMatchObject({ local_authentication_enabled: true, retention_in_days: 90 });
  });

  it('uses a brought workspace and creates none', () => {
    const out = synth({ existingWorkspaceId: '/subscriptions/s/byo-law' });
    expect(resourcesOf(out, 'azurerm_log_analytics_workspace')).toHaveLength(0);
    expect(onlyResource(out, 'azurerm_application_insights').workspace_id).toBe('/subscriptions/s/byo-law');
  });

  it('fails if retention is outside 30-730 days', () => {
    expect(() => synth({ retentionInDays: 7 })).toThrow(
      'retentionInDays must be an integer from 30 to 730 (received 7)',
    );
  });

  it('fails if workspace settings are given with a brought workspace', () => {
    expect(() => synth({ existingWorkspaceId: '/law', retentionInDays: 60 })).toThrow(
      /existingWorkspaceId must be absent/,
    );
  });
});

describe('Observability Application Insights', () => {
  it('is workspace-based with instrumentation-key ingestion off', () => {
    const out = synth();
    expect(onlyResource(out, 'azurerm_application_insights')).toMatchObject({
      name: 'appi-webhooks-prod-weu',
      application_type: 'web',
      workspace_id: expect.stringMatching(/azurerm_log_analytics_workspace\.\w+\.id/),
      local_authentication_disabled: true,
    });
  });

  it('can switch local authentication back on', () => {
    expect(
      onlyResource(
        synth({ applicationInsightsLocalAuthenticationEnabled: true }),
        'azurerm_application_insights',
      ).local_authentication_disabled,
    ).toBe(false);
  });

  it('grants telemetry publishing on the component to a principal', () => {
    const out = synth({}, (o) =>
      o.grantTelemetryPublish(new TestPrincipal(o, 'App', 'p-1', 'ServicePrincipal')),
    );
    expect(onlyResource(out, 'azurerm_role_assignment')).toMatchObject({
      role_definition_name: 'Monitoring Metrics Publisher',
      scope: expect.stringMatching(/azurerm_application_insights\.\w+\.id/),
      principal_id: 'p-1',
    });
  });

  it('never outputs the connection string or instrumentation key', () => {
    const out = synth(
      { actionGroup: { emailReceivers: [{ name: 'ops', emailAddress: 'ops@example.com' }] } },
      (o) => o.addMetricAlert('A', { ...WebhookAlerts.gateway5xx('x', 10), scopes: ['/agw'] }),
    );
    expect(out.output).toBeUndefined();
    expect(JSON.stringify(out)).not.toMatch(/connection_string|instrumentation_key/);
  });
});

describe('Observability alerts', () => {
  it('creates a metric alert wired to the created action group', () => {
    const out = synth(
      { actionGroup: { emailReceivers: [{ name: 'ops', emailAddress: 'ops@example.com' }] } },
      (o) =>
        o.addMetricAlert('DeadLetters', {
          ...WebhookAlerts.serviceBusDeadLetters('sb', 'webhooks'),
          scopes: ['/sbns'],
        }),
    );
    expect(onlyResource(out, 'azurerm_monitor_action_group')).toMatchObject({
      name: 'ag-webhooks-prod-weu',
      short_name: 'webhooks',
      email_receiver: [{ name: 'ops', email_address: 'ops@example.com', use_common_alert_schema: true }],
    });
    expect(onlyResource(out, 'azurerm_monitor_metric_alert')).toMatchObject({
      name: 'sb-deadletters',
      scopes: ['/sbns'],
      severity: 1,
      window_size: 'PT5M',
      frequency: 'PT1M',
      enabled: true,
      auto_mitigate: true,
      criteria: [
        {
          metric_namespace: 'Microsoft.ServiceBus/namespaces',
          metric_name: 'DeadletteredMessages',
          aggregation: 'Average',
          operator: 'GreaterThan',
          threshold: 0,
          dimension: [{ name: 'EntityName', operator: 'Include', values: ['webhooks'] }],
        },
      ],
      action: [{ action_group_id: expect.stringMatching(/azurerm_monitor_action_group\.\w+\.id/) }],
    });
  });

  it('uses a brought action group', () => {
    const out = synth({ existingActionGroupId: '/ag' }, (o) =>
      o.addMetricAlert('R', { ...WebhookAlerts.containerRestarts('rt', 3), scopes: ['/app'] }),
    );
    expect(resourcesOf(out, 'azurerm_monitor_action_group')).toHaveLength(0);
    expect(onlyResource(out, 'azurerm_monitor_metric_alert')).toMatchObject({
      action: [{ action_group_id: '/ag' }],
      window_size: 'PT15M',
      criteria: [
        {
          metric_namespace: 'Microsoft.App/containerApps',
          metric_name: 'RestartCount',
          aggregation: 'Total',
          threshold: 3,
        },
      ],
    });
  });

  it('can create an alert disabled and without auto-mitigation', () => {
    const out = synth({}, (o) =>
      o.addMetricAlert('L', {
        ...WebhookAlerts.gatewayBackendResponseTime('agw', 2000),
        scopes: ['/agw'],
        enabled: false,
        autoMitigate: false,
      }),
    );
    const alert = onlyResource(out, 'azurerm_monitor_metric_alert');
    expect(alert).toMatchObject({ enabled: false, auto_mitigate: false });
    expect(alert.action).toBeUndefined();
  });

  it('fails if an alert name is used twice', () => {
    expect(() =>
      synth({}, (o) => {
        o.addMetricAlert('A', { ...WebhookAlerts.gatewayUnhealthyHosts('agw'), scopes: ['/agw'] });
        o.addMetricAlert('B', { ...WebhookAlerts.gatewayUnhealthyHosts('agw'), scopes: ['/agw'] });
      }),
    ).toThrow(/name must be unique among this construct’s alerts \(received "agw-unhealthy-hosts"\)/);
  });

  it('fails if the frequency is longer than the window or the severity is out of range', () => {
    expect(() =>
      synth({}, (o) =>
        o.addMetricAlert('A', {
          ...WebhookAlerts.eventHubsThrottled('evh'),
          scopes: ['/evh'],
          windowSize: 'PT5M',
          frequency: 'PT15M',
          severity: 7,
        }),
      ),
    ).toThrow(
      /severity must be an integer from 0 to 4 \(received 7\)[\s\S]*frequency must be no longer than windowSize \(PT5M\)/,
    );
  });

  it('watches several resources of one type when type and region are given, and fails without them', () => {
    const definition = { ...WebhookAlerts.containerRestarts('apps', 3), scopes: ['/app1', '/app2'] };
    const out = synth({}, (o) =>
      o.addMetricAlert('R', {
        ...definition,
        targetResourceType: 'Microsoft.App/containerApps',
        targetResourceLocation: 'westeurope',
      }),
    );
    expect(onlyResource(out, 'azurerm_monitor_metric_alert')).toMatchObject({
      scopes: ['/app1', '/app2'],
      target_resource_type: 'Microsoft.App/containerApps',
      target_resource_location: 'westeurope',
    });
    expect(() => synth({}, (o) => o.addMetricAlert('R', definition))).toThrow(
      /targetResourceType must be given with targetResourceLocation when there are several scopes/,
    );
  });

  it('fails if both an action group and an existing one are given', () => {
    expect(() => synth({ actionGroup: {}, existingActionGroupId: '/ag' })).toThrow(
      /existingActionGroupId must be absent/,
    );
  });
});

describe('Observability diagnostics', () => {
  it('sends a resource’s logs and metrics to its workspace', () => {
    const out = synth({ existingWorkspaceId: '/law' }, (o) => o.addDiagnostics(o, 'Diag', '/target'));
    expect(onlyResource(out, 'azurerm_monitor_diagnostic_setting')).toMatchObject({
      target_resource_id: '/target',
      log_analytics_workspace_id: '/law',
      enabled_log: [{ category_group: 'allLogs' }],
      enabled_metric: [{ category: 'AllMetrics' }],
    });
  });
});
