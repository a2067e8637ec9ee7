/**
 * WebhookRuntime: the Hono webhook service as an Azure Container App. It pulls its image and reads
 * its secrets with a user-assigned identity (so the grants exist before the first revision), gets
 * exactly the environment variables runtime/src/config.ts reads, and publishes with the same
 * identity (`messageBus.grantSend`). Its ingress is internal to the environment: only the proxy
 * tier calls it.
 */
import { Construct } from 'constructs';
import { Annotations, type ITerraformDependable } from 'cdktf';
import { ContainerApp, type ContainerAppSecret } from '@cdktf/provider-azurerm/lib/container-app';
import { ManagedIdentity } from '../core/identity';
import { dependenciesInStack } from '../core/role-assignment';
import type { IMessageBus } from '../core/types';
import { check, intInRange, matches, oneOf, validate } from '../core/validation';
import {
  envBlocks,
  httpProbes,
  imageRules,
  keyVaultSecret,
  replicaRules,
  sizeRules,
  type IPullRegistry,
  type KeyVaultSecretRef,
} from './container-app-parts';
import type { IContainerAppsEnvironment } from './container-apps-environment';

/** Signature schemes the runtime understands (`WEBHOOK_VERIFY`, runtime/src/config.ts). */
export const WEBHOOK_VERIFY_SCHEMES = [
  'standard-webhooks',
  'github',
  'stripe',
  'shopify',
  'api-key',
  'none',
] as const;
export type WebhookVerifyScheme = (typeof WEBHOOK_VERIFY_SCHEMES)[number];

export interface WebhookRuntimeProps {
  readonly environment: IContainerAppsEnvironment;
  /** Container app name: 2–32 lowercase letters, digits and hyphens. */
  readonly name: string;
  /** Registry the image is pulled from, by the app's identity. */
  readonly registry: IPullRegistry;
  /** Repository in the registry, e.g. `webhook-runtime`. */
  readonly imageName: string;
  /** Image tag (pin a version or digest-like tag; never `latest` in production). */
  readonly imageTag: string;
  /** Where webhooks are published; the app's identity is granted send on its entity. */
  readonly messageBus: IMessageBus;
  /**
   * Signature scheme (`WEBHOOK_VERIFY`).
   * @default 'standard-webhooks'
   */
  readonly verify?: WebhookVerifyScheme;
  /**
   * The signing secret(s) in Key Vault (`WEBHOOK_SECRET`: one secret, or a JSON array of several during a rotation). Required
   * unless `verify` is `none`.
   * @default - none (only valid with verify 'none')
   */
  readonly webhookSecret?: KeyVaultSecretRef;
  /**
   * Application Insights connection string, passed as a container app secret: a Key Vault
   * reference, or a value (e.g. the `connection_string` attribute of an Application Insights
   * resource, which stays a reference in the synthesized JSON).
   * @default - no telemetry export
   */
  readonly applicationInsightsConnectionString?: string | KeyVaultSecretRef;
  /**
   * The identity used for registry pull, Key Vault and the bus.
   * @default - a user-assigned identity `id-<name>` is created
   */
  readonly identity?: ManagedIdentity;
  /** Port the runtime listens on (`PORT`). @default 8000 */
  readonly port?: number;
  /** Largest accepted body in bytes (`MAX_BODY_BYTES`), 2–104857600. @default 1048576 */
  readonly maxBodyBytes?: number;
  /** vCPU per replica. @default 0.5 */
  readonly cpu?: number;
  /** Memory (GiB) per replica: twice `cpu` on the Consumption profile. @default - twice cpu */
  readonly memoryGi?: number;
  /** Minimum replicas (2 keeps a warm spare; 0 scales to zero and cold-starts). @default 2 */
  readonly minReplicas?: number;
  /** Maximum replicas. @default 10 */
  readonly maxReplicas?: number;
  /** Concurrent requests per replica before the HTTP scale rule adds one. @default 50 */
  readonly concurrentRequestsPerReplica?: number;
  /**
   * Make the ingress reachable from the virtual network (`external_enabled`; the environment is
   * internal, so still not from the internet). Needed only when the proxy runs outside the
   * environment (ProxyTier hosting `functionsPremium`).
   * @default false - reachable only from apps in the same environment
   */
  readonly reachableFromVirtualNetwork?: boolean;
  /**
   * Resources the first revision needs that it does not reference: the private endpoints and DNS
   * zone links of the registry (image pull), the Key Vault (secret references) and the bus
   * (readiness). Only resources in this app's own stack; another stack is deployed before it anyway.
   * @default []
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** @default {} */
  readonly tags?: Record<string, string>;
}

export class WebhookRuntime extends Construct {
  /** The underlying `azurerm_container_app`. */
  public readonly containerApp: ContainerApp;
  /** The identity the app pulls, reads secrets and publishes with. */
  public readonly identity: ManagedIdentity;
  /** Ingress FQDN (`<name>.internal.<default domain>` while the ingress is environment-internal). */
  public readonly fqdn: string;
  /** `host:port` the proxy tier targets: the ingress FQDN on port 80 (see docs/decisions/0006). */
  public readonly upstreamAddress: string;
  public readonly port: number;
  public readonly maxBodyBytes: number;
  /** Whether the ingress is reachable from the virtual network (not only from the environment). */
  public readonly reachableFromVirtualNetwork: boolean;

  constructor(scope: Construct, id: string, props: WebhookRuntimeProps) {
    super(scope, id);
    const port = props.port ?? 8000;
    const maxBodyBytes = props.maxBodyBytes ?? 1_048_576;
    const verify = props.verify ?? 'standard-webhooks';
    const cpu = props.cpu ?? 0.5;
    const memoryGi = props.memoryGi ?? cpu * 2;
    const minReplicas = props.minReplicas ?? 2;
    const maxReplicas = props.maxReplicas ?? 10;
    const concurrent = props.concurrentRequestsPerReplica ?? 50;
    validate(`WebhookRuntime '${this.node.path}'`, [
      matches('name', props.name, /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, '2-32 lowercase letters, digits or -'),
      ...imageRules(this, props.imageName, props.imageTag),
      oneOf('verify', verify, WEBHOOK_VERIFY_SCHEMES),
      check(
        'webhookSecret',
        verify === 'none' || props.webhookSecret !== undefined,
        `a Key Vault secret when verify is "${verify}"`,
        'undefined',
      ),
      intInRange('port', port, 1, 65535),
      intInRange('maxBodyBytes', maxBodyBytes, 2, 104_857_600),
      ...sizeRules(cpu, memoryGi),
      ...replicaRules(minReplicas, maxReplicas),
      intInRange('concurrentRequestsPerReplica', concurrent, 1, 10_000),
    ]);

    if (verify === 'none') {
      Annotations.of(this).addWarning(
        `WebhookRuntime '${this.node.path}': verify is "none": every request that reaches the runtime is published, signed or not.`,
      );
    }

    this.identity =
      props.identity ??
      new ManagedIdentity(this, 'Identity', {
        name: `id-${props.name}`,
        resourceGroupName: props.environment.resourceGroupName,
        location: props.environment.location,
        tags: props.tags ?? {},
      });
    const identityId = this.identity.id;

    // Grants first: the app depends on the ones returned as resources, so revision 1 can pull
    // its image and is ready (publishes) without waiting for a later revision.
    const grants: unknown[] = [
      props.registry.grantPull(this.identity),
      props.messageBus.grantSend(this.identity),
    ];

    const secrets: ContainerAppSecret[] = [];
    const fromSecrets: Record<string, string> = {};
    if (props.webhookSecret !== undefined) {
      // With this app: the secret is written after the vault's stack and before this one.
      grants.push(
        props.webhookSecret.store.grantSecretRead(this.identity, props.webhookSecret.secretName, this),
      );
      secrets.push(keyVaultSecret('webhook-secret', props.webhookSecret, identityId));
      fromSecrets.WEBHOOK_SECRET = 'webhook-secret';
    }
    const ai = props.applicationInsightsConnectionString;
    if (ai !== undefined) {
      if (typeof ai === 'string') {
        secrets.push({ name: 'appinsights-connection-string', value: ai });
      } else {
        grants.push(ai.store.grantSecretRead(this.identity, ai.secretName, this));
        secrets.push(keyVaultSecret('appinsights-connection-string', ai, identityId));
      }
      fromSecrets.APPLICATIONINSIGHTS_CONNECTION_STRING = 'appinsights-connection-string';
    }

    const env = envBlocks(
      {
        ...props.messageBus.runtimeEnvironment(),
        WEBHOOK_VERIFY: verify,
        PORT: String(port),
        MAX_BODY_BYTES: String(maxBodyBytes),
        AZURE_CLIENT_ID: this.identity.clientId,
      },
      fromSecrets,
    );

    this.reachableFromVirtualNetwork = props.reachableFromVirtualNetwork ?? false;
    this.containerApp = new ContainerApp(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.environment.resourceGroupName,
      containerAppEnvironmentId: props.environment.environmentId,
      workloadProfileName: props.environment.defaultWorkloadProfileName,
      revisionMode: 'Single',
      identity: { type: 'UserAssigned', identityIds: [identityId] },
      registry: [{ server: props.registry.loginServer, identity: identityId }],
      secret: secrets.length > 0 ? secrets : undefined,
      ingress: {
        externalEnabled: this.reachableFromVirtualNetwork,
        targetPort: port,
        transport: 'http',
        // The proxy speaks plain HTTP to port 80 of this FQDN; the hop never leaves the
        // environment's network (docs/decisions/0006). Without this, port 80 answers 301.
        allowInsecureConnections: true,
        trafficWeight: [{ latestRevision: true, percentage: 100 }],
      },
      template: {
        minReplicas,
        maxReplicas,
        httpScaleRule: [{ name: 'http-concurrency', concurrentRequests: String(concurrent) }],
        container: [
          {
            name: 'runtime',
            image: `${props.registry.loginServer}/${props.imageName}:${props.imageTag}`,
            cpu,
            memory: `${memoryGi}Gi`,
            env,
            ...httpProbes({
              port,
              livenessPath: '/healthz',
              readinessPath: '/readyz',
              startupPath: '/healthz',
            }),
          },
        ],
      },
      // Grants made in another stack (an identity brought from the foundation) are applied
      // before this one; only those in this stack can be named.
      dependsOn: [...dependenciesInStack(this, grants), ...(props.dependsOn ?? [])],
      tags: props.tags ?? {},
    });
    this.fqdn = this.containerApp.ingress.fqdn;
    this.upstreamAddress = `${this.fqdn}:80`;
    this.port = port;
    this.maxBodyBytes = maxBodyBytes;
  }
}
