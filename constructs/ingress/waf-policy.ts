import { Construct } from 'constructs';
import { WebApplicationFirewallPolicy } from '@cdktf/provider-azurerm/lib/web-application-firewall-policy';
import { check, intInRange, oneOf, validate } from '../core/validation';

/** The WAF managed rule sets `WafPolicy` supports. */
export type ManagedRuleSet = 'Microsoft_DefaultRuleSet' | 'OWASP';
/** The version each managed rule set is pinned to. */
export const MANAGED_RULE_SET_VERSIONS: Record<ManagedRuleSet, string> = {
  Microsoft_DefaultRuleSet: '2.1',
  OWASP: '3.2',
};

/** WAF policy settings a user may choose (`WebhookIngressProps.waf`). */
export interface WafOptions {
  /** Managed rule set (pinned version: DRS 2.1 or OWASP 3.2). @default 'Microsoft_DefaultRuleSet' */
  readonly ruleSet?: ManagedRuleSet;
  /** `Prevention` blocks matches; `Detection` only logs them. @default 'Prevention' */
  readonly mode?: 'Prevention' | 'Detection';
  /** Inspect request bodies. @default true */
  readonly requestBodyCheck?: boolean;
  /**
   * Largest request body in KB, 8–2000, at least the backend's limit.
   * @default - the backend's limit rounded up to KB (at least 8)
   */
  readonly maxRequestBodySizeInKb?: number;
}

/** Props of `WafPolicy`. */
export interface WafPolicyProps extends WafOptions {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** The backend's body limit in bytes (the runtime's MAX_BODY_BYTES). */
  readonly backendMaxBodyBytes: number;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

/**
 * WafPolicy: the `azurerm_web_application_firewall_policy` of the gateway, in Prevention mode with
 * a managed rule set (Microsoft_DefaultRuleSet 2.1 by default, or OWASP 3.2), request body
 * inspection on, and a body-size limit no lower than what the backend accepts (else the WAF
 * rejects webhooks the runtime would take).
 *
 * @example
 * ```ts
 * // Created by WebhookIngress; on its own:
 * new WafPolicy(this, 'Waf', {
 *   name: 'waf-webhooks-prod-weu',
 *   resourceGroupName: 'rg-webhooks-prod-weu',
 *   location: 'westeurope',
 *   backendMaxBodyBytes: 1_048_576, // the runtime's MAX_BODY_BYTES
 *   ruleSet: 'OWASP',
 * });
 * ```
 */
export class WafPolicy extends Construct {
  public readonly resource: WebApplicationFirewallPolicy;
  public readonly policyId: string;
  public readonly maxRequestBodySizeInKb: number;

  constructor(scope: Construct, id: string, props: WafPolicyProps) {
    super(scope, id);
    const ruleSet = props.ruleSet ?? 'Microsoft_DefaultRuleSet';
    const mode = props.mode ?? 'Prevention';
    const neededKb = Math.max(8, Math.ceil(props.backendMaxBodyBytes / 1024));
    const limitKb = props.maxRequestBodySizeInKb ?? neededKb;
    validate(`WafPolicy '${this.node.path}'`, [
      oneOf('waf.ruleSet', ruleSet, ['Microsoft_DefaultRuleSet', 'OWASP']),
      oneOf('waf.mode', mode, ['Prevention', 'Detection']),
      intInRange('waf.maxRequestBodySizeInKb', limitKb, 8, 2000),
      check(
        'waf.maxRequestBodySizeInKb',
        limitKb >= neededKb,
        `at least ${neededKb} (the runtime's MAX_BODY_BYTES ${props.backendMaxBodyBytes} in KB)`,
        limitKb,
      ),
    ]);
    this.maxRequestBodySizeInKb = limitKb;
    this.resource = new WebApplicationFirewallPolicy(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      policySettings: {
        enabled: true,
        mode,
        requestBodyCheck: props.requestBodyCheck ?? true,
        maxRequestBodySizeInKb: limitKb,
      },
      managedRules: {
        managedRuleSet: [{ type: ruleSet, version: MANAGED_RULE_SET_VERSIONS[ruleSet] }],
      },
      tags: props.tags ?? {},
    });
    this.policyId = this.resource.id;
  }
}
