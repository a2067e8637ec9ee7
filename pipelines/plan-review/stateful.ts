/**
 * Which resource types hold state that a delete or a replacement destroys: messages in flight, keys
 * and secrets, stored blobs, logs, pushed images. Replacing one of these is never a routine change,
 * so the review refuses it unless the address is explicitly allowed. Each type carries the reason
 * the review prints beside a blocked or allowed address.
 *
 * This is one of the two protected categories; the other, resources whose delete or replace takes
 * the service down without losing data, is ./outage.ts. ./categories.ts combines them (a type in
 * both is stateful: losing data is the graver consequence).
 *
 * Pure data and pure functions, tested on their own (./stateful.test.ts); the end-to-end tests run
 * real OpenTofu plans and extend the list through `extraTypes` (the CLI's `--stateful-type`).
 */

const SERVICE_BUS = 'messages in flight and dead-lettered messages in its entities are lost';
const EVENT_HUBS = 'retained events and consumer offsets (also of the Kafka endpoint) are lost';
const KEY_VAULT =
  'its keys, secrets and certificates are lost (soft delete still breaks every reference to them)';
const STORAGE = 'stored blobs, queues, tables and shares (and the Terraform state) are lost';
const TELEMETRY = 'logs and telemetry history are lost';
const REGISTRY = 'pushed images are lost, and the running revisions pull from it';

/** Exact azurerm resource types whose deletion or replacement loses data, with what is lost. */
export const STATEFUL_TYPE_REASONS: ReadonlyMap<string, string> = new Map([
  // Service Bus: messages live in the namespace's entities.
  ['azurerm_servicebus_namespace', SERVICE_BUS],
  ['azurerm_servicebus_queue', SERVICE_BUS],
  ['azurerm_servicebus_topic', SERVICE_BUS],
  ['azurerm_servicebus_subscription', SERVICE_BUS],
  // Event Hubs (also the Kafka endpoint): retained events and consumer offsets.
  ['azurerm_eventhub_namespace', EVENT_HUBS],
  ['azurerm_eventhub', EVENT_HUBS],
  ['azurerm_eventhub_consumer_group', EVENT_HUBS],
  // Key Vault: keys, secrets and certificates (soft delete still breaks every reference).
  ['azurerm_key_vault', KEY_VAULT],
  ['azurerm_key_vault_key', KEY_VAULT],
  ['azurerm_key_vault_secret', KEY_VAULT],
  ['azurerm_key_vault_certificate', KEY_VAULT],
  ['azurerm_key_vault_managed_hardware_security_module', KEY_VAULT],
  // Storage: blobs, queues, tables, shares, and the Terraform state itself.
  ['azurerm_storage_account', STORAGE],
  ['azurerm_storage_container', STORAGE],
  ['azurerm_storage_queue', STORAGE],
  ['azurerm_storage_share', STORAGE],
  ['azurerm_storage_table', STORAGE],
  ['azurerm_storage_data_lake_gen2_filesystem', STORAGE],
  // Logs and telemetry history.
  ['azurerm_log_analytics_workspace', TELEMETRY],
  ['azurerm_application_insights', TELEMETRY],
  // Pushed images: the running revisions pull from here.
  ['azurerm_container_registry', REGISTRY],
]);

/** Exact azurerm resource types whose deletion or replacement loses data. */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set(STATEFUL_TYPE_REASONS.keys());

/** Type prefixes that are stateful as a family (every Cosmos DB and SQL database resource). */
export const STATEFUL_TYPE_PREFIXES: readonly string[] = [
  'azurerm_cosmosdb_',
  'azurerm_mssql_',
  'azurerm_postgresql_',
  'azurerm_mysql_',
  'azurerm_redis_',
];

const DATABASE = 'the data in the database is lost';
const CACHE = 'the cached data is lost';

/** True when deleting or replacing a resource of `type` would lose data. */
export function isStatefulType(type: string, extraTypes: ReadonlySet<string> = new Set()): boolean {
  return statefulReason(type, extraTypes) !== undefined;
}

/** Why deleting or replacing a resource of `type` loses data, or undefined when it does not. */
export function statefulReason(
  type: string,
  extraTypes: ReadonlySet<string> = new Set(),
): string | undefined {
  const builtIn = STATEFUL_TYPE_REASONS.get(type);
  if (builtIn !== undefined) return builtIn;
  if (STATEFUL_TYPE_PREFIXES.some((p) => type.startsWith(p))) {
    return type.startsWith('azurerm_redis_') ? CACHE : DATABASE;
  }
  if (extraTypes.has(type)) return 'listed as stateful with `--stateful-type`';
  return undefined;
}
