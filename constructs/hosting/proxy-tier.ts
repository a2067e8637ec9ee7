/**
 * ProxyTier: the NGINX tier between the gateway and the webhook runtime (least_conn, body limit,
 * rate limit, problem+json errors; the image is built under nginx/). Two hostings:
 * - `containerApps` (default): a container app in the same internal environment, ingress
 *   `external_enabled` so the gateway (outside the environment, inside the VNet) can reach it;
 * - `functionsPremium` (the seed's): an Elastic Premium plan running the NGINX custom-handler image
 *   (see proxy-functions.ts).
 * Both expose `fqdn` (the gateway's backend) and `maxBodyBytes` (the WAF limit is checked against it).
 */
import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { ContainerApp } from '@cdktf/provider-azurerm/lib/container-app';
import { ManagedIdentity } from '../core/identity';
import { dependenciesInStack } from '../core/role-assignment';
import { check, intInRange, matches, oneOf, validate } from '../core/validation';
import {
  envBlocks,
  httpProbes,
  imageRules,
  replicaRules,
  sizeRules,
  type IPullRegistry,
} from './container-app-parts';
import type { IContainerAppsEnvironment } from './container-apps-environment';
import { ProxyFunctionApp, type FunctionsPremiumOptions } from './proxy-functions';
import type { WebhookRuntime } from './webhook-runtime';

export type ProxyHosting = 'containerApps' | 'functionsPremium';

/** What the gateway needs from its backend. */
export interface IWebhookBackend {
  /** Host name the gateway sends to (HTTPS 443, host header picked from it). */
  readonly fqdn: string;
  /** Largest body the backend accepts (bytes): the WAF body limit must not be below it. */
  readonly maxBodyBytes: number;
}

export interface ProxyTierProps {
  /** Environment of the runtime (and of the proxy when hosted on Container Apps). */
  readonly environment: IContainerAppsEnvironment;
  /** The runtime the proxy forwards to; its FQDN becomes `UPSTREAM_SERVERS`. */
  readonly runtime: WebhookRuntime;
  /** App name: 2–32 lowercase letters, digits and hyphens. */
  readonly name: string;
  readonly registry: IPullRegistry;
  /** Repository of the NGINX image (`nginx/Dockerfile`, or `nginx/Dockerfile.functions` for functionsPremium). */
  readonly imageName: string;
  readonly imageTag: string;
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
  /** @default - a user-assigned identity `id-<name>` is created */
  readonly identity?: ManagedIdentity;
  /** vCPU per replica (containerApps). @default 0.25 */
  readonly cpu?: number;
  /** Memory (GiB) per replica (containerApps). @default - twice cpu */
  readonly memoryGi?: number;
  /** Minimum replicas (containerApps). @default 2 */
  readonly minReplicas?: number;
  /** Maximum replicas (containerApps). @default 10 */
  readonly maxReplicas?: number;
  /** Concurrent requests per replica before scaling out (containerApps). @default 100 */
  readonly concurrentRequestsPerReplica?: number;
  /**
   * Resources the first revision needs that it does not reference (the registry's private
   * endpoint and DNS link for the image pull). Only resources in this construct's stack.
   * @default []
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** @default {} */
  readonly tags?: Record<string, string>;
}

/** Port the NGINX image listens on (nginx/render.sh LISTEN_PORT default). */
export const PROXY_PORT = 8080;

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
      matches('name', props.name, /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, '2-32 lowercase letters, digits or -'),
      ...imageRules(this, props.imageName, props.imageTag),
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

    this.identity =
      props.identity ??
      new ManagedIdentity(this, 'Identity', {
        name: `id-${props.name}`,
        resourceGroupName: props.environment.resourceGroupName,
        location: props.environment.location,
        tags: props.tags ?? {},
      });
    const pull = props.registry.grantPull(this.identity);
    const onContainerApps = this.hosting === 'containerApps';
    const trusted =
      props.trustedProxyCidrs ??
      (onContainerApps ? props.environment.infrastructureSubnet?.addressPrefixes : []) ??
      [];
    const appEnv: Record<string, string> = {
      UPSTREAM_SERVERS: props.runtime.upstreamAddress,
      // Container Apps ingress routes by Host header: the proxy must send the runtime's FQDN.
      UPSTREAM_HOST_HEADER: props.runtime.fqdn,
      MAX_BODY_BYTES: String(props.runtime.maxBodyBytes),
    };
    if (trusted.length > 0) appEnv.TRUSTED_PROXY_CIDR = trusted.join(' ');

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

    const cpu = props.cpu ?? 0.25;
    const memoryGi = props.memoryGi ?? cpu * 2;
    const minReplicas = props.minReplicas ?? 2;
    const maxReplicas = props.maxReplicas ?? 10;
    const concurrent = props.concurrentRequestsPerReplica ?? 100;
    validate(owner, [
      ...sizeRules(cpu, memoryGi),
      ...replicaRules(minReplicas, maxReplicas),
      intInRange('concurrentRequestsPerReplica', concurrent, 1, 10_000),
    ]);
    const restrictions = (props.allowedSourceCidrs ?? []).map((cidr, i) => ({
      name: `allow-${i}`,
      action: 'Allow',
      ipAddressRange: cidr,
      description: 'gateway subnet',
    }));

    this.containerApp = new ContainerApp(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.environment.resourceGroupName,
      containerAppEnvironmentId: props.environment.environmentId,
      workloadProfileName: props.environment.defaultWorkloadProfileName,
      revisionMode: 'Single',
      identity: { type: 'UserAssigned', identityIds: [this.identity.id] },
      registry: [{ server: props.registry.loginServer, identity: this.identity.id }],
      ingress: {
        // Inside an internal environment "external" means reachable from the virtual network
        // (the gateway), never from the internet; "internal" would mean this environment only.
        externalEnabled: true,
        targetPort: PROXY_PORT,
        transport: 'http',
        allowInsecureConnections: false,
        ipSecurityRestriction: restrictions.length > 0 ? restrictions : undefined,
        trafficWeight: [{ latestRevision: true, percentage: 100 }],
      },
      template: {
        minReplicas,
        maxReplicas,
        httpScaleRule: [{ name: 'http-concurrency', concurrentRequests: String(concurrent) }],
        container: [
          {
            name: 'nginx',
            image: `${props.registry.loginServer}/${props.imageName}:${props.imageTag}`,
            cpu,
            memory: `${memoryGi}Gi`,
            env: envBlocks(appEnv),
            ...httpProbes({
              port: PROXY_PORT,
              livenessPath: '/healthz',
              readinessPath: '/readyz',
              startupPath: '/healthz',
            }),
          },
        ],
      },
      dependsOn: [...dependenciesInStack(this, [pull]), ...(props.dependsOn ?? [])],
      tags: props.tags ?? {},
    });
    this.fqdn = this.containerApp.ingress.fqdn;
  }
}
