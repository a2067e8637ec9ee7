/**
 * Metric alert definitions for the webhook path, as plain data: pass one to
 * `Observability.addMetricAlert(id, { ...definition, scopes: [resourceId] })`. Metric names,
 * namespaces, aggregations and dimensions are those of Azure Monitor's "Supported metrics" tables;
 * a wrong one only fails at apply, so they live here once.
 */

/** Aggregations of Azure Monitor metric alerts. */
export type MetricAggregation = 'Average' | 'Count' | 'Minimum' | 'Maximum' | 'Total';
/** Comparison operators of Azure Monitor metric alerts. */
export type MetricOperator = 'Equals' | 'GreaterThan' | 'GreaterThanOrEqual' | 'LessThan' | 'LessThanOrEqual';

/** A dimension filter of a metric alert, e.g. `EntityName` = the queue. */
export interface MetricAlertDimension {
  readonly name: string;
  /** @default 'Include' */
  readonly operator?: 'Include' | 'Exclude' | 'StartsWith';
  readonly values: readonly string[];
}

/** What to watch; everything except where (`scopes`) and who is told (the action group). */
export interface MetricAlertDefinition {
  /** Alert rule name, unique in the resource group. */
  readonly name: string;
  readonly description: string;
  /** e.g. `Microsoft.ServiceBus/namespaces`. */
  readonly metricNamespace: string;
  readonly metricName: string;
  readonly aggregation: MetricAggregation;
  readonly operator: MetricOperator;
  readonly threshold: number;
  /** @default - all series */
  readonly dimensions?: readonly MetricAlertDimension[];
  /**
   * 0 (critical) to 4 (verbose).
   * @default 2
   */
  readonly severity?: number;
  /**
   * Evaluation window, ISO 8601: PT1M, PT5M, PT15M, PT30M, PT1H, PT6H, PT12H or P1D.
   * @default 'PT5M'
   */
  readonly windowSize?: string;
  /**
   * Evaluation frequency, ISO 8601: PT1M, PT5M, PT15M, PT30M or PT1H; not longer than the window.
   * @default 'PT1M'
   */
  readonly frequency?: string;
}

const entity = (entityName: string | undefined): MetricAlertDimension[] | undefined =>
  entityName === undefined ? undefined : [{ name: 'EntityName', values: [entityName] }];

/** Ready-made definitions for the signals that matter on the webhook path. */
export const WebhookAlerts = {
  /** Any dead-lettered message on a Service Bus entity: a webhook that will not be delivered without a human. */
  serviceBusDeadLetters(prefix: string, entityName?: string): MetricAlertDefinition {
    return {
      name: `${prefix}-deadletters`,
      description: `Dead-lettered messages > 0${entityName === undefined ? '' : ` on ${entityName}`}`,
      metricNamespace: 'Microsoft.ServiceBus/namespaces',
      metricName: 'DeadletteredMessages',
      aggregation: 'Average',
      operator: 'GreaterThan',
      threshold: 0,
      dimensions: entity(entityName),
      severity: 1,
    };
  },
  /** Active messages above `threshold`: consumers are not keeping up. */
  serviceBusBacklog(prefix: string, threshold: number, entityName?: string): MetricAlertDefinition {
    return {
      name: `${prefix}-backlog`,
      description: `Active messages > ${threshold}${entityName === undefined ? '' : ` on ${entityName}`}`,
      metricNamespace: 'Microsoft.ServiceBus/namespaces',
      metricName: 'ActiveMessages',
      aggregation: 'Average',
      operator: 'GreaterThan',
      threshold,
      dimensions: entity(entityName),
      windowSize: 'PT15M',
      frequency: 'PT5M',
    };
  },
  /** Throttled requests on an Event Hubs namespace: publishes are being refused (the runtime answers 503). */
  eventHubsThrottled(prefix: string, entityName?: string): MetricAlertDefinition {
    return {
      name: `${prefix}-throttled`,
      description: 'Event Hubs throttled requests > 0',
      metricNamespace: 'Microsoft.EventHub/namespaces',
      metricName: 'ThrottledRequests',
      aggregation: 'Total',
      operator: 'GreaterThan',
      threshold: 0,
      dimensions: entity(entityName),
    };
  },
  /**
   * Gateway 5xx responses above `threshold` per window. Azure Monitor metric alerts cannot divide
   * two metrics, so this is a count, not a rate: size it to the expected traffic.
   */
  gateway5xx(prefix: string, threshold: number): MetricAlertDefinition {
    return {
      name: `${prefix}-gateway-5xx`,
      description: `Application Gateway 5xx responses > ${threshold} in 5 minutes`,
      metricNamespace: 'Microsoft.Network/applicationGateways',
      metricName: 'ResponseStatus',
      aggregation: 'Total',
      operator: 'GreaterThan',
      threshold,
      dimensions: [{ name: 'HttpStatusGroup', values: ['5xx'] }],
      severity: 1,
    };
  },
  /** Backend (NGINX → runtime) last-byte response time above `thresholdMs` on average. */
  gatewayBackendResponseTime(prefix: string, thresholdMs: number): MetricAlertDefinition {
    return {
      name: `${prefix}-backend-latency`,
      description: `Backend last-byte response time > ${thresholdMs} ms`,
      metricNamespace: 'Microsoft.Network/applicationGateways',
      metricName: 'BackendLastByteResponseTime',
      aggregation: 'Average',
      operator: 'GreaterThan',
      threshold: thresholdMs,
    };
  },
  /** Any unhealthy backend host behind the gateway. */
  gatewayUnhealthyHosts(prefix: string): MetricAlertDefinition {
    return {
      name: `${prefix}-unhealthy-hosts`,
      description: 'Application Gateway unhealthy backend hosts > 0',
      metricNamespace: 'Microsoft.Network/applicationGateways',
      metricName: 'UnhealthyHostCount',
      aggregation: 'Average',
      operator: 'GreaterThan',
      threshold: 0,
      severity: 1,
    };
  },
  /** Container restarts above `threshold` in 15 minutes (crash loop, failing probes). */
  containerRestarts(prefix: string, threshold: number): MetricAlertDefinition {
    return {
      name: `${prefix}-restarts`,
      description: `Container restarts > ${threshold} in 15 minutes`,
      metricNamespace: 'Microsoft.App/containerApps',
      metricName: 'RestartCount',
      aggregation: 'Total',
      operator: 'GreaterThan',
      threshold,
      windowSize: 'PT15M',
      frequency: 'PT5M',
    };
  },
};
