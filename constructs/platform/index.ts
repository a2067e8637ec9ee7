/**
 * Public surface of the platform area: `WebhookFoundation`, `WebhookPlatform` and their options.
 * The name derivation (`platformNames`) stays internal; its result is public as `PlatformNames`.
 */
export type { PlatformNames } from './names';
export type {
  PlatformAlertOptions,
  PlatformContainerAppsOptions,
  PlatformIngressOptions,
  PlatformMessagingOptions,
  PlatformNetworkOptions,
  PlatformObservabilityOptions,
  PlatformProxyOptions,
  PlatformRedriveJobOptions,
  PlatformRuntimeOptions,
  PlatformSharedServicesOptions,
} from './options';
export {
  WebhookFoundation,
  type DeployerAccessOptions,
  type DeployerIpRuleTarget,
  type DeployerNetworkAccess,
  type WebhookFoundationProps,
  type WorkloadIdentities,
} from './webhook-foundation';
export { WebhookPlatform, type WebhookPlatformProps } from './webhook-platform';
