/**
 * Where each stack keeps its Terraform state. Never baked into the code: a team's state storage is
 * theirs (the `bootstrap` stack creates it and prints these values). Read, in this order, from the
 * cdktf context key `tfstate` (`{"resourceGroupName", "storageAccountName", "containerName",
 * "subscriptionId"?}`) or from the environment: `TFSTATE_RESOURCE_GROUP`, `TFSTATE_STORAGE_ACCOUNT`,
 * `TFSTATE_CONTAINER` and optionally `TFSTATE_SUBSCRIPTION_ID`. With none of them set, stacks keep
 * local state files in the project root (fine for `cdktf synth` and a first look; a warning says
 * so); a partial setting is an error naming what is missing.
 *
 * The backend is part of the synthesized JSON, not a `-backend-config` flag: the platform stack's
 * cross-stack references read the foundation's state through a `terraform_remote_state` data
 * source that cdktf writes from the foundation's backend.
 */
import { Annotations, AzurermBackend, LocalBackend, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

export const STATE_CONTEXT_KEY = 'tfstate';

export interface StateStorage {
  readonly resourceGroupName: string;
  readonly storageAccountName: string;
  readonly containerName: string;
  /** @default - the subscription of the credentials (ARM_SUBSCRIPTION_ID) */
  readonly subscriptionId?: string;
}

const ENV = {
  resourceGroupName: 'TFSTATE_RESOURCE_GROUP',
  storageAccountName: 'TFSTATE_STORAGE_ACCOUNT',
  containerName: 'TFSTATE_CONTAINER',
  subscriptionId: 'TFSTATE_SUBSCRIPTION_ID',
} as const;

const RULES: Record<keyof StateStorage, [RegExp, string]> = {
  resourceGroupName: [/^[-\w.()]{0,89}[-\w()]$/, '1-90 letters, digits, _ - . ( ), not ending with "."'],
  storageAccountName: [/^[a-z0-9]{3,24}$/, '3-24 lowercase letters or digits'],
  containerName: [
    /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
    '3-63 lowercase letters, digits or single hyphens',
  ],
  subscriptionId: [/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i, 'a subscription GUID'],
};

/**
 * The state storage from context or environment; undefined when neither sets any of it.
 * Throws naming the source and the field for a partial or invalid setting.
 */
export function stateStorageFrom(scope: Construct, env: NodeJS.ProcessEnv): StateStorage | undefined {
  const fromContext: unknown = scope.node.tryGetContext(STATE_CONTEXT_KEY);
  let values: Partial<Record<keyof StateStorage, unknown>>;
  let name: (field: keyof StateStorage) => string;
  if (fromContext !== undefined) {
    if (typeof fromContext !== 'object' || fromContext === null || Array.isArray(fromContext)) {
      throw new Error(
        `context "${STATE_CONTEXT_KEY}" must be an object {resourceGroupName, storageAccountName, containerName}; received ${JSON.stringify(fromContext)}`,
      );
    }
    values = fromContext as Partial<Record<keyof StateStorage, unknown>>;
    name = (field) => `context "${STATE_CONTEXT_KEY}.${field}"`;
  } else {
    values = Object.fromEntries(
      Object.entries(ENV)
        .map(([field, variable]) => [field, env[variable]])
        .filter(([, value]) => value !== undefined && value !== ''),
    );
    name = (field) => ENV[field];
    if (Object.keys(values).length === 0) return undefined;
  }
  const problems: string[] = [];
  for (const field of Object.keys(RULES) as (keyof StateStorage)[]) {
    const value = values[field];
    if (value === undefined) {
      if (field !== 'subscriptionId') problems.push(`${name(field)} is not set`);
      continue;
    }
    const [pattern, expected] = RULES[field];
    if (typeof value !== 'string' || !pattern.test(value)) {
      problems.push(`${name(field)} must be ${expected}; received ${JSON.stringify(value)}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `Terraform state storage: ${problems.join('; ')} (set all of ${Object.values(ENV).slice(0, 3).join(', ')}, e.g. from the bootstrap stack's outputs, or none for local state)`,
    );
  }
  return values as unknown as StateStorage;
}

/**
 * Gives `stack` its backend: the team's azurerm state storage under `key`, with Entra ID auth and
 * OIDC (never an access key), or a local state file in the project root when `storage` is undefined.
 */
export function useStateBackend(stack: TerraformStack, storage: StateStorage | undefined, key: string): void {
  if (storage === undefined) {
    if (stack.node.id !== 'bootstrap') {
      Annotations.of(stack).addWarning(
        `${stack.node.id}: no Terraform state storage configured (TFSTATE_RESOURCE_GROUP, TFSTATE_STORAGE_ACCOUNT, TFSTATE_CONTAINER): state stays in ./terraform.${stack.node.id}.tfstate on this machine`,
      );
    }
    // Relative to the stack's working directory (cdktf.out/stacks/<stack>): the project root, so a
    // re-synth (which rewrites cdktf.out) keeps the state, and the JSON is the same on any machine.
    new LocalBackend(stack, { path: `../../../terraform.${stack.node.id}.tfstate` });
    return;
  }
  new AzurermBackend(stack, {
    resourceGroupName: storage.resourceGroupName,
    storageAccountName: storage.storageAccountName,
    containerName: storage.containerName,
    ...(storage.subscriptionId === undefined ? {} : { subscriptionId: storage.subscriptionId }),
    key,
    useAzureadAuth: true,
    useOidc: true,
  });
}
