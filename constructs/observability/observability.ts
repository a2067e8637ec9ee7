/**
 * Log Analytics workspace (created or brought) + workspace-based Application Insights, an optional
 * action group, and the alert/diagnostics helpers every other construct uses. Local (key-based)
 * authentication is off by default on both: ingestion and queries go through Entra ID.
 */
import { Construct } from 'constructs';
import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import type { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { addDiagnosticSettings, type DiagnosticSettingsProps } from '../core/diagnostics';
import { grantRole, roleAssignmentId } from '../core/role-assignment';
import type { IPrincipal } from '../core/identity';
import { check, intInRange, matches, oneOf, validate } from '../core/validation';
import type { MetricAlertDefinition } from './alerts';

/** An action group created by `Observability`: who is told when an alert fires. */
export interface ActionGroupProps {
  /**
   * Short name shown in notifications: 1-12 characters.
   * @default 'webhooks'
   */
  readonly shortName?: string;
  /** @default - none */
  readonly emailReceivers?: readonly { readonly name: string; readonly emailAddress: string }[];
  /** @default - none */
  readonly webhookReceivers?: readonly { readonly name: string; readonly serviceUri: string }[];
}

/** Props of `Observability`. */
export interface ObservabilityProps {
  /** Name stem: resources are `log-<name>`, `appi-<name>`, `ag-<name>` (e.g. `webhooks-prod-weu`). */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * Bring your own Log Analytics workspace (resource id); none is created.
   * @default - a workspace `log-<name>` is created
   */
  readonly existingWorkspaceId?: string;
  /**
   * Retention of the created workspace, 30-730 days.
   * @default 30
   */
  readonly retentionInDays?: number;
  /**
   * Daily ingestion cap of the created workspace in GB; -1 for none.
   * @default -1
   */
  readonly dailyQuotaGb?: number;
  /**
   * Allow shared-key access to the created workspace. Off means agents must use Entra ID: a
   * Container Apps environment with `logs_destination = "log-analytics"` writes with the workspace
   * key and its logs are then refused, so it must use `"azure-monitor"` + diagnostic settings
   * (diagnostic settings and workspace-based Application Insights are unaffected; see
   * MicrosoftDocs/azure-docs#100353).
   * @default false
   */
  readonly workspaceLocalAuthenticationEnabled?: boolean;
  /**
   * Allow instrumentation-key ingestion into Application Insights. Off means the exporter must
   * authenticate with Entra ID (`grantTelemetryPublish(identity)` + a credential in the SDK).
   * @default false
   */
  readonly applicationInsightsLocalAuthenticationEnabled?: boolean;
  /**
   * An action group created here for the alerts.
   * @default - none created
   */
  readonly actionGroup?: ActionGroupProps;
  /**
   * Bring your own action group (resource id); mutually exclusive with `actionGroup`.
   * @default - none
   */
  readonly existingActionGroupId?: string;
  /**
   * Tags on every resource created.
   * @default - no tags
   */
  readonly tags?: Record<string, string>;
}

/** A metric alert definition plus what it watches (`Observability.addMetricAlert`). */
export interface MetricAlertProps extends MetricAlertDefinition {
  /** Resource ids the alert watches (one resource, or several of one type in one region). */
  readonly scopes: readonly string[];
  /**
   * Resource type of the scopes (e.g. `Microsoft.App/containerApps`): Azure requires it, with
   * `targetResourceLocation`, when there are several scopes.
   * @default - none (single scope)
   */
  readonly targetResourceType?: string;
  /**
   * Region of the scopes; required with several scopes.
   * @default - none (single scope)
   */
  readonly targetResourceLocation?: string;
  /**
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Resolve the alert automatically when the condition clears.
   * @default true
   */
  readonly autoMitigate?: boolean;
}

const WINDOWS = ['PT1M', 'PT5M', 'PT15M', 'PT30M', 'PT1H', 'PT6H', 'PT12H', 'P1D'] as const;
const FREQUENCIES = ['PT1M', 'PT5M', 'PT15M', 'PT30M', 'PT1H'] as const;
const MINUTES: Record<string, number> = {
  PT1M: 1,
  PT5M: 5,
  PT15M: 15,
  PT30M: 30,
  PT1H: 60,
  PT6H: 360,
  PT12H: 720,
  P1D: 1440,
};

/**
 * The `Observability` construct.
 *
 * @example
 * ```ts
 * const observability = new Observability(this, 'Observability', {
 *   name: 'webhooks-prod-weu',
 *   resourceGroupName: 'rg-webhooks-prod-weu',
 *   location: 'westeurope',
 *   actionGroup: { emailReceivers: [{ name: 'oncall', emailAddress: 'oncall@contoso.com' }] },
 * });
 * observability.addMetricAlert('Gateway5xx', { ...WebhookAlerts.gateway5xx('agw-prod', 10), scopes: [gatewayId] });
 * ```
 */
export class Observability extends Construct {
  /** The created workspace; `undefined` when `existingWorkspaceId` was given. */
  public readonly workspace?: LogAnalyticsWorkspace;
  /** Resource id of the workspace every diagnostic setting sends to. */
  public readonly workspaceId: string;
  /**
   * Workspace-based Application Insights. Its `connectionString` is sensitive: pass it to the
   * runtime as APPLICATIONINSIGHTS_CONNECTION_STRING, never as an output.
   */
  public readonly applicationInsights: ApplicationInsights;
  /** The created action group, if any. */
  public readonly actionGroup?: MonitorActionGroup;
  /** Action group every alert notifies, if any. */
  public readonly actionGroupId?: string;
  private readonly resourceGroupName: string;
  private readonly tags?: Record<string, string>;
  private readonly alertNames = new Set<string>();

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    validate(`Observability '${this.node.path}'`, [
      matches('name', props.name, /^[a-z0-9][a-z0-9-]{0,50}[a-z0-9]$/, '2-52 lowercase letters, digits or -'),
      intInRange('retentionInDays', props.retentionInDays, 30, 730),
      check(
        'dailyQuotaGb',
        props.dailyQuotaGb === undefined || props.dailyQuotaGb === -1 || props.dailyQuotaGb > 0,
        '-1 (no cap) or a positive number',
        props.dailyQuotaGb,
      ),
      check(
        'existingWorkspaceId',
        props.existingWorkspaceId === undefined ||
          (props.retentionInDays === undefined && props.dailyQuotaGb === undefined),
        'absent when retentionInDays or dailyQuotaGb is set (they configure a workspace created here)',
        props.existingWorkspaceId,
      ),
      check(
        'existingActionGroupId',
        props.existingActionGroupId === undefined || props.actionGroup === undefined,
        'absent when actionGroup is given (one or the other)',
        props.existingActionGroupId,
      ),
      matches('actionGroup.shortName', props.actionGroup?.shortName, /^.{1,12}$/, '1-12 characters'),
      check(
        'actionGroup',
        props.actionGroup === undefined ||
          (props.actionGroup.emailReceivers ?? []).length +
            (props.actionGroup.webhookReceivers ?? []).length >
            0,
        'at least one email or webhook receiver (an empty group notifies nobody)',
        'no receivers',
      ),
    ]);
    this.resourceGroupName = props.resourceGroupName;
    this.tags = props.tags;

    if (props.existingWorkspaceId === undefined) {
      this.workspace = new LogAnalyticsWorkspace(this, 'Workspace', {
        name: `log-${props.name}`,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        sku: 'PerGB2018',
        retentionInDays: props.retentionInDays ?? 30,
        dailyQuotaGb: props.dailyQuotaGb ?? -1,
        localAuthenticationEnabled: props.workspaceLocalAuthenticationEnabled ?? false,
        tags: props.tags,
      });
      this.workspaceId = this.workspace.id;
    } else {
      this.workspaceId = props.existingWorkspaceId;
    }

    this.applicationInsights = new ApplicationInsights(this, 'ApplicationInsights', {
      name: `appi-${props.name}`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      applicationType: 'web',
      workspaceId: this.workspaceId,
      localAuthenticationDisabled: !(props.applicationInsightsLocalAuthenticationEnabled ?? false),
      tags: props.tags,
    });

    if (props.actionGroup !== undefined) {
      const group = props.actionGroup;
      this.actionGroup = new MonitorActionGroup(this, 'ActionGroup', {
        name: `ag-${props.name}`,
        resourceGroupName: props.resourceGroupName,
        shortName: group.shortName ?? 'webhooks',
        emailReceiver: (group.emailReceivers ?? []).map((r) => ({
          name: r.name,
          emailAddress: r.emailAddress,
          useCommonAlertSchema: true,
        })),
        webhookReceiver: (group.webhookReceivers ?? []).map((r) => ({
          name: r.name,
          serviceUri: r.serviceUri,
          useCommonAlertSchema: true,
        })),
        tags: props.tags,
      });
      this.actionGroupId = this.actionGroup.id;
    } else {
      this.actionGroupId = props.existingActionGroupId;
    }
  }

  /**
   * Adds a metric alert notifying the action group (if any). Refuses a duplicate alert name.
   * `scope` holds the alert: give the watching construct when it lives in another stack than this
   * one (an alert here on a resource there would make the two stacks read each other).
   * @param scope - the construct that holds the alert (default: this one)
   */
  public addMetricAlert(id: string, props: MetricAlertProps, scope: Construct = this): MonitorMetricAlert {
    const windowSize = props.windowSize ?? 'PT5M';
    const frequency = props.frequency ?? 'PT1M';
    validate(`Observability '${this.node.path}' alert '${id}'`, [
      check('name', !this.alertNames.has(props.name), 'unique among this construct’s alerts', props.name),
      check('scopes', props.scopes.length > 0, 'at least one resource id', '[]'),
      check(
        'targetResourceType',
        props.scopes.length <= 1 ||
          (props.targetResourceType !== undefined && props.targetResourceLocation !== undefined),
        'given with targetResourceLocation when there are several scopes (Azure rejects a multi-resource alert without them)',
        props.targetResourceType,
      ),
      intInRange('severity', props.severity, 0, 4),
      oneOf('windowSize', windowSize, WINDOWS),
      oneOf('frequency', frequency, FREQUENCIES),
      check(
        'frequency',
        (MINUTES[frequency] ?? 0) <= (MINUTES[windowSize] ?? Number.POSITIVE_INFINITY),
        `no longer than windowSize (${windowSize})`,
        frequency,
      ),
    ]);
    this.alertNames.add(props.name);
    return new MonitorMetricAlert(scope, id, {
      name: props.name,
      resourceGroupName: this.resourceGroupName,
      description: props.description,
      scopes: [...props.scopes],
      targetResourceType: props.targetResourceType,
      targetResourceLocation: props.targetResourceLocation,
      severity: props.severity ?? 2,
      windowSize,
      frequency,
      enabled: props.enabled ?? true,
      autoMitigate: props.autoMitigate ?? true,
      criteria: [
        {
          metricNamespace: props.metricNamespace,
          metricName: props.metricName,
          aggregation: props.aggregation,
          operator: props.operator,
          threshold: props.threshold,
          dimension: props.dimensions?.map((d) => ({
            name: d.name,
            operator: d.operator ?? 'Include',
            values: [...d.values],
          })),
        },
      ],
      action: this.actionGroupId === undefined ? undefined : [{ actionGroupId: this.actionGroupId }],
      tags: this.tags,
    });
  }

  /** Sends `targetResourceId`'s logs and metrics to this workspace (allLogs + AllMetrics). */
  public addDiagnostics(
    scope: Construct,
    id: string,
    targetResourceId: string,
    options: Omit<DiagnosticSettingsProps, 'targetResourceId' | 'logAnalyticsWorkspaceId'> = {},
  ): MonitorDiagnosticSetting {
    return addDiagnosticSettings(scope, id, {
      name: options.name,
      logCategoryGroups: options.logCategoryGroups,
      metrics: options.metrics,
      targetResourceId,
      logAnalyticsWorkspaceId: this.workspaceId,
    });
  }

  /**
   * Lets `principal` send telemetry to Application Insights with Entra ID ("Monitoring Metrics
   * Publisher" on the component), needed when local authentication is off.
   */
  public grantTelemetryPublish(principal: IPrincipal): RoleAssignment {
    const role = 'Monitoring Metrics Publisher';
    return grantRole(this, roleAssignmentId(role, principal), {
      scopeId: this.applicationInsights.id,
      roleDefinitionName: role,
      principal,
    });
  }
}
