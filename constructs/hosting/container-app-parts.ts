/**
 * Pieces shared by the container apps of the hosting area (WebhookRuntime, ProxyTier): image,
 * cpu/memory and replica rules, probes, env and secret blocks.
 */
import type { Construct, IConstruct } from 'constructs';
import { Annotations, type ITerraformDependable } from 'cdktf';
import {
  ContainerApp,
  type ContainerAppIngressIpSecurityRestriction,
  type ContainerAppSecret,
  type ContainerAppTemplateContainerEnv,
  type ContainerAppTemplateContainerLivenessProbe,
  type ContainerAppTemplateContainerReadinessProbe,
  type ContainerAppTemplateContainerStartupProbe,
} from '@cdktf/provider-azurerm/lib/container-app';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ManagedIdentity } from '../core/identity';
import { dependenciesInStack } from '../core/role-assignment';
import { check, failure, intInRange, matches, type Rule } from '../core/validation';
import type { IPullRegistry } from '../shared/image-registry';
import type { KeyVaultSecretRef } from '../shared/secret-store';
import type { IContainerAppsEnvironment } from './container-apps-environment';
import { PROBE_PATHS } from '../../runtime/src/contract';

/**
 * What `WebhookRuntimeProps` and `ProxyTierProps` share: where the app runs, its image, identity,
 * size and scale. The two constructs differ only in the cpu and concurrency defaults.
 */
export interface ContainerAppBaseProps {
  /** The Container Apps environment the app runs in (its resource group and region are the app's). */
  readonly environment: IContainerAppsEnvironment;
  /** App name: 2–32 lowercase letters, digits and hyphens. */
  readonly name: string;
  /** Registry the image is pulled from, by the app's identity. */
  readonly registry: IPullRegistry;
  /** Repository in the registry, e.g. `webhook-runtime`. */
  readonly imageName: string;
  /** Image tag (pin a version or build id; never `latest` in production). */
  readonly imageTag: string;
  /**
   * The identity the app pulls its image with (and, on the runtime, reads secrets and publishes).
   * @default - a user-assigned identity `id-<name>` is created
   */
  readonly identity?: ManagedIdentity;
  /**
   * vCPU per replica, 0.25–4 in steps of 0.25.
   * @default - 0.5 on WebhookRuntime, 0.25 on ProxyTier
   */
  readonly cpu?: number;
  /**
   * Memory (GiB) per replica: twice `cpu` on the Consumption profile.
   * @default - twice cpu
   */
  readonly memoryGi?: number;
  /**
   * Minimum replicas (2 keeps a warm spare; 0 scales to zero and cold-starts).
   * @default 2
   */
  readonly minReplicas?: number;
  /**
   * Maximum replicas.
   * @default 10
   */
  readonly maxReplicas?: number;
  /**
   * Concurrent requests per replica before the HTTP scale rule adds one.
   * @default - 50 on WebhookRuntime, 100 on ProxyTier
   */
  readonly concurrentRequestsPerReplica?: number;
  /**
   * Resources the first revision needs that it does not reference: the private endpoints and DNS
   * zone links of the registry (image pull) and, for the runtime, of the Key Vault (secret
   * references) and the bus (readiness). Only resources in this construct's stack; another stack
   * is deployed before it anyway.
   * @default []
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Tags on the app and the identity created for it.
   * @default - no tags
   */
  readonly tags?: Record<string, string>;
}

/** A construct's own defaults for the `ContainerAppBaseProps` whose defaults differ. */
export interface ScaleDefaults {
  readonly cpu: number;
  readonly concurrentRequestsPerReplica: number;
}

/** Size and scale with every default applied. */
export interface Scale {
  readonly cpu: number;
  readonly memoryGi: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly concurrentRequestsPerReplica: number;
}

/** What differs between the apps' `azurerm_container_app` resources. */
export interface ContainerAppShape {
  /** Name of the app's one container (`runtime`, `nginx`). */
  readonly containerName: string;
  /** Port the container listens on: ingress target and probe port. */
  readonly port: number;
  readonly env: ContainerAppTemplateContainerEnv[];
  /** @default - no secrets */
  readonly secrets?: ContainerAppSecret[];
  /**
   * Inside an internal environment "external" means reachable from the virtual network, never
   * from the internet; "internal" means from apps of this environment only.
   */
  readonly externalEnabled: boolean;
  /** Accept plain HTTP on port 80 instead of redirecting it to HTTPS. */
  readonly allowInsecureConnections: boolean;
  /** @default - no restriction */
  readonly ipSecurityRestriction?: ContainerAppIngressIpSecurityRestriction[];
  /**
   * Grants the first revision needs (image pull, secret reads, publish): the app depends on those
   * in its own stack (another stack's grants are applied before this one).
   */
  readonly grants: readonly RoleAssignment[];
}

/** Docker's rule for a repository name: lowercase path components separated by `/`. */
const DOCKER_REPOSITORY =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** Docker's rule for a tag: up to 128 of `[A-Za-z0-9_.-]`, not starting with `.` or `-`. */
export const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Tags that name whatever was pushed last: a redeploy or a scale-out may run another image. */
const MUTABLE_TAGS = new Set(['latest', 'stable', 'main', 'master', 'dev']);

/**
 * The image's repository and tag as Docker accepts them (a registry refuses anything else at push,
 * and Container Apps at create); a mutable tag such as `latest` is allowed but warned about.
 */
export function imageRules(scope: IConstruct, imageName: string, imageTag: string): Rule[] {
  if (MUTABLE_TAGS.has(imageTag)) {
    Annotations.of(scope).addWarning(
      `${scope.node.path}: imageTag "${imageTag}" is mutable: a restart or scale-out may run a different image than the one deployed; use a version or build id.`,
    );
  }
  return [
    check(
      'imageName',
      DOCKER_REPOSITORY.test(imageName),
      'a Docker repository name (lowercase letters, digits, and . _ - / between them)',
      imageName,
    ),
    check(
      'imageTag',
      DOCKER_TAG.test(imageTag),
      'a Docker tag (1-128 of [A-Za-z0-9_.-], not starting with . or -)',
      imageTag,
    ),
  ];
}

/** Allowed vCPU values of a container app (Consumption: 0.25 steps up to 4). */
export const CPU_VALUES = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3, 3.25, 3.5, 3.75, 4];

/** Consumption profile pairs: memory (GiB) is exactly twice the vCPU. */
function sizeRules(cpu: number, memoryGi: number): Rule[] {
  return [
    check('cpu', CPU_VALUES.includes(cpu), `one of ${CPU_VALUES.join(', ')} (vCPU)`, cpu),
    check(
      'memoryGi',
      memoryGi === cpu * 2,
      `twice cpu on the Consumption profile (${cpu * 2} for cpu ${cpu}; valid pairs 0.25/0.5 … 4/8)`,
      memoryGi,
    ),
  ];
}

/** Replica bounds: 0–1000, min ≤ max. */
function replicaRules(min: number, max: number): Rule[] {
  return [
    intInRange('minReplicas', min, 0, 1000),
    intInRange('maxReplicas', max, 1, 1000),
    min <= max ? undefined : failure('minReplicas', `at most maxReplicas (${max})`, min),
  ];
}

interface ProbeOptions {
  readonly port: number;
  readonly livenessPath: string;
  readonly readinessPath: string;
  /** Startup probe path (polled until the app first answers, before liveness starts). */
  readonly startupPath: string;
}

/** HTTP liveness, readiness and startup probes in the shapes the bindings take. */
function httpProbes(o: ProbeOptions): {
  livenessProbe: ContainerAppTemplateContainerLivenessProbe[];
  readinessProbe: ContainerAppTemplateContainerReadinessProbe[];
  startupProbe: ContainerAppTemplateContainerStartupProbe[];
} {
  return {
    livenessProbe: [
      {
        transport: 'HTTP',
        port: o.port,
        path: o.livenessPath,
        intervalSeconds: 10,
        timeout: 2,
        failureCountThreshold: 3,
      },
    ],
    readinessProbe: [
      {
        transport: 'HTTP',
        port: o.port,
        path: o.readinessPath,
        intervalSeconds: 5,
        timeout: 2,
        failureCountThreshold: 2,
        successCountThreshold: 1,
      },
    ],
    startupProbe: [
      {
        transport: 'HTTP',
        port: o.port,
        path: o.startupPath,
        intervalSeconds: 2,
        timeout: 2,
        failureCountThreshold: 30,
      },
    ],
  };
}

/**
 * Environment variables as `env` blocks, sorted by name (stable plans). `fromSecrets` maps a
 * variable to the app secret holding its value. A name whose value is `undefined` is left out.
 */
export function envBlocks(
  plain: Readonly<Record<string, string | undefined>>,
  fromSecrets: Readonly<Record<string, string | undefined>> = {},
): ContainerAppTemplateContainerEnv[] {
  const set = (r: Readonly<Record<string, string | undefined>>) =>
    Object.entries(r).filter((e): e is [string, string] => e[1] !== undefined);
  const blocks: ContainerAppTemplateContainerEnv[] = [
    ...set(plain).map(([name, value]) => ({ name, value })),
    ...set(fromSecrets).map(([name, secretName]) => ({ name, secretName })),
  ];
  return blocks.sort((a, b) => a.name.localeCompare(b.name));
}

/** A Key Vault reference secret block read by `identityId`. */
export function keyVaultSecret(name: string, ref: KeyVaultSecretRef, identityId: string): ContainerAppSecret {
  return { name, keyVaultSecretId: ref.store.secretId(ref.secretName), identity: identityId };
}

/** The name and image rules of every container app of this area. */
export function appRules(scope: IConstruct, props: ContainerAppBaseProps): Rule[] {
  return [
    matches('name', props.name, /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, '2-32 lowercase letters, digits or -'),
    ...imageRules(scope, props.imageName, props.imageTag),
  ];
}

/** `props`' size and scale with the construct's `defaults` applied. */
export function resolveScale(props: ContainerAppBaseProps, defaults: ScaleDefaults): Scale {
  const cpu = props.cpu ?? defaults.cpu;
  return {
    cpu,
    memoryGi: props.memoryGi ?? cpu * 2,
    minReplicas: props.minReplicas ?? 2,
    maxReplicas: props.maxReplicas ?? 10,
    concurrentRequestsPerReplica: props.concurrentRequestsPerReplica ?? defaults.concurrentRequestsPerReplica,
  };
}

/** Consumption cpu/memory pairs, replica bounds and the scale rule's concurrency. */
export function scaleRules(scale: Scale): Rule[] {
  return [
    ...sizeRules(scale.cpu, scale.memoryGi),
    ...replicaRules(scale.minReplicas, scale.maxReplicas),
    intInRange('concurrentRequestsPerReplica', scale.concurrentRequestsPerReplica, 1, 10_000),
  ];
}

/** `props.identity`, else a user-assigned identity `id-<name>` created under `scope` as `Identity`. */
export function appIdentity(scope: Construct, props: ContainerAppBaseProps): ManagedIdentity {
  return (
    props.identity ??
    new ManagedIdentity(scope, 'Identity', {
      name: `id-${props.name}`,
      resourceGroupName: props.environment.resourceGroupName,
      location: props.environment.location,
      tags: props.tags ?? {},
    })
  );
}

/**
 * The app's `azurerm_container_app`, created under `scope` as `Resource`: one container pulled by
 * `identity`, single revision mode, HTTP ingress on `shape.port` with all traffic on the latest
 * revision, the HTTP concurrency scale rule and the probes both images answer (the runtime
 * contract's PROBE_PATHS, runtime/src/contract.ts: runtime/src and nginx/ serve the same paths).
 */
export function createContainerApp(
  scope: Construct,
  props: ContainerAppBaseProps,
  identity: ManagedIdentity,
  scale: Scale,
  shape: ContainerAppShape,
): ContainerApp {
  return new ContainerApp(scope, 'Resource', {
    name: props.name,
    resourceGroupName: props.environment.resourceGroupName,
    containerAppEnvironmentId: props.environment.environmentId,
    workloadProfileName: props.environment.defaultWorkloadProfileName,
    revisionMode: 'Single',
    identity: { type: 'UserAssigned', identityIds: [identity.id] },
    registry: [{ server: props.registry.loginServer, identity: identity.id }],
    secret: shape.secrets !== undefined && shape.secrets.length > 0 ? shape.secrets : undefined,
    ingress: {
      externalEnabled: shape.externalEnabled,
      targetPort: shape.port,
      transport: 'http',
      allowInsecureConnections: shape.allowInsecureConnections,
      ipSecurityRestriction:
        shape.ipSecurityRestriction !== undefined && shape.ipSecurityRestriction.length > 0
          ? shape.ipSecurityRestriction
          : undefined,
      trafficWeight: [{ latestRevision: true, percentage: 100 }],
    },
    template: {
      minReplicas: scale.minReplicas,
      maxReplicas: scale.maxReplicas,
      httpScaleRule: [
        { name: 'http-concurrency', concurrentRequests: String(scale.concurrentRequestsPerReplica) },
      ],
      container: [
        {
          name: shape.containerName,
          image: `${props.registry.loginServer}/${props.imageName}:${props.imageTag}`,
          cpu: scale.cpu,
          memory: `${scale.memoryGi}Gi`,
          env: shape.env,
          ...httpProbes({
            port: shape.port,
            livenessPath: PROBE_PATHS.liveness,
            readinessPath: PROBE_PATHS.readiness,
            startupPath: PROBE_PATHS.startup,
          }),
        },
      ],
    },
    dependsOn: [...dependenciesInStack(scope, shape.grants), ...(props.dependsOn ?? [])],
    tags: props.tags ?? {},
  });
}
