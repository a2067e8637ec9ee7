import { Construct } from 'constructs';
import type { ContainerApp } from '@cdktf/provider-azurerm/lib/container-app';
import type { ManagedIdentity } from '../core/identity';
import { dependenciesInStack } from '../core/role-assignment';
import { check, oneOf, validate } from '../core/validation';
import {
  appIdentity,
  appRules,
  createContainerApp,
  envBlocks,
  resolveScale,
  scaleRules,
  type ContainerAppBaseProps,
} from './container-app-parts';
import { PROXY_PORT, type ProxyEnvironment } from './proxy-contract';
import { ProxyFunctionApp, type FunctionsPremiumOptions } from './proxy-functions';
import type { WebhookRuntime } from './webhook-runtime';
import { renderNginxSources } from './webhook-sources';

/** Where the NGINX proxy tier runs: Container Apps (default) or Functions Elastic Premium. */
export type ProxyHosting = 'containerApps' | 'functionsPremium';

/** What the gateway needs from its backend. */
export interface IWebhookBackend {
  /** Host name the gateway sends to (HTTPS 443, host header picked from it). */
  readonly fqdn: string;
  /** Largest body the backend accepts (bytes): the WAF body limit must not be below it. */
  readonly maxBodyBytes: number;
}

/**
 * The proxy tier's props. `environment` is the runtime's (the proxy runs in it on Container Apps;
 * on `functionsPremium` only its resource group and region are used), and the size and scale
 * props apply to hosting `containerApps` only.
 */
export interface ProxyTierProps extends ContainerAppBaseProps {
  /**
   * The runtime the proxy forwards to; its FQDN becomes `UPSTREAM_SERVERS`, and its `sources`
   * `WEBHOOK_SOURCES_NGINX` (one exact `/webhooks/<name>` route and rate-limit zone each).
   */
  readonly runtime: WebhookRuntime;
  /** Repository of the NGINX image (`nginx/Dockerfile`, or `nginx/Dockerfile.functions` for functionsPremium). */
  readonly imageName: string;
  /**
   * Where NGINX runs.
   * @default 'containerApps'
   */
  readonly hosting?: ProxyHosting;
  /** Required when `hosting` is `functionsPremium`. @default - none */
  readonly functionsPremium?: FunctionsPremiumOptions;
  /**
   * CIDRs allowed to call the proxy (Container Apps ingress IP restrictions), e.g. the gateway
   * subnet.
   * @default - any address that can reach the internal environment (the virtual network)
   */
  readonly allowedSourceCidrs?: readonly string[];
  /**
   * Proxies whose `X-Forwarded-For` NGINX believes (`TRUSTED_PROXY_CIDR`): the gateway subnet and,
   * on Container Apps, the environment's subnet (its ingress is the peer NGINX sees). Without them
   * the client address, and so the per-client rate limit, is the gateway's.
   * @default - on Container Apps the environment's infrastructure subnet prefixes when known at
   * synth, else none
   */
  readonly trustedProxyCidrs?: readonly string[];
}

export { PROXY_PORT };

/**
 * ProxyTier: the NGINX tier between the gateway and the webhook runtime (least_conn, body limit,
 * rate limit, problem+json errors; the image is built under nginx/). Two hostings:
 * - `containerApps` (default): a container app in the same internal environment, ingress
 *   `external_enabled` so the gateway (outside the environment, inside the VNet) can reach it;
 * - `functionsPremium` (the seed's): an Elastic Premium plan running the NGINX custom-handler image
 *   (see proxy-functions.ts).
 * Both expose `fqdn` (the gateway's backend) and `maxBodyBytes` (the WAF limit is checked against it).
 *
 * @example
 * ```ts
 * const proxy = new ProxyTier(this, 'Proxy', {
 *   environment,
 *   runtime, // a WebhookRuntime: its FQDN becomes UPSTREAM_SERVERS
 *   name: 'ca-webhooks-proxy',
 *   registry,
 *   imageName: 'webhook-nginx',
 *   imageTag: '1.0.0',
 *   allowedSourceCidrs: ['10.20.0.0/24'], // the gateway subnet
 * });
 * ```
 */
export class ProxyTier extends Construct implements IWebhookBackend {
  public readonly hosting: ProxyHosting;
  public readonly identity: ManagedIdentity;
  /** The container app (hosting `containerApps`). */
  public readonly containerApp?: ContainerApp;
  /** The plan and function app (hosting `functionsPremium`). */
  public readonly functionApp?: ProxyFunctionApp;
  public readonly fqdn: string;
  public readonly maxBodyBytes: number;

  constructor(scope: Construct, id: string, props: ProxyTierProps) {
    super(scope, id);
    this.hosting = props.hosting ?? 'containerApps';
    this.maxBodyBytes = props.runtime.maxBodyBytes;
    const owner = `ProxyTier '${this.node.path}'`;
    validate(owner, [
      oneOf('hosting', this.hosting, ['containerApps', 'functionsPremium']),
      ...appRules(this, props),
      check(
        'functionsPremium',
        this.hosting !== 'functionsPremium' || props.functionsPremium !== undefined,
        'set when hosting is "functionsPremium"',
        'undefined',
      ),
      check(
        'runtime.reachableFromVirtualNetwork',
        this.hosting !== 'functionsPremium' || props.runtime.reachableFromVirtualNetwork,
        'true when hosting is "functionsPremium" (the function app is outside the environment)',
        props.runtime.reachableFromVirtualNetwork,
      ),
    ]);

    this.identity = appIdentity(this, props);
    const pull = props.registry.grantPull(this.identity);
    const onContainerApps = this.hosting === 'containerApps';
    const trusted =
      props.trustedProxyCidrs ??
      (onContainerApps ? props.environment.infrastructureSubnet?.addressPrefixes : []) ??
      [];
    // Only names nginx/render.sh reads compile here (./proxy-contract.ts).
    const appEnv: ProxyEnvironment = {
      UPSTREAM_SERVERS: props.runtime.upstreamAddress,
      // Container Apps ingress routes by Host header: the proxy must send the runtime's FQDN.
      UPSTREAM_HOST_HEADER: props.runtime.fqdn,
      MAX_BODY_BYTES: String(props.runtime.maxBodyBytes),
    };
    if (trusted.length > 0) appEnv.TRUSTED_PROXY_CIDR = trusted.join(' ');
    if (props.runtime.sources.length > 0)
      appEnv.WEBHOOK_SOURCES_NGINX = renderNginxSources(props.runtime.sources);

    if (this.hosting === 'functionsPremium' && props.functionsPremium !== undefined) {
      this.functionApp = new ProxyFunctionApp(this, 'Functions', {
        ...props.functionsPremium,
        name: props.name,
        resourceGroupName: props.environment.resourceGroupName,
        location: props.environment.location,
        identity: this.identity,
        registryLoginServer: props.registry.loginServer,
        imageName: props.imageName,
        imageTag: props.imageTag,
        appSettings: appEnv,
        dependsOn: [...dependenciesInStack(this, [pull]), ...(props.dependsOn ?? [])],
        tags: props.tags ?? {},
      });
      this.fqdn = this.functionApp.fqdn;
      return;
    }

    const scale = resolveScale(props, { cpu: 0.25, concurrentRequestsPerReplica: 100 });
    validate(owner, scaleRules(scale));
    this.containerApp = createContainerApp(this, props, this.identity, scale, {
      containerName: 'nginx',
      port: PROXY_PORT,
      env: envBlocks(appEnv),
      // Inside an internal environment "external" means reachable from the virtual network
      // (the gateway), never from the internet; "internal" would mean this environment only.
      externalEnabled: true,
      allowInsecureConnections: false,
      ipSecurityRestriction: (props.allowedSourceCidrs ?? []).map((cidr, i) => ({
        name: `allow-${i}`,
        action: 'Allow',
        ipAddressRange: cidr,
        description: 'gateway subnet',
      })),
      grants: [pull],
    });
    this.fqdn = this.containerApp.ingress.fqdn;
  }
}
