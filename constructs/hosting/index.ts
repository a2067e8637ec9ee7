/**
 * Public surface of the hosting area: the Container Apps environment, the webhook runtime, the
 * NGINX proxy tier, the named webhook sources, the props the two apps share and the subnet contract. Validation rules and
 * the container app, probe and secret block builders stay internal.
 */
export type { SubnetFacts, SubnetRef } from './subnet';
export type { ContainerAppBaseProps } from './container-app-parts';
export {
  CONTAINER_APPS_DELEGATION,
  ContainerAppsEnvironment,
  type ContainerAppsEnvironmentAttributes,
  type ContainerAppsEnvironmentProps,
  type IContainerAppsEnvironment,
  type WorkloadProfile,
} from './container-apps-environment';
export {
  WEBHOOK_VERIFY_SCHEMES,
  WebhookRuntime,
  type WebhookRuntimeProps,
  type WebhookVerifyScheme,
} from './webhook-runtime';
export {
  ELASTIC_PREMIUM_SKUS,
  ProxyFunctionApp,
  type ElasticPremiumSku,
  type FunctionsPremiumOptions,
  type FunctionsStorage,
  type ProxyFunctionAppProps,
} from './proxy-functions';
export type {
  WebhookSource,
  WebhookSourceField,
  WebhookSourceHmac,
  WebhookSourceSecret,
  WebhookSourceVerify,
} from './webhook-sources';
export { ProxyTier, type IWebhookBackend, type ProxyHosting, type ProxyTierProps } from './proxy-tier';
// The runtime's signature schemes (`WebhookVerifyScheme`) and the NGINX image's environment.
export { VERIFY_SCHEMES, type VerifyScheme } from '../../runtime/src/contract';
export { PROXY_ENV_NAMES, type ProxyEnvironment, type ProxyEnvName } from './proxy-contract';
