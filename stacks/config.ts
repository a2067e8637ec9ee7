/**
 * Per-environment configuration: the one typed place that says how dev, staging and prod differ.
 * Everything else (names, wiring, secure defaults) is derived by the constructs.
 */

import type { DeployerNetworkAccess } from '../constructs/platform';

export type EnvironmentName = 'dev' | 'staging' | 'prod';

/** Who hears an alert: the action group's receivers. */
export interface AlertReceivers {
  readonly emails: readonly string[];
  /** HTTPS endpoints (e.g. an incident tool's webhook) receiving the common alert schema. */
  readonly webhooks?: readonly string[];
}

export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  /** Azure region: `westeurope` or `West Europe` (any public region; see constructs/core/regions). */
  readonly location: string;
  /**
   * Deployer access to the Key Vault and registry data planes. `agentIpFirewall` for the
   * Microsoft-hosted agents azure-pipelines.yml uses; `privateNetwork` for self-hosted agents in
   * the VNet (see WebhookFoundation's `DeployerNetworkAccess`).
   */
  readonly deployerNetwork: DeployerNetworkAccess;
  /** Tags on every resource. `environment`, `owner` and `cost-center` are required by policy. */
  readonly tags: {
    readonly environment: EnvironmentName;
    readonly owner: string;
    readonly 'cost-center': string;
  };
  /** The environment's VNet: one /16 per environment (so they can be peered) and its subnets. */
  readonly network: {
    readonly addressSpace: string;
    /** Application Gateway v2 subnet (its own, /24 for autoscale). */
    readonly gatewaySubnet: string;
    readonly privateEndpointSubnet: string;
    /** Container Apps workload-profiles subnet: /27 minimum; /23 leaves room to grow. */
    readonly appsSubnet: string;
  };
  readonly messaging: {
    /** Service Bus SKU: Standard in dev; Premium (private endpoint, no public access) above. */
    readonly sku: 'Standard' | 'Premium';
    /** Premium messaging units (1, 2, 4, 8 or 16); ignored on Standard. */
    readonly capacity: number;
    /** Private endpoint for the namespace (Premium only). */
    readonly privateEndpoint: boolean;
  };
  /** Container registry behind a private endpoint (Premium); the Key Vault always is. */
  readonly privateRegistry: boolean;
  readonly runtime: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly concurrentRequests: number;
  };
  readonly proxy: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly concurrentRequests: number;
  };
  /** Application Gateway WAF_v2: autoscale bounds, public name and certificate. */
  readonly gateway: {
    readonly minCapacity: number;
    readonly maxCapacity: number;
    /**
     * The DNS name senders use (your CNAME to the gateway's Azure-provided name).
     * @default - `<workload>-<env>-<suffix>.<region>.cloudapp.azure.com`, the public IP's name
     */
    readonly hostName?: string;
    /**
     * Where the gateway's certificate (Key Vault certificate `gateway-tls`) comes from: `import` a
     * PFX from the pipeline's secure file `gateway-tls-<env>.pfx`, or `self-signed`, issued by
     * Key Vault for `hostName` (dev: senders would not trust it).
     */
    readonly certificate: 'import' | 'self-signed';
  };
  readonly alerts: {
    /** The action group's receivers, or `'none'` to create alerts that notify nobody (not in prod). */
    readonly receivers: AlertReceivers | 'none';
    /** Active messages in the queue above which the backlog alert fires. */
    readonly backlogMessages: number;
    /** Gateway 5xx responses per 5 minutes above which the alert fires. */
    readonly gateway5xx: number;
    /** Average backend response time (ms) above which the alert fires. */
    readonly backendResponseTimeMs: number;
    /** Container restarts per 15 minutes above which the alert fires. */
    readonly containerRestarts: number;
  };
  /**
   * Deploy the dead-letter re-drive job (`WebhookPlatform` `redriveJob`, README "Re-driving dead
   * letters"): a Container Apps job an operator starts; it costs nothing while it does not run.
   * The foundation stack creates its identity and roles (`WebhookFoundation` `redriveJob`).
   */
  readonly redriveJob: boolean;
  /** Zone-redundant Container Apps environment (fixed at creation). */
  readonly zoneRedundant: boolean;
  /** Log Analytics retention in days. */
  readonly logRetentionDays: number;
  /**
   * Image tag in the environment's registry (`webhook-runtime`, `webhook-nginx`) used when the
   * `imageTag` context is not set; the pipeline sets that context to the tag it pushed (stacks/app.ts).
   */
  readonly imageTag: string;
}

/**
 * The `bootstrap` stack: the Terraform state storage every environment's stacks keep their state
 * in. Deployed once, by hand, with local state (README "First deploy").
 */
export interface BootstrapConfig {
  readonly location: string;
  /** Tags on the state storage. */
  readonly tags: Readonly<Record<string, string>>;
  /** Extra input to the storage account's unique suffix (your organisation's name). */
  readonly uniqueNameSeed: string;
  /**
   * Object ids of the identities that read and write state besides the operator who deploys
   * bootstrap: each pipeline service connection's (README "First deploy", step 2). Storage Blob
   * Data Contributor on the state container.
   */
  readonly stateWriterObjectIds: readonly string[];
}

const owner = 'platform-team';
const costCenter = 'cc-webhooks';
/** Who is told when staging or prod alert. */
const oncall: AlertReceivers = { emails: ['webhooks-oncall@contoso.com'] };

export const bootstrap: BootstrapConfig = {
  location: 'westeurope',
  tags: { environment: 'shared', owner, 'cost-center': costCenter },
  uniqueNameSeed: 'contoso',
  stateWriterObjectIds: [],
};

export const environments: Record<EnvironmentName, EnvironmentConfig> = {
  dev: {
    name: 'dev',
    location: 'westeurope',
    deployerNetwork: 'agentIpFirewall',
    tags: { environment: 'dev', owner, 'cost-center': costCenter },
    network: {
      addressSpace: '10.10.0.0/16',
      gatewaySubnet: '10.10.0.0/24',
      privateEndpointSubnet: '10.10.1.0/24',
      appsSubnet: '10.10.2.0/23',
    },
    messaging: { sku: 'Standard', capacity: 1, privateEndpoint: false },
    privateRegistry: false,
    runtime: { minReplicas: 1, maxReplicas: 3, concurrentRequests: 50 },
    proxy: { minReplicas: 1, maxReplicas: 2, concurrentRequests: 100 },
    gateway: { minCapacity: 0, maxCapacity: 2, certificate: 'self-signed' },
    alerts: {
      receivers: 'none',
      backlogMessages: 1000,
      gateway5xx: 50,
      backendResponseTimeMs: 2000,
      containerRestarts: 10,
    },
    redriveJob: false,
    zoneRedundant: false,
    logRetentionDays: 30,
    imageTag: '1.0.0',
  },
  staging: {
    name: 'staging',
    location: 'westeurope',
    deployerNetwork: 'agentIpFirewall',
    tags: { environment: 'staging', owner, 'cost-center': costCenter },
    network: {
      addressSpace: '10.20.0.0/16',
      gatewaySubnet: '10.20.0.0/24',
      privateEndpointSubnet: '10.20.1.0/24',
      appsSubnet: '10.20.2.0/23',
    },
    messaging: { sku: 'Premium', capacity: 1, privateEndpoint: true },
    privateRegistry: true,
    runtime: { minReplicas: 2, maxReplicas: 10, concurrentRequests: 50 },
    proxy: { minReplicas: 2, maxReplicas: 4, concurrentRequests: 100 },
    gateway: { minCapacity: 1, maxCapacity: 5, certificate: 'import' },
    alerts: {
      receivers: oncall,
      backlogMessages: 5000,
      gateway5xx: 25,
      backendResponseTimeMs: 1000,
      containerRestarts: 5,
    },
    redriveJob: true,
    zoneRedundant: true,
    logRetentionDays: 30,
    imageTag: '1.0.0',
  },
  prod: {
    name: 'prod',
    location: 'westeurope',
    deployerNetwork: 'agentIpFirewall',
    tags: { environment: 'prod', owner, 'cost-center': costCenter },
    network: {
      addressSpace: '10.30.0.0/16',
      gatewaySubnet: '10.30.0.0/24',
      privateEndpointSubnet: '10.30.1.0/24',
      appsSubnet: '10.30.2.0/23',
    },
    messaging: { sku: 'Premium', capacity: 2, privateEndpoint: true },
    privateRegistry: true,
    runtime: { minReplicas: 3, maxReplicas: 30, concurrentRequests: 50 },
    proxy: { minReplicas: 2, maxReplicas: 10, concurrentRequests: 100 },
    gateway: { minCapacity: 2, maxCapacity: 10, certificate: 'import' },
    alerts: {
      receivers: oncall,
      backlogMessages: 10000,
      gateway5xx: 10,
      backendResponseTimeMs: 500,
      containerRestarts: 3,
    },
    redriveJob: true,
    zoneRedundant: true,
    logRetentionDays: 90,
    imageTag: '1.0.0',
  },
};
