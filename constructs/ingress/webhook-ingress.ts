import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { ApplicationGateway } from '@cdktf/provider-azurerm/lib/application-gateway';
import type { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { addDiagnosticSettings } from '../core/diagnostics';
import { ManagedIdentity } from '../core/identity';
import { dependenciesInStack } from '../core/role-assignment';
import { check, intInRange, matches, oneOf, validate } from '../core/validation';
import type { KeyVaultSecretRef } from '../shared/secret-store';
import type { IContainerAppsEnvironment } from '../hosting/container-apps-environment';
import type { IWebhookBackend } from '../hosting/proxy-tier';
import { sameSubnet, subnetFacts, type SubnetRef } from '../hosting/subnet';
import { EnvironmentPrivateDns } from './environment-private-dns';
import { gatewayBlocks } from './gateway-blocks';
import { WafPolicy, type WafOptions } from './waf-policy';

/** Predefined TLS policies accepted (2022 profiles: TLS 1.2+, no CBC-only legacy suites). */
export const SSL_POLICIES = ['AppGwSslPolicy20220101', 'AppGwSslPolicy20220101S'] as const;

/** Props of `WebhookIngress`. */
export interface WebhookIngressProps {
  /** Gateway name: 1–80 letters, digits, `.`, `-`, `_`. Related resources derive from it. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** A subnet for the gateway alone (no other resource may be in it). */
  readonly gatewaySubnet: SubnetRef;
  /** Where requests go: the proxy tier. */
  readonly backend: IWebhookBackend;
  /** The TLS certificate (PFX) in Key Vault; the gateway's identity is granted read on it. */
  readonly certificate: KeyVaultSecretRef;
  /** Log Analytics workspace for the gateway's and public IP's diagnostics. */
  readonly logAnalyticsWorkspaceId: string;
  /**
   * The internal Container Apps environment behind the backend: its subnet must differ from the
   * gateway's, and a private DNS zone for its default domain is created (see `virtualNetworkId`).
   * @default - no environment (e.g. a function-app backend): no DNS zone
   */
  readonly environment?: IContainerAppsEnvironment;
  /**
   * Virtual network to link the environment's private DNS zone to. Required with `environment`
   * unless `privateDns` is false.
   * @default - none
   */
  readonly virtualNetworkId?: string;
  /**
   * Create the private DNS zone for `environment` (turn off when a hub already resolves it).
   * @default true
   */
  readonly privateDns?: boolean;
  /**
   * DNS label of the public IP: `<label>.<region>.cloudapp.azure.com` then resolves to the gateway,
   * a name a certificate can be issued for before the team's own DNS points at it.
   * @default - no label
   */
  readonly domainNameLabel?: string;
  /**
   * Resources the gateway needs at its first start that it does not reference: the Key Vault's
   * private endpoint and DNS zone link (it fetches its certificate through them). Only resources in
   * the gateway's own stack; another stack is deployed before this one anyway.
   * @default []
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** Host name the HTTPS listener answers (SNI). @default - any host */
  readonly hostName?: string;
  /** Availability zones of the gateway and its public IP. @default ['1', '2', '3'] */
  readonly zones?: readonly string[];
  /** Autoscale lower bound, 0–125. @default 2 */
  readonly minCapacity?: number;
  /** Autoscale upper bound, 2–125. @default 10 */
  readonly maxCapacity?: number;
  /** Predefined TLS policy. @default 'AppGwSslPolicy20220101S' */
  readonly sslPolicyName?: (typeof SSL_POLICIES)[number];
  /** Seconds the gateway waits for the backend. Webhook senders give up after 5–10 s. @default 10 */
  readonly backendRequestTimeoutSeconds?: number;
  /** WAF policy settings. @default - Prevention, Microsoft_DefaultRuleSet 2.1, body check on */
  readonly waf?: WafOptions;
  /** @default - a user-assigned identity `id-<name>` is created */
  readonly identity?: ManagedIdentity;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

/**
 * WebhookIngress: the public entry of the system. A Standard static public IP and an Application
 * Gateway WAF_v2 in its own subnet (autoscaling, zones), terminating TLS with a Key Vault
 * certificate read by a user-assigned identity, redirecting HTTP to HTTPS, and forwarding to the
 * proxy tier over HTTPS with the backend's host name. A WAF policy (Prevention) guards it, and a
 * private DNS zone lets it resolve the internal Container Apps environment. Why a gateway and not
 * a load balancer: docs/decisions/0004.
 *
 * @example
 * ```ts
 * new WebhookIngress(this, 'Ingress', {
 *   name: 'agw-webhooks-prod-weu',
 *   resourceGroupName: 'rg-webhooks-prod-weu',
 *   location: 'westeurope',
 *   gatewaySubnet: network.gatewaySubnet,
 *   backend: proxy, // a ProxyTier
 *   environment,
 *   virtualNetworkId: network.virtualNetworkId,
 *   certificate: { store: vault, secretName: 'gateway-tls' },
 *   logAnalyticsWorkspaceId: observability.workspaceId,
 * });
 * ```
 */
export class WebhookIngress extends Construct {
  public readonly publicIp: PublicIp;
  public readonly applicationGateway: ApplicationGateway;
  public readonly wafPolicy: WafPolicy;
  public readonly identity: ManagedIdentity;
  /** The environment's private DNS zone, when created. */
  public readonly privateDns?: EnvironmentPrivateDns;
  public readonly diagnostics: MonitorDiagnosticSetting[];

  constructor(scope: Construct, id: string, props: WebhookIngressProps) {
    super(scope, id);
    const zones = props.zones ?? ['1', '2', '3'];
    const minCapacity = props.minCapacity ?? 2;
    const maxCapacity = props.maxCapacity ?? 10;
    const sslPolicyName = props.sslPolicyName ?? 'AppGwSslPolicy20220101S';
    const timeout = props.backendRequestTimeoutSeconds ?? 10;
    const createDns = props.environment !== undefined && (props.privateDns ?? true);
    const gatewaySubnet = subnetFacts(props.gatewaySubnet);
    const envSubnet = props.environment?.infrastructureSubnet;
    validate(`WebhookIngress '${this.node.path}'`, [
      matches(
        'name',
        props.name,
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,78}[A-Za-z0-9_]$/,
        '2-80 letters, digits, ., - or _',
      ),
      check(
        'gatewaySubnet',
        envSubnet === undefined || !sameSubnet(gatewaySubnet, envSubnet),
        "a subnet of its own (not the Container Apps environment's infrastructure subnet)",
        envSubnet?.path ?? envSubnet?.id,
      ),
      check(
        'gatewaySubnet.delegation',
        gatewaySubnet.delegations === undefined || gatewaySubnet.delegations.length === 0,
        'undelegated (Application Gateway v2 cannot use a delegated subnet)',
        gatewaySubnet.delegations?.join(', '),
      ),
      ...zones.map((z, i) => oneOf(`zones[${i}]`, z, ['1', '2', '3'])),
      intInRange('minCapacity', minCapacity, 0, 125),
      intInRange('maxCapacity', maxCapacity, 2, 125),
      check('minCapacity', minCapacity <= maxCapacity, `at most maxCapacity (${maxCapacity})`, minCapacity),
      oneOf('sslPolicyName', sslPolicyName, SSL_POLICIES),
      intInRange('backendRequestTimeoutSeconds', timeout, 1, 86_400),
      check(
        'virtualNetworkId',
        !createDns || props.virtualNetworkId !== undefined,
        'set when environment is given and privateDns is not false',
        props.virtualNetworkId,
      ),
    ]);
    const tags = props.tags ?? {};
    const base = { resourceGroupName: props.resourceGroupName, location: props.location, tags };

    this.wafPolicy = new WafPolicy(this, 'WafPolicy', {
      ...base,
      name: `waf-${props.name}`,
      ruleSet: props.waf?.ruleSet,
      mode: props.waf?.mode,
      requestBodyCheck: props.waf?.requestBodyCheck,
      maxRequestBodySizeInKb: props.waf?.maxRequestBodySizeInKb,
      backendMaxBodyBytes: props.backend.maxBodyBytes,
    });

    this.identity =
      props.identity ?? new ManagedIdentity(this, 'Identity', { ...base, name: `id-${props.name}` });
    // With the gateway: the certificate is written after the vault's stack and before this one.
    const certRead = props.certificate.store.grantSecretRead(
      this.identity,
      props.certificate.secretName,
      this,
    );

    this.publicIp = new PublicIp(this, 'PublicIp', {
      ...base,
      name: `pip-${props.name}`,
      sku: 'Standard',
      skuTier: 'Regional',
      allocationMethod: 'Static',
      ipVersion: 'IPv4',
      zones: [...zones],
      domainNameLabel: props.domainNameLabel,
    });

    if (createDns && props.environment !== undefined && props.virtualNetworkId !== undefined) {
      this.privateDns = new EnvironmentPrivateDns(this, 'EnvironmentDns', {
        environment: props.environment,
        resourceGroupName: props.resourceGroupName,
        virtualNetworkId: props.virtualNetworkId,
        tags,
      });
    }

    const blocks = gatewayBlocks({
      subnetId: gatewaySubnet.id,
      publicIpId: this.publicIp.id,
      backendFqdn: props.backend.fqdn,
      certificateSecretId: props.certificate.store.secretId(props.certificate.secretName),
      hostName: props.hostName,
      requestTimeoutSeconds: timeout,
    });
    const dependsOn: ITerraformDependable[] = [
      // The zone's link and records: without them the first probes fail and the backend is unhealthy.
      ...dependenciesInStack(this, [
        certRead,
        this.privateDns?.virtualNetworkLink,
        this.privateDns?.apexRecord,
        this.privateDns?.wildcardRecord,
      ]),
      ...(props.dependsOn ?? []),
    ];
    this.applicationGateway = new ApplicationGateway(this, 'Resource', {
      ...base,
      name: props.name,
      zones: [...zones],
      sku: { name: 'WAF_v2', tier: 'WAF_v2' },
      autoscaleConfiguration: { minCapacity, maxCapacity },
      enableHttp2: true,
      firewallPolicyId: this.wafPolicy.policyId,
      forceFirewallPolicyAssociation: true,
      identity: { type: 'UserAssigned', identityIds: [this.identity.id] },
      sslPolicy: { policyType: 'Predefined', policyName: sslPolicyName },
      ...blocks,
      dependsOn,
    });

    this.diagnostics = [
      addDiagnosticSettings(this, 'GatewayDiagnostics', {
        targetResourceId: this.applicationGateway.id,
        logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      }),
      addDiagnosticSettings(this, 'PublicIpDiagnostics', {
        targetResourceId: this.publicIp.id,
        logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      }),
    ];
  }
}
