/**
 * Pieces shared by the container apps of the hosting area (WebhookRuntime, ProxyTier): what a
 * registry and a secret source must offer, cpu/memory rules, probes, scale and secret blocks.
 */
import type { IConstruct } from 'constructs';
import { Annotations } from 'cdktf';
import type { IPrincipal } from '../core/types';
import { check, failure, intInRange, type Rule } from '../core/validation';
import type {
  ContainerAppSecret,
  ContainerAppTemplateContainerEnv,
  ContainerAppTemplateContainerLivenessProbe,
  ContainerAppTemplateContainerReadinessProbe,
  ContainerAppTemplateContainerStartupProbe,
} from '@cdktf/provider-azurerm/lib/container-app';

/**
 * A registry images are pulled from by managed identity. `ImageRegistry` (constructs/shared)
 * satisfies it; so does any object with a login server and a pull grant.
 */
export interface IPullRegistry {
  /** `<name>.azurecr.io` */
  readonly loginServer: string;
  /**
   * Grants AcrPull to `principal`. When it returns the role assignment resource, the app waits for
   * it (`depends_on`), so the first revision can pull.
   */
  grantPull(principal: IPrincipal): unknown;
}

/** A Key Vault the app reads secrets from. `SecretStore` (constructs/shared) satisfies it. */
export interface ISecretSource {
  /** Versionless secret id (URL) of `secretName`, as Container Apps' `key_vault_secret_id` takes it. */
  secretId(secretName: string): string;
  /**
   * Grants "Key Vault Secrets User" to `principal` (scoped to the secret when named), created in
   * `owner`'s stack when given.
   */
  grantSecretRead(principal: IPrincipal, secretName?: string, owner?: IConstruct): unknown;
}

/** A secret held in Key Vault: the app reads it through its identity; no value enters Terraform. */
export interface KeyVaultSecretRef {
  readonly store: ISecretSource;
  /** Name of the secret in the vault. */
  readonly secretName: string;
}

/** Allowed vCPU values of a container app (Consumption: 0.25 steps up to 4). */
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

export const CPU_VALUES = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3, 3.25, 3.5, 3.75, 4];

/** Consumption profile pairs: memory (GiB) is exactly twice the vCPU. */
export function sizeRules(cpu: number, memoryGi: number): Rule[] {
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
export function replicaRules(min: number, max: number): Rule[] {
  return [
    intInRange('minReplicas', min, 0, 1000),
    intInRange('maxReplicas', max, 1, 1000),
    min <= max ? undefined : failure('minReplicas', `at most maxReplicas (${max})`, min),
  ];
}

export interface ProbeOptions {
  readonly port: number;
  readonly livenessPath: string;
  readonly readinessPath: string;
  /** Startup probe path (polled until the app first answers, before liveness starts). */
  readonly startupPath: string;
}

/** HTTP liveness, readiness and startup probes in the shapes the bindings take. */
export function httpProbes(o: ProbeOptions): {
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

/** Environment variables as `env` blocks, sorted by name (stable plans). */
export function envBlocks(
  plain: Record<string, string>,
  fromSecrets: Record<string, string> = {},
): ContainerAppTemplateContainerEnv[] {
  const blocks: ContainerAppTemplateContainerEnv[] = [
    ...Object.keys(plain).map((name) => ({ name, value: plain[name] })),
    ...Object.keys(fromSecrets).map((name) => ({ name, secretName: fromSecrets[name] })),
  ];
  return blocks.sort((a, b) => a.name.localeCompare(b.name));
}

/** A Key Vault reference secret block read by `identityId`. */
export function keyVaultSecret(name: string, ref: KeyVaultSecretRef, identityId: string): ContainerAppSecret {
  return { name, keyVaultSecretId: ref.store.secretId(ref.secretName), identity: identityId };
}
