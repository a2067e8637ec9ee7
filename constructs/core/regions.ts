/**
 * Azure public cloud regions and the short codes that resource names embed (`rg-webhooks-prod-weu`).
 *
 * The table lists every region of the public cloud that accepts resources, as of 2026: the regions
 * of Microsoft Learn's "Azure regions list" (learn.microsoft.com/azure/reliability/regions-list,
 * revision of July 2026, which added India South Central), plus the regions `az account
 * list-locations` returns beyond it: Jio India West and Jio India Central (partner regions), and
 * Sweden South (access-restricted pair of Sweden Central). Left out on purpose: logical locations
 * (`europe`, `global`, …), the canary and staging locations (`eastus2euap`, `centraluseuap`,
 * `eastusstg`, `southcentralusstg`) and sovereign clouds (US Government, China): a deployment there
 * sets `regionCode`, as does one in a region opened after this table was written.
 *
 * Codes are Microsoft's region geo codes: the "Geo-code mapping" of Azure Backup
 * (learn.microsoft.com/azure/backup/scripts/geo-code-list), the list Azure Verified Modules ships
 * as `geo_code` in `avm-utl-regions` (Azure/terraform-azurerm-avm-utl-regions,
 * `locals.geo.codes.tf.json`, January 2026) and Azure Landing Zones use for private DNS zones.
 * Exception: the ten regions this library named before the table existed keep their earlier
 * codes, because resource names in deployed stacks derive from them. Eight of them already are
 * the geo codes; West Europe and North Europe stay `weu` and `neu` (the geo codes are `we` and
 * `ne`). Every code is 2-5 lowercase letters or digits and unique in the table.
 */
import { Token } from 'cdktf';
import { failure } from './validation';

/** One Azure region: its programmatic name, display name and short code. */
export interface AzureRegion {
  /** Programmatic name, as ARM and Terraform take it: `westeurope`. */
  readonly name: string;
  /** Display name, as the portal shows it: `West Europe`. */
  readonly displayName: string;
  /** Short code used in resource names: `weu`. */
  readonly code: string;
}

function region(name: string, displayName: string, code: string): AzureRegion {
  return { name, displayName, code };
}

/** Every Azure public cloud region this library knows, by programmatic name. */
export const AZURE_REGIONS: readonly AzureRegion[] = Object.freeze([
  region('australiacentral', 'Australia Central', 'acl'),
  region('australiacentral2', 'Australia Central 2', 'acl2'),
  region('australiaeast', 'Australia East', 'ae'),
  region('australiasoutheast', 'Australia Southeast', 'ase'),
  region('austriaeast', 'Austria East', 'aue'),
  region('belgiumcentral', 'Belgium Central', 'bec'),
  region('brazilsouth', 'Brazil South', 'brs'),
  region('brazilsoutheast', 'Brazil Southeast', 'bse'),
  region('canadacentral', 'Canada Central', 'cnc'),
  region('canadaeast', 'Canada East', 'cne'),
  region('centralindia', 'Central India', 'inc'),
  region('centralus', 'Central US', 'cus'),
  region('chilecentral', 'Chile Central', 'clc'),
  region('denmarkeast', 'Denmark East', 'dke'),
  region('eastasia', 'East Asia', 'ea'),
  region('eastus', 'East US', 'eus'),
  region('eastus2', 'East US 2', 'eus2'),
  region('francecentral', 'France Central', 'frc'),
  region('francesouth', 'France South', 'frs'),
  region('germanynorth', 'Germany North', 'gn'),
  region('germanywestcentral', 'Germany West Central', 'gwc'),
  region('indiasouthcentral', 'India South Central', 'insc'),
  region('indonesiacentral', 'Indonesia Central', 'idc'),
  region('israelcentral', 'Israel Central', 'ilc'),
  region('italynorth', 'Italy North', 'itn'),
  region('japaneast', 'Japan East', 'jpe'),
  region('japanwest', 'Japan West', 'jpw'),
  region('jioindiacentral', 'Jio India Central', 'jic'),
  region('jioindiawest', 'Jio India West', 'jiw'),
  region('koreacentral', 'Korea Central', 'krc'),
  region('koreasouth', 'Korea South', 'krs'),
  region('malaysiawest', 'Malaysia West', 'myw'),
  region('mexicocentral', 'Mexico Central', 'mxc'),
  region('newzealandnorth', 'New Zealand North', 'nzn'),
  region('northcentralus', 'North Central US', 'ncus'),
  region('northeurope', 'North Europe', 'neu'),
  region('norwayeast', 'Norway East', 'nwe'),
  region('norwaywest', 'Norway West', 'nww'),
  region('polandcentral', 'Poland Central', 'plc'),
  region('qatarcentral', 'Qatar Central', 'qac'),
  region('southafricanorth', 'South Africa North', 'san'),
  region('southafricawest', 'South Africa West', 'saw'),
  region('southcentralus', 'South Central US', 'scus'),
  region('southeastasia', 'Southeast Asia', 'sea'),
  region('southindia', 'South India', 'ins'),
  region('spaincentral', 'Spain Central', 'spc'),
  region('swedencentral', 'Sweden Central', 'sdc'),
  region('swedensouth', 'Sweden South', 'sds'),
  region('switzerlandnorth', 'Switzerland North', 'szn'),
  region('switzerlandwest', 'Switzerland West', 'szw'),
  region('uaecentral', 'UAE Central', 'uac'),
  region('uaenorth', 'UAE North', 'uan'),
  region('uksouth', 'UK South', 'uks'),
  region('ukwest', 'UK West', 'ukw'),
  region('westcentralus', 'West Central US', 'wcus'),
  region('westeurope', 'West Europe', 'weu'),
  region('westindia', 'West India', 'inw'),
  region('westus', 'West US', 'wus'),
  region('westus2', 'West US 2', 'wus2'),
  region('westus3', 'West US 3', 'wus3'),
]);

/** Short region codes used in names, by programmatic region name (`westeurope` → `weu`). */
export const REGION_CODES: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(AZURE_REGIONS.map((r) => [r.name, r.code])),
);

/** What a region code must look like: 2-5 lowercase letters or digits. */
export const REGION_CODE_PATTERN = /^[a-z0-9]{2,5}$/;

/** Options of `resolveRegion`. */
export interface ResolveRegionOptions {
  /**
   * Code to use instead of the table's: required for a region not in the table (sovereign clouds,
   * brand-new regions). 2-5 lowercase letters or digits.
   * @default - the table's code
   */
  readonly regionCode?: string;
  /**
   * Name of the location field in error messages.
   * @default 'location'
   */
  readonly field?: string;
  /**
   * Name of the region code field in error messages.
   * @default 'regionCode'
   */
  readonly regionCodeField?: string;
}

/** A region as `resolveRegion` returns it: programmatic name and short code. */
export interface ResolvedRegion {
  /** Programmatic region name: `westeurope`. */
  readonly location: string;
  /** Short code for names: `weu`. */
  readonly code: string;
}

/** `'West Europe'` → `westeurope`, `'  EastUS2 '` → `eastus2`: trimmed, lower case, no spaces. */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

/**
 * Resolves a region given by programmatic or display name (`westeurope`, `West Europe`) to its
 * programmatic name and short code. `regionCode`, when set, replaces the table's code, and lets a
 * region the table lacks through. Throws an error naming the field and the value received
 * otherwise, suggesting the closest known region names.
 */
export function resolveRegion(location: string, options: ResolveRegionOptions = {}): ResolvedRegion {
  const field = options.field ?? 'location';
  const codeField = options.regionCodeField ?? 'regionCode';
  const { regionCode } = options;
  if (regionCode !== undefined && !(typeof regionCode === 'string' && REGION_CODE_PATTERN.test(regionCode))) {
    throw new Error(failure(codeField, '2-5 lowercase letters or digits', regionCode));
  }
  if (typeof location !== 'string' || Token.isUnresolved(location)) {
    throw new Error(
      failure(
        field,
        'a region name known at synth time (resource names embed its code), not a token',
        location,
      ),
    );
  }
  const name = normalizeLocation(location);
  const known = REGION_CODES[name];
  if (regionCode !== undefined) {
    if (known === undefined && !/^[a-z][a-z0-9]*$/.test(name)) {
      throw new Error(
        failure(
          field,
          'an Azure region name: letters and digits, e.g. westeurope or "West Europe"',
          location,
        ),
      );
    }
    return { location: name, code: regionCode };
  }
  if (known === undefined) {
    const expected = 'an Azure public cloud region known to this library, e.g. westeurope or "West Europe"';
    const suggestions = closestRegionNames(name);
    const hint = suggestions.length > 0 ? `; did you mean ${suggestions.join(', ')}?` : '.';
    throw new Error(
      `${failure(field, expected, location)}${hint} To use a region not in the table (sovereign clouds,` +
        ` brand-new regions), set ${codeField} to its short code (2-5 lowercase letters or digits).`,
    );
  }
  return { location: name, code: known };
}

/** Up to `max` known region names within a few edits of `name`, closest first. */
function closestRegionNames(name: string, max = 3): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  return AZURE_REGIONS.map((r) => ({ name: r.name, distance: editDistance(name, r.name) }))
    .filter((c) => c.distance <= limit)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((c) => c.name);
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
