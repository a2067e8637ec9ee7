/**
 * Which resource types take the webhook service down, or change its public address, when they are
 * deleted or replaced, even though no data is lost. A replacement is a delete and a create: Azure
 * names are unique, so the new resource usually exists only after the old one is gone, and what
 * depends on it (every app of a Container Apps environment, the gateway's backend, the DNS names
 * the gateway resolves) is recreated or broken meanwhile. The review refuses these exactly like
 * stateful ones (./stateful.ts) unless the address is explicitly allowed.
 *
 * The list follows what this toolkit deploys (constructs/): ingress (gateway, WAF policy, public
 * IP), hosting (the Container Apps environment, its apps, or the Functions proxy), the network and
 * private name resolution, and the managed identities the apps and gateway authenticate with.
 * Each type carries the reason printed beside a blocked or allowed address.
 *
 * Deliberately NOT listed, because replacing them is routine or has no effect on traffic:
 * - `azurerm_role_assignment`: replaced whenever its principal or scope is; recreated in the same
 *   apply. (The identity it grants to is listed: a new identity is what breaks access.)
 * - `azurerm_network_security_group`, `_rule`, `azurerm_subnet_network_security_group_association`:
 *   rules change with routine hardening and a replaced group is re-associated in the same apply; a
 *   deleted allow rule can block traffic, so read rule deletions in the plan.
 * - `azurerm_service_plan`: the Functions proxy's app (listed) is what serves traffic.
 * - `azurerm_monitor_*`, diagnostic settings, action groups: no effect on traffic.
 *
 * Pure data and pure functions, tested on their own (./outage.test.ts); the end-to-end tests run
 * real OpenTofu plans and extend the list through `extraTypes` (the CLI's `--outage-type`).
 */

/** Exact azurerm resource types whose deletion or replacement causes an outage, with why. */
export const OUTAGE_TYPE_REASONS: ReadonlyMap<string, string> = new Map([
  // Hosting.
  [
    'azurerm_container_app_environment',
    "the environment's replacement recreates every app in it and changes its static IP and default " +
      'domain, so every app FQDN and the private DNS zone named after it change',
  ],
  [
    // Judged outage-causing: an app is replaced only on a rename or a move to another environment
    // (its other arguments update in place), so blocking costs no routine deploy, while the
    // replacement itself is a real gap in service and drops the revision history.
    'azurerm_container_app',
    'the app serves webhook traffic: its name is unique in the environment, so the new app starts ' +
      'only after the old one is deleted and the gateway has no backend meanwhile; every revision ' +
      '(the rollback targets) is dropped; the FQDN stays only if the name and environment do',
  ],
  [
    'azurerm_linux_function_app',
    'the Functions-hosted proxy serves webhook traffic: the new app starts only after the old one ' +
      'is deleted, and its private endpoint and access restrictions are recreated with it',
  ],
  // Ingress.
  [
    'azurerm_application_gateway',
    'the gateway is the only public entry point: no webhook is received while a new one is ' +
      'provisioned (v2 gateways take minutes), with its TLS listener and WAF association rebuilt',
  ],
  [
    'azurerm_public_ip',
    "the gateway's public address: a new resource gets a new IP, so DNS records and senders' " +
      'allow-lists that name it stop reaching the service',
  ],
  [
    'azurerm_web_application_firewall_policy',
    'every request passes through it and a WAF_v2 gateway cannot run without one: Azure refuses to ' +
      'delete a policy still associated, so the apply stops midway or re-associates the gateway',
  ],
  // Private name resolution.
  [
    'azurerm_private_dns_zone',
    "the gateway resolves the apps' FQDNs (and the private names of Key Vault and other private " +
      'endpoints) through it: while it is recreated those names stop resolving',
  ],
  [
    'azurerm_private_dns_zone_virtual_network_link',
    'without the link the virtual network does not see the zone, so its names stop resolving from ' +
      'the gateway and the apps',
  ],
  [
    'azurerm_private_dns_a_record',
    "the environment's `*` and `@` records (or a private endpoint's record) point names at private " +
      "IPs: without them the gateway's backend and private endpoints do not resolve",
  ],
  [
    'azurerm_private_endpoint',
    'the private path to a service that denies public traffic (Key Vault): while it is recreated ' +
      'the gateway cannot read its TLS certificate nor the runtime its webhook secret',
  ],
  // Network.
  [
    'azurerm_virtual_network',
    'every subnet, and the environment, gateway and private endpoints in them, go with it',
  ],
  [
    'azurerm_subnet',
    'what is deployed in it (the environment, the gateway or private endpoints) must be recreated ' +
      'with it; Azure refuses to delete a subnet in use, so the apply stops midway',
  ],
  // Identities the apps and the gateway authenticate with.
  [
    'azurerm_user_assigned_identity',
    'a new identity is a new principal: its role assignments are recreated but take minutes to ' +
      'propagate, during which the apps cannot pull images or reach the bus and the gateway cannot ' +
      'read its TLS certificate',
  ],
  // Everything at once.
  [
    'azurerm_resource_group',
    'every resource in it is deleted with it (stateful ones are also listed on their own)',
  ],
]);

/** Exact azurerm resource types whose deletion or replacement causes an outage. */
export const OUTAGE_TYPES: ReadonlySet<string> = new Set(OUTAGE_TYPE_REASONS.keys());

/** True when deleting or replacing a resource of `type` takes the service down. */
export function isOutageType(type: string, extraTypes: ReadonlySet<string> = new Set()): boolean {
  return outageReason(type, extraTypes) !== undefined;
}

/** Why deleting or replacing a resource of `type` causes an outage, or undefined when it does not. */
export function outageReason(type: string, extraTypes: ReadonlySet<string> = new Set()): string | undefined {
  const builtIn = OUTAGE_TYPE_REASONS.get(type);
  if (builtIn !== undefined) return builtIn;
  if (extraTypes.has(type)) return 'listed as outage-causing with `--outage-type`';
  return undefined;
}
