/**
 * Public surface of the ingress area: the Application Gateway WAF entry, its WAF policy and the
 * environment's private DNS zone. The gateway's nested block builder stays internal.
 */
export { EnvironmentPrivateDns, type EnvironmentPrivateDnsProps } from './environment-private-dns';
export {
  MANAGED_RULE_SET_VERSIONS,
  WafPolicy,
  type ManagedRuleSet,
  type WafOptions,
  type WafPolicyProps,
} from './waf-policy';
export { SSL_POLICIES, WebhookIngress, type WebhookIngressProps } from './webhook-ingress';
