/**
 * WebhookPlatform: the workloads of one environment, on top of a `WebhookFoundation`: the internal
 * Container Apps environment, the webhook runtime, the NGINX proxy tier, the App Gateway WAF
 * ingress and the metric alerts. Deploy it after the foundation and after the secrets and images
 * the foundation's vault and registry must hold (docs/decisions/0010-first-deploy.md): in its own
 * stack (cdktf turns every foundation attribute it reads into a cross-stack reference) or in the
 * foundation's stack.
 */
import { Construct } from 'constructs';
import { Annotations, TerraformStack, type ITerraformDependable } from 'cdktf';
import { check, validate, type Rule } from '../core/validation';
import {
  ContainerAppsEnvironment,
  ProxyTier,
  WebhookRuntime,
  type IContainerAppsEnvironment,
} from '../hosting';
import { subnetFacts } from '../hosting/subnet';
import { sourceRules } from '../hosting/webhook-sources';
import { WebhookIngress } from '../ingress';
import type { BusAlertOptions } from '../messaging';
import { WebhookAlerts } from '../observability';
import { DeadLetterRedriveJob } from '../operations';
import type { WebhookFoundation } from './webhook-foundation';
import type {
  PlatformAlertOptions,
  PlatformContainerAppsOptions,
  PlatformIngressOptions,
  PlatformProxyOptions,
  PlatformRedriveJobOptions,
  PlatformRuntimeOptions,
} from './options';

/** Props of `WebhookPlatform`. */
export interface WebhookPlatformProps {
  /** The environment's foundation: network, observability, vault, registry and bus. */
  readonly foundation: WebhookFoundation;
  /** @default - an internal, zone-redundant environment */
  readonly containerApps?: PlatformContainerAppsOptions;
  /** The webhook runtime (image tag required). */
  readonly runtime: PlatformRuntimeOptions;
  /** The NGINX proxy tier (image tag required). */
  readonly proxy: PlatformProxyOptions;
  /** @default - WAF_v2, zones 1-3, capacity 2-10, certificate secret `gateway-tls` */
  readonly ingress?: PlatformIngressOptions;
  /**
   * Metric alerts, notifying the foundation's action group. Without an action group the platform
   * refuses to synthesize unless `alerts.notifyNobody` is set (never for environment `prod`).
   * @default - all alerts on, default thresholds
   */
  readonly alerts?: PlatformAlertOptions;
  /**
   * A Container Apps job that re-drives the bus's dead letters when an operator starts it
   * (`DeadLetterRedriveJob`, runtime image). `true` or options to create it; Service Bus only (a
   * Kafka bus is refused: replay it with `webhooks-admin kafka replay`). It runs as the
   * foundation's `workloadIdentities.redrive` (only Data Receiver + Sender on the entity, AcrPull),
   * so the foundation of the same environment must set `redriveJob: true`: its roles then exist
   * and have propagated before this apply creates the job. Opt-in, so a platform gains no resource
   * it did not ask for.
   * @default false - no job
   */
  readonly redriveJob?: boolean | PlatformRedriveJobOptions;
}

/**
 * The workloads of one environment: Container Apps environment, runtime, proxy, gateway, alerts.
 *
 * @example
 * ```ts
 * new WebhookPlatform(this, 'Platform', {
 *   foundation, // a WebhookFoundation, in this stack or another
 *   runtime: { imageTag: '1.0.0' },
 *   proxy: { imageTag: '1.0.0' },
 * });
 * ```
 */
export class WebhookPlatform extends Construct {
  public readonly foundation: WebhookFoundation;
  public readonly containerAppsEnvironment: IContainerAppsEnvironment;
  public readonly runtime: WebhookRuntime;
  public readonly proxy: ProxyTier;
  public readonly ingress: WebhookIngress;
  /** The DNS name senders use: `ingress.hostName`, else the public IP's Azure-provided name. */
  public readonly hostName: string;
  /** `https://<hostName>/webhook` */
  public readonly webhookUrl: string;
  /** `https://<hostName>/webhooks/<name>` of each of `runtime.sources`, by name. */
  public readonly sourceUrls: Readonly<Record<string, string>>;
  /** The dead-letter re-drive job, when `redriveJob` was set. */
  public readonly redriveJob?: DeadLetterRedriveJob;

  constructor(scope: Construct, id: string, props: WebhookPlatformProps) {
    super(scope, id);
    const f = props.foundation;
    this.foundation = f;
    const { environment, tags } = f;
    const base = { resourceGroupName: f.resourceGroupName, location: f.location, tags };
    const caf = (abbreviation: string): string =>
      `${abbreviation}-${f.workload}-${environment}-${f.names.region}`;
    const alertOptions = props.alerts ?? {};
    const alertsOn = alertOptions.enabled ?? true;
    const notifyNobody = alertOptions.notifyNobody ?? false;
    const gatewayCidrs =
      props.proxy.allowedSourceCidrs ??
      (f.createdNetwork ? subnetFacts(f.createdNetwork.gatewaySubnet).addressPrefixes : undefined);
    const appsCidrs = f.createdNetwork ? subnetFacts(f.createdNetwork.appsSubnet).addressPrefixes : undefined;
    const proxyHosting = props.proxy.hosting ?? 'containerApps';
    const positive = (field: keyof PlatformAlertOptions): Rule => {
      const value = alertOptions[field];
      return check(
        `alerts.${field}`,
        value === undefined || (typeof value === 'number' && Number.isFinite(value) && value > 0),
        'a positive number',
        value,
      );
    };
    validate(`WebhookPlatform '${this.node.path}'`, [
      positive('backlogMessages'),
      positive('gateway5xx'),
      positive('backendResponseTimeMs'),
      positive('containerRestarts'),
      check(
        'alerts.notifyNobody',
        !alertsOn || f.observability.actionGroupId !== undefined || notifyNobody,
        'true to create alerts that notify nobody; or give the foundation observability.actionGroup (email/webhook receivers) or observability.existingActionGroupId',
        'undefined, and the foundation has no action group',
      ),
      check(
        'alerts.notifyNobody',
        !notifyNobody || environment !== 'prod',
        'unset in environment "prod" (its alerts must reach someone: give the foundation observability.actionGroup)',
        notifyNobody,
      ),
      check(
        'runtime.verify',
        props.runtime.verify !== 'none' || environment !== 'prod',
        'a signature scheme in environment "prod" (behind a public gateway "none" lets anyone on the internet publish)',
        props.runtime.verify,
      ),
      check(
        'redriveJob',
        (props.redriveJob ?? false) === false || f.messageBus.kind === 'serviceBus',
        'false or absent on a Kafka bus (Event Hubs has no dead-letter queue; replay with `webhooks-admin kafka replay`)',
        props.redriveJob === true ? true : 'options',
      ),
      check(
        'redriveJob',
        (props.redriveJob ?? false) === false ||
          f.messageBus.kind !== 'serviceBus' ||
          f.workloadIdentities.redrive !== undefined,
        "false or absent while the foundation has no re-drive identity: set redriveJob: true on the WebhookFoundation of the same environment (it creates the job's identity and roles an apply earlier, so RBAC has propagated before the job is created)",
        props.redriveJob === true ? true : 'options',
      ),
      ...(props.runtime.sources ?? []).map((source, i) =>
        check(
          `runtime.sources[${i}].verify`,
          source.verify !== 'none' || environment !== 'prod',
          'a signature scheme in environment "prod" (behind a public gateway "none" lets anyone on the internet publish)',
          source.verify,
        ),
      ),
      ...sourceRules('runtime.sources', props.runtime.sources ?? []),
      check(
        'proxy.allowedSourceCidrs',
        gatewayCidrs !== undefined && gatewayCidrs.length > 0,
        "the gateway subnet's CIDR(s) (the foundation's network was brought by id, so they are unknown here)",
        gatewayCidrs,
      ),
    ]);
    if ((props.ingress?.waf?.mode ?? 'Prevention') === 'Detection' && environment === 'prod') {
      Annotations.of(this).addWarning(
        `WebhookPlatform '${this.node.path}': ingress.waf.mode is "Detection" in prod: the WAF logs attacks and lets them through.`,
      );
    }
    if (alertsOn && notifyNobody) {
      Annotations.of(this).addWarning(
        `WebhookPlatform '${this.node.path}': alerts.notifyNobody is set: the metric alerts fire in Azure Monitor and notify nobody.`,
      );
    }

    // Same stack: order the first revisions and the gateway after the private endpoints and DNS
    // links they reach without referencing them. Another stack: deployed before this one.
    const sameStack = TerraformStack.of(f) === TerraformStack.of(this);
    const privateAccess: readonly ITerraformDependable[] = sameStack ? f.privateAccessDependencies : [];

    const apps = props.containerApps ?? {};
    this.containerAppsEnvironment =
      apps.existing ??
      new ContainerAppsEnvironment(this, 'ContainerApps', {
        ...base,
        name: caf('cae'),
        // The created network's Subnet object lets the environment check size and delegation.
        infrastructureSubnet: f.createdNetwork?.appsSubnet ?? f.network.appsSubnetId,
        infrastructureResourceGroupName: apps.infrastructureResourceGroupName,
        logAnalyticsWorkspaceId: f.observability.workspaceId,
        internal: true,
        zoneRedundancyEnabled: apps.zoneRedundancyEnabled,
      });

    const rt = props.runtime;
    // The runtime image also carries admin.js, which the re-drive job runs.
    const runtimeImageName = rt.imageName ?? 'webhook-runtime';
    this.runtime = new WebhookRuntime(this, 'Runtime', {
      environment: this.containerAppsEnvironment,
      name: `ca-runtime-${environment}`,
      registry: f.imageRegistry,
      imageName: runtimeImageName,
      imageTag: rt.imageTag,
      messageBus: f.messageBus,
      verify: rt.verify,
      webhookSecret:
        (rt.verify ?? 'standard-webhooks') === 'none'
          ? undefined
          : { store: f.secretStore, secretName: rt.webhookSecretName ?? 'webhook-secret' },
      sources: rt.sources,
      sourceSecretStore: f.secretStore,
      // Not a credential here: Application Insights has local authentication off, so ingestion
      // needs the identity's Entra token (granted below) whatever the connection string says.
      applicationInsightsConnectionString: f.observability.applicationInsights.connectionString,
      maxBodyBytes: rt.maxBodyBytes,
      cpu: rt.cpu,
      minReplicas: rt.minReplicas,
      maxReplicas: rt.maxReplicas,
      concurrentRequestsPerReplica: rt.concurrentRequestsPerReplica,
      reachableFromVirtualNetwork: proxyHosting === 'functionsPremium',
      // Its registry, bus and telemetry roles came with the foundation.
      identity: f.workloadIdentities.runtime,
      dependsOn: privateAccess,
      tags,
    });

    const px = props.proxy;
    this.proxy = new ProxyTier(this, 'Proxy', {
      environment: this.containerAppsEnvironment,
      runtime: this.runtime,
      name: `ca-proxy-${environment}`,
      registry: f.imageRegistry,
      imageName: px.imageName ?? 'webhook-nginx',
      imageTag: px.imageTag,
      hosting: proxyHosting,
      functionsPremium: px.functionsPremium,
      identity: f.workloadIdentities.proxy,
      // Only the gateway may call NGINX: anything else in the VNet would bypass the WAF.
      allowedSourceCidrs: gatewayCidrs,
      // The gateway appends the sender to X-Forwarded-For; the environment's ingress is the peer
      // NGINX sees. Believing both makes the sender the client of the per-client rate limit.
      trustedProxyCidrs: px.trustedProxyCidrs ?? [...(gatewayCidrs ?? []), ...(appsCidrs ?? [])],
      minReplicas: px.minReplicas,
      maxReplicas: px.maxReplicas,
      concurrentRequestsPerReplica: px.concurrentRequestsPerReplica,
      dependsOn: privateAccess,
      tags,
    });

    const ing = props.ingress ?? {};
    // The gateway's WAF inspects at most 2000 KB and its limit follows the runtime's unless set:
    // name the prop the user set, not the WAF field derived from it.
    validate(`WebhookPlatform '${this.node.path}'`, [
      check(
        'runtime.maxBodyBytes',
        ing.waf?.maxRequestBodySizeInKb !== undefined || Math.ceil(this.runtime.maxBodyBytes / 1024) <= 2000,
        'at most 2048000 (2000 KB, the largest body the WAF inspects)',
        this.runtime.maxBodyBytes,
      ),
    ]);
    const domainNameLabel = ing.domainNameLabel ?? f.gatewayDomainNameLabel;
    this.hostName =
      ing.hostName ??
      (ing.domainNameLabel === undefined
        ? f.gatewayDefaultHostName
        : `${domainNameLabel}.${f.location}.cloudapp.azure.com`);
    this.webhookUrl = `https://${this.hostName}/webhook`;
    this.sourceUrls = Object.fromEntries(
      this.runtime.sources.map((source) => [source.name, `https://${this.hostName}/webhooks/${source.name}`]),
    );
    this.ingress = new WebhookIngress(this, 'Ingress', {
      ...base,
      name: caf('agw'),
      gatewaySubnet: f.createdNetwork?.gatewaySubnet ?? f.network.gatewaySubnetId,
      backend: this.proxy,
      certificate: { store: f.secretStore, secretName: ing.certificateSecretName ?? 'gateway-tls' },
      logAnalyticsWorkspaceId: f.observability.workspaceId,
      environment: this.containerAppsEnvironment,
      virtualNetworkId: f.network.virtualNetworkId,
      hostName: ing.hostName,
      domainNameLabel,
      zones: ing.zones,
      minCapacity: ing.minCapacity,
      maxCapacity: ing.maxCapacity,
      waf: ing.waf,
      identity: f.workloadIdentities.gateway,
      dependsOn: privateAccess,
    });

    const redrive = props.redriveJob ?? false;
    if (redrive !== false) {
      const o: PlatformRedriveJobOptions = redrive === true ? {} : redrive;
      this.redriveJob = new DeadLetterRedriveJob(this, 'RedriveJob', {
        environment: this.containerAppsEnvironment,
        name: `caj-redrive-${environment}`,
        registry: f.imageRegistry,
        // admin.js ships in the runtime image: the job re-sends in the runtime's own format.
        imageName: runtimeImageName,
        imageTag: rt.imageTag,
        messageBus: f.messageBus,
        subscriptionName: o.subscriptionName,
        args: o.args,
        cpu: o.cpu,
        replicaTimeoutInSeconds: o.replicaTimeoutInSeconds,
        // Validated above: created, with its roles, by the foundation.
        identity: f.workloadIdentities.redrive,
        dependsOn: privateAccess,
        tags,
      });
    }

    if (alertsOn) this.addAlerts(alertOptions, `${f.workload}-${environment}`);
  }

  private addAlerts(options: PlatformAlertOptions, prefix: string): void {
    const obs = this.foundation.observability;
    const bus = this.foundation.messageBus;
    // Held here under the ids they have always had (their Terraform addresses), named after the
    // environment rather than the namespace.
    const at = (id: string): BusAlertOptions => ({ namePrefix: prefix, scope: this, id });
    if (bus.kind === 'serviceBus') {
      bus.addDeadLetterAlert(obs, at('DeadLetterAlert'));
      bus.addBacklogAlert(obs, options.backlogMessages ?? 1000, at('BacklogAlert'));
    } else {
      bus.addThrottledAlert(obs, at('ThrottledAlert'));
    }
    const gatewayId = this.ingress.applicationGateway.id;
    obs.addMetricAlert(
      'Gateway5xxAlert',
      {
        ...WebhookAlerts.gateway5xx(prefix, options.gateway5xx ?? 10),
        scopes: [gatewayId],
      },
      this,
    );
    obs.addMetricAlert(
      'BackendLatencyAlert',
      {
        ...WebhookAlerts.gatewayBackendResponseTime(prefix, options.backendResponseTimeMs ?? 1000),
        scopes: [gatewayId],
      },
      this,
    );
    obs.addMetricAlert(
      'UnhealthyHostsAlert',
      {
        ...WebhookAlerts.gatewayUnhealthyHosts(prefix),
        scopes: [gatewayId],
      },
      this,
    );
    // One alert per app: Azure Monitor supports multi-resource metric alerts only for a few types.
    const restarts = options.containerRestarts ?? 3;
    obs.addMetricAlert(
      'RuntimeRestartsAlert',
      {
        ...WebhookAlerts.containerRestarts(`${prefix}-runtime`, restarts),
        scopes: [this.runtime.containerApp.id],
      },
      this,
    );
    if (this.proxy.containerApp) {
      obs.addMetricAlert(
        'ProxyRestartsAlert',
        {
          ...WebhookAlerts.containerRestarts(`${prefix}-proxy`, restarts),
          scopes: [this.proxy.containerApp.id],
        },
        this,
      );
    }
  }
}
