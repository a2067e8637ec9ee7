import { Construct } from 'constructs';
import { Annotations } from 'cdktf';
import type { ContainerApp, ContainerAppSecret } from '@cdktf/provider-azurerm/lib/container-app';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { ManagedIdentity } from '../core/identity';
import type { IMessageBus } from '../messaging/message-bus-base';
import type { ISecretSource, KeyVaultSecretRef } from '../shared/secret-store';
import { check, intInRange, oneOf, validate } from '../core/validation';
import {
  appIdentity,
  appRules,
  createContainerApp,
  envBlocks,
  keyVaultSecret,
  resolveScale,
  scaleRules,
  type ContainerAppBaseProps,
} from './container-app-parts';
import {
  DEFAULT_PORT,
  MAX_BODY_BYTES_DEFAULT,
  MAX_BODY_BYTES_RANGE,
  VERIFY_SCHEMES,
  type RuntimeEnvironment,
  type VerifyScheme,
} from '../../runtime/src/contract';
import { renderSources, sourceRules, sourceSecretBindings, type WebhookSource } from './webhook-sources';

/** Signature schemes the runtime understands (`WEBHOOK_VERIFY`, runtime/src/contract.ts). */
export const WEBHOOK_VERIFY_SCHEMES = VERIFY_SCHEMES;
/** A signature scheme of `WebhookRuntimeProps.verify` (the runtime's `WEBHOOK_VERIFY`). */
export type WebhookVerifyScheme = VerifyScheme;

/** Props of `WebhookRuntime`. */
export interface WebhookRuntimeProps extends ContainerAppBaseProps {
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
   * Named webhook sources, one route `POST /webhooks/<name>` each (`WEBHOOK_SOURCES`). Each secret
   * name becomes a container-app secret referencing `sourceSecretStore`, exposed as
   * `WEBHOOK_SOURCE_<NAME>_SECRET_<i>`; the identity may read exactly those secrets. `POST /webhook`
   * (`verify`, `webhookSecret`) is unchanged by them.
   * @default [] - only `POST /webhook`
   */
  readonly sources?: readonly WebhookSource[];
  /**
   * The Key Vault holding the sources' `secretNames`.
   * @default - the store of `webhookSecret` (required when a source has secrets and there is none)
   */
  readonly sourceSecretStore?: ISecretSource;
  /**
   * Application Insights connection string, passed as a container app secret: a Key Vault
   * reference, or a value (e.g. the `connection_string` attribute of an Application Insights
   * resource, which stays a reference in the synthesized JSON).
   * @default - no telemetry export
   */
  readonly applicationInsightsConnectionString?: string | KeyVaultSecretRef;
  /** Port the runtime listens on (`PORT`). @default 8000 */
  readonly port?: number;
  /** Largest accepted body in bytes (`MAX_BODY_BYTES`), 2–104857600. @default 1048576 */
  readonly maxBodyBytes?: number;
  /**
   * Make the ingress reachable from the virtual network (`external_enabled`; the environment is
   * internal, so still not from the internet). Needed only when the proxy runs outside the
   * environment (ProxyTier hosting `functionsPremium`).
   * @default false - reachable only from apps in the same environment
   */
  readonly reachableFromVirtualNetwork?: boolean;
}

/**
 * WebhookRuntime: the Hono webhook service as an Azure Container App. It pulls its image and reads
 * its secrets with a user-assigned identity (so the grants exist before the first revision), gets
 * exactly the environment variables runtime/src/config.ts reads, and publishes with the same
 * identity (`messageBus.grantSend`). Its ingress is internal to the environment: only the proxy
 * tier calls it.
 *
 * @example
 * ```ts
 * const runtime = new WebhookRuntime(this, 'Runtime', {
 *   environment,
 *   name: 'ca-webhooks-runtime',
 *   registry,
 *   imageName: 'webhook-runtime',
 *   imageTag: '1.0.0',
 *   messageBus: bus, // its identity is granted Data Sender on the queue
 *   verify: 'github',
 *   webhookSecret: { store: vault, secretName: 'github-webhook-secret' },
 *   // POST /webhooks/stripe, verified with Stripe's scheme; the second secret ends a rotation.
 *   sources: [
 *     { name: 'stripe', verify: 'stripe', secretNames: ['stripe-new', { name: 'stripe-old', notAfter: '2027-01-31T00:00:00Z' }] },
 *   ],
 * });
 * ```
 */
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
  /** The named sources (`POST /webhooks/<name>`); the proxy tier routes and rate-limits each. */
  public readonly sources: readonly WebhookSource[];

  constructor(scope: Construct, id: string, props: WebhookRuntimeProps) {
    super(scope, id);
    const port = props.port ?? DEFAULT_PORT;
    const maxBodyBytes = props.maxBodyBytes ?? MAX_BODY_BYTES_DEFAULT;
    const verify = props.verify ?? 'standard-webhooks';
    const sources = props.sources ?? [];
    const bindings = sourceSecretBindings(sources);
    const sourceStore = props.sourceSecretStore ?? props.webhookSecret?.store;
    const scale = resolveScale(props, { cpu: 0.5, concurrentRequestsPerReplica: 50 });
    validate(`WebhookRuntime '${this.node.path}'`, [
      ...appRules(this, props),
      oneOf('verify', verify, WEBHOOK_VERIFY_SCHEMES),
      check(
        'webhookSecret',
        verify === 'none' || props.webhookSecret !== undefined,
        `a Key Vault secret when verify is "${verify}"`,
        'undefined',
      ),
      ...sourceRules('sources', sources),
      check(
        'sourceSecretStore',
        bindings.length === 0 || sourceStore !== undefined,
        'a Key Vault when a source has secretNames (or give webhookSecret, whose store is the default)',
        'undefined',
      ),
      intInRange('port', port, 1, 65535),
      intInRange('maxBodyBytes', maxBodyBytes, MAX_BODY_BYTES_RANGE.min, MAX_BODY_BYTES_RANGE.max),
      ...scaleRules(scale),
    ]);

    for (const source of sources.filter((s) => s.verify === 'none')) {
      Annotations.of(this).addWarning(
        `WebhookRuntime '${this.node.path}': source "${source.name}" has verify "none": every request to POST /webhooks/${source.name} that reaches the runtime is published, signed or not.`,
      );
    }
    if (verify === 'none') {
      Annotations.of(this).addWarning(
        `WebhookRuntime '${this.node.path}': verify is "none": every request that reaches the runtime is published, signed or not.`,
      );
    }

    this.identity = appIdentity(this, props);
    const identityId = this.identity.id;

    // Grants first: the app depends on them, so revision 1 can pull its image and is ready
    // (publishes) without waiting for a later revision.
    const grants: RoleAssignment[] = [
      props.registry.grantPull(this.identity),
      props.messageBus.grantSend(this.identity),
    ];

    const secrets: ContainerAppSecret[] = [];
    /** Variable → the app secret holding its value. */
    const fromSecrets: RuntimeEnvironment = {};
    if (props.webhookSecret !== undefined) {
      // With this app: the secret is written after the vault's stack and before this one.
      grants.push(
        props.webhookSecret.store.grantSecretRead(this.identity, props.webhookSecret.secretName, this),
      );
      secrets.push(keyVaultSecret('webhook-secret', props.webhookSecret, identityId));
      fromSecrets.WEBHOOK_SECRET = 'webhook-secret';
    }
    /** WEBHOOK_SOURCE_<NAME>_SECRET_<i> → its app secret (names outside RuntimeEnvironment: one per secret). */
    const sourceSecrets: Record<string, string> = {};
    if (sourceStore !== undefined) {
      for (const b of bindings) {
        const ref = { store: sourceStore, secretName: b.secretName };
        // Exactly these secrets, never the vault; one assignment per secret however often it is named.
        const grant = sourceStore.grantSecretRead(this.identity, b.secretName, this);
        if (!grants.includes(grant)) grants.push(grant);
        secrets.push(keyVaultSecret(b.appSecretName, ref, identityId));
        sourceSecrets[b.env] = b.appSecretName;
      }
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

    // Only names of the runtime's contract compile here (test/stacks/contract.test.ts feeds the
    // synthesized result to the runtime's own config loader).
    const plain: RuntimeEnvironment = {
      ...props.messageBus.runtimeEnvironment(),
      WEBHOOK_VERIFY: verify,
      PORT: String(port),
      MAX_BODY_BYTES: String(maxBodyBytes),
      AZURE_CLIENT_ID: this.identity.clientId,
      WEBHOOK_SOURCES: sources.length > 0 ? renderSources(sources) : undefined,
    };
    const env = envBlocks(plain, { ...fromSecrets, ...sourceSecrets });

    this.reachableFromVirtualNetwork = props.reachableFromVirtualNetwork ?? false;
    this.containerApp = createContainerApp(this, props, this.identity, scale, {
      containerName: 'runtime',
      port,
      env,
      secrets,
      externalEnabled: this.reachableFromVirtualNetwork,
      // The proxy speaks plain HTTP to port 80 of this FQDN; the hop never leaves the
      // environment's network (docs/decisions/0006). Without this, port 80 answers 301.
      allowInsecureConnections: true,
      // Grants made in another stack (an identity brought from the foundation) are applied
      // before this one; only those in this stack can be named.
      grants,
    });
    this.fqdn = this.containerApp.ingress.fqdn;
    this.upstreamAddress = `${this.fqdn}:80`;
    this.port = port;
    this.maxBodyBytes = maxBodyBytes;
    this.sources = sources;
  }
}
