/**
 * CAF-style resource names (`<abbreviation>-<workload>-<environment>-<region>`, e.g.
 * `rg-webhooks-prod-weu`) and a deterministic short suffix for names that must be globally unique:
 * a hash of stable inputs, never random or time-based, so every synth yields the same names.
 * Each Azure naming rule (length, characters) is checked by `validateResourceName`.
 */
import { createHash } from 'node:crypto';
import { resolveRegion } from './regions';
import { failure } from './validation';

/** Azure naming rules for the resources this library names (learn.microsoft.com "Naming rules and restrictions"). */
export const NAME_RULES = {
  resourceGroup: {
    abbreviation: 'rg',
    min: 1,
    max: 90,
    pattern: /^[\w.()-]*[\w()-]$/,
    chars: 'letters, digits, _ . ( ) -, not ending with .',
  },
  virtualNetwork: {
    abbreviation: 'vnet',
    min: 2,
    max: 64,
    pattern: /^[A-Za-z0-9][\w.-]*\w$/,
    chars: 'letters, digits, _ . -, starting alphanumeric, ending alphanumeric or _',
  },
  subnet: {
    abbreviation: 'snet',
    min: 1,
    max: 80,
    pattern: /^[A-Za-z0-9]([\w.-]*\w)?$/,
    chars: 'letters, digits, _ . -, starting alphanumeric, ending alphanumeric or _',
  },
  networkSecurityGroup: {
    abbreviation: 'nsg',
    min: 1,
    max: 80,
    pattern: /^[A-Za-z0-9]([\w.-]*\w)?$/,
    chars: 'letters, digits, _ . -, starting alphanumeric, ending alphanumeric or _',
  },
  logAnalyticsWorkspace: {
    abbreviation: 'log',
    min: 4,
    max: 63,
    pattern: /^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$/,
    chars: 'letters, digits and -, starting and ending alphanumeric',
  },
  applicationInsights: {
    abbreviation: 'appi',
    min: 1,
    max: 260,
    pattern: /^[^%&\\?/]*[^%&\\?/. ]$/,
    chars: 'no % & \\ ? /, not ending with . or space',
  },
  actionGroup: { abbreviation: 'ag', min: 1, max: 260, pattern: /^[^%&\\?/]+$/, chars: 'no % & \\ ? /' },
  serviceBusNamespace: {
    abbreviation: 'sbns',
    min: 6,
    max: 50,
    pattern: /^[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$/,
    chars: 'letters, digits and -, starting with a letter, ending alphanumeric',
  },
  eventHubNamespace: {
    abbreviation: 'evhns',
    min: 6,
    max: 50,
    pattern: /^[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$/,
    chars: 'letters, digits and -, starting with a letter, ending alphanumeric',
  },
  managedIdentity: {
    abbreviation: 'id',
    min: 3,
    max: 128,
    pattern: /^[A-Za-z0-9][\w-]*$/,
    chars: 'letters, digits, - and _, starting alphanumeric',
  },
} as const;

/** The resource kinds `resourceName` and `validateResourceName` know (keys of `NAME_RULES`). */
export type NamedResource = keyof typeof NAME_RULES;

/** Short region codes used in names: see `./regions` for the table and its convention. */
export { REGION_CODES } from './regions';

/**
 * Checks `name` against Azure's rule for `kind` and returns it; throws an error naming the field,
 * the rule and the value otherwise. Service Bus / Event Hubs namespaces also may not end in `-sb`
 * or `-mgmt` (reserved).
 */
export function validateResourceName(kind: NamedResource, name: string, field = 'name'): string {
  const rule = NAME_RULES[kind];
  const namespace = kind === 'serviceBusNamespace' || kind === 'eventHubNamespace';
  const ok =
    name.length >= rule.min &&
    name.length <= rule.max &&
    rule.pattern.test(name) &&
    !(namespace && /-(sb|mgmt)$/i.test(name));
  if (!ok) {
    throw new Error(
      failure(
        `${field} (${kind})`,
        `${rule.min}-${rule.max} characters: ${rule.chars}${namespace ? ', not ending in -sb or -mgmt' : ''}`,
        name,
      ),
    );
  }
  return name;
}

/**
 * A deterministic lowercase hex suffix of `length` characters (4-16): sha256 of the parts joined
 * by `/`. Same inputs, same suffix, on every machine and every synth.
 */
export function uniqueSuffix(parts: readonly string[], length = 4): string {
  if (!Number.isInteger(length) || length < 4 || length > 16) {
    throw new Error(failure('length', 'an integer from 4 to 16', length));
  }
  return createHash('sha256').update(parts.join('/')).digest('hex').slice(0, length);
}

/** The inputs of `resourceName`. */
export interface ResourceNameParts {
  /** Workload, e.g. `webhooks`: 2-12 lowercase letters or digits. */
  readonly workload: string;
  /** Environment, e.g. `prod`: 2-10 lowercase letters or digits. */
  readonly environment: string;
  /**
   * Azure region, by programmatic or display name (`westeurope`, `West Europe`): one of
   * `AZURE_REGIONS`, or any region name when `regionCode` is set.
   */
  readonly location: string;
  /**
   * Short code for the region in the name, 2-5 lowercase letters or digits: overrides the table's
   * code, and is required for a region not in `AZURE_REGIONS` (sovereign clouds, new regions).
   * @default - the region's code in `REGION_CODES`
   */
  readonly regionCode?: string;
  /**
   * Append `-<uniqueSuffix>` (hash of workload, environment, programmatic location, kind and
   * qualifier) for globally unique names.
   * @default false
   */
  readonly unique?: boolean;
  /**
   * Extra qualifier after the abbreviation, e.g. `ingress` → `snet-ingress-webhooks-prod-weu`.
   * @default - none
   */
  readonly qualifier?: string;
}

/** `<abbreviation>[-<qualifier>]-<workload>-<environment>-<region>[-<suffix>]`, validated for `kind`. */
export function resourceName(kind: NamedResource, parts: ResourceNameParts): string {
  if (!/^[a-z][a-z0-9]{1,11}$/.test(parts.workload)) {
    throw new Error(
      failure('workload', '2-12 lowercase letters or digits starting with a letter', parts.workload),
    );
  }
  if (!/^[a-z][a-z0-9]{1,9}$/.test(parts.environment)) {
    throw new Error(
      failure('environment', '2-10 lowercase letters or digits starting with a letter', parts.environment),
    );
  }
  const region = resolveRegion(parts.location, { regionCode: parts.regionCode });
  const segments: string[] = [NAME_RULES[kind].abbreviation];
  if (parts.qualifier !== undefined) segments.push(parts.qualifier);
  segments.push(parts.workload, parts.environment, region.code);
  if (parts.unique ?? false) {
    segments.push(
      uniqueSuffix([parts.workload, parts.environment, region.location, kind, parts.qualifier ?? '']),
    );
  }
  return validateResourceName(kind, segments.join('-'));
}
