/**
 * Diagnostic settings in the shape Azure Verified Modules use: every log through the `allLogs`
 * category group plus the `AllMetrics` metric category, sent to one Log Analytics workspace.
 */
import type { Construct } from 'constructs';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';

/** Props of `addDiagnosticSettings`: which resource, which workspace, which categories. */
export interface DiagnosticSettingsProps {
  /** Resource id of the resource whose logs and metrics are collected. */
  readonly targetResourceId: string;
  /** Resource id of the Log Analytics workspace receiving them. */
  readonly logAnalyticsWorkspaceId: string;
  /**
   * Name of the diagnostic setting on the target resource (unique per resource).
   * @default 'diag-to-law'
   */
  readonly name?: string;
  /**
   * Log category groups to enable. Pass `[]` for a resource that only emits metrics.
   * @default ['allLogs']
   */
  readonly logCategoryGroups?: readonly string[];
  /**
   * Whether to send the `AllMetrics` category.
   * @default true
   */
  readonly metrics?: boolean;
}

/** Adds one diagnostic setting under `scope` with construct id `id`. */
export function addDiagnosticSettings(
  scope: Construct,
  id: string,
  props: DiagnosticSettingsProps,
): MonitorDiagnosticSetting {
  const groups = props.logCategoryGroups ?? ['allLogs'];
  const metrics = props.metrics ?? true;
  if (groups.length === 0 && !metrics) {
    throw new Error(
      `${scope.node.path}/${id}: logCategoryGroups and metrics must not both be empty (received [] and false): Azure rejects an empty diagnostic setting`,
    );
  }
  return new MonitorDiagnosticSetting(scope, id, {
    name: props.name ?? 'diag-to-law',
    targetResourceId: props.targetResourceId,
    logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
    enabledLog: groups.map((categoryGroup) => ({ categoryGroup })),
    enabledMetric: metrics ? [{ category: 'AllMetrics' }] : undefined,
  });
}
