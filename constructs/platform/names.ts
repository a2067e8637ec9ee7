/**
 * The platform's resource names: CAF style from `core/naming` (`rg-webhooks-prod-weu`), plus the
 * two globally unique names core has no rule for (Key Vault, container registry), which end in
 * core's deterministic `uniqueSuffix` so every synth yields the same names.
 */
import { resourceName, uniqueSuffix, validateResourceName } from '../core/naming';
import { resolveRegion } from '../core/regions';
import type { MessageBusKind } from '../messaging/message-bus-base';

export interface PlatformNameInputs {
  readonly workload: string;
  readonly environment: string;
  readonly location: string;
  /** Region short code for a region the table lacks. @default - from the table */
  readonly regionCode?: string;
  /** Extra hash input so two organisations deploying the same environment do not collide. */
  readonly seed: string;
}

/** The resource names `WebhookFoundation` derives from workload, environment and region (`WebhookFoundation.names`). */
export interface PlatformNames {
  readonly resourceGroup: string;
  /** `kv-<workload>-<env>-<suffix>`: 24 characters at most, so no region code (the suffix hashes it). */
  readonly keyVault: string;
  /** `cr<workload><env><region><suffix>`: alphanumerics only. */
  readonly containerRegistry: string;
  /** Region short code, e.g. `weu`. */
  readonly region: string;
  /** Normalised programmatic region name, e.g. `westeurope` for `West Europe`. */
  readonly location: string;
  readonly suffix: string;
  /** `sbns-…` (Service Bus) or `evhns-…` (Event Hubs) with the suffix: namespaces are global. */
  busNamespace(kind: MessageBusKind): string;
}

export function platformNames(inputs: PlatformNameInputs): PlatformNames {
  const { location, code: region } = resolveRegion(inputs.location, { regionCode: inputs.regionCode });
  const parts = { workload: inputs.workload, environment: inputs.environment, location, regionCode: region };
  // Validates workload and environment (messages name the field and the value).
  const resourceGroup = resourceName('resourceGroup', parts);
  // The normalised name: `West Europe` and `westeurope` give the same suffix, so the same names.
  const suffix = uniqueSuffix([inputs.workload, inputs.environment, location, inputs.seed]);
  return {
    resourceGroup,
    region,
    location,
    suffix,
    busNamespace: (kind) =>
      kind === 'kafka'
        ? validateResourceName(
            'eventHubNamespace',
            `evhns-${inputs.workload}-${inputs.environment}-${region}-${suffix}`,
          )
        : validateResourceName(
            'serviceBusNamespace',
            `sbns-${inputs.workload}-${inputs.environment}-${region}-${suffix}`,
          ),
    keyVault: `${`kv-${inputs.workload}-${inputs.environment}`.slice(0, 19).replace(/-+$/, '')}-${suffix}`,
    containerRegistry: `cr${inputs.workload}${inputs.environment}${region}${suffix}`,
  };
}
