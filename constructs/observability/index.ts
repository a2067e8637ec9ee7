/**
 * Public surface of the observability area: `Observability` (workspace, Application Insights,
 * action group, alerts, diagnostics) and the ready-made `WebhookAlerts` definitions.
 */
export {
  WebhookAlerts,
  type MetricAggregation,
  type MetricAlertDefinition,
  type MetricAlertDimension,
  type MetricOperator,
} from './alerts';
export {
  Observability,
  type ActionGroupProps,
  type MetricAlertProps,
  type ObservabilityProps,
} from './observability';
