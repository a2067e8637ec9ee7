/**
 * Which resource types hold state that a delete or a replacement destroys: messages in flight, keys
 * and secrets, stored blobs, logs, pushed images. Replacing one of these is never a routine change,
 * so the review refuses it unless the address is explicitly allowed.
 *
 * Pure data and a pure function, tested on its own (./stateful.test.ts); the end-to-end tests run
 * real OpenTofu plans and extend the list through `extraTypes` (the CLI's `--stateful-type`).
 */

/** Exact azurerm resource types whose deletion or replacement loses data. */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  // Service Bus: messages live in the namespace's entities.
  'azurerm_servicebus_namespace',
  'azurerm_servicebus_queue',
  'azurerm_servicebus_topic',
  'azurerm_servicebus_subscription',
  // Event Hubs (also the Kafka endpoint): retained events and consumer offsets.
  'azurerm_eventhub_namespace',
  'azurerm_eventhub',
  'azurerm_eventhub_consumer_group',
  // Key Vault: keys, secrets and certificates (soft delete still breaks every reference).
  'azurerm_key_vault',
  'azurerm_key_vault_key',
  'azurerm_key_vault_secret',
  'azurerm_key_vault_certificate',
  'azurerm_key_vault_managed_hardware_security_module',
  // Storage: blobs, queues, tables, shares, and the Terraform state itself.
  'azurerm_storage_account',
  'azurerm_storage_container',
  'azurerm_storage_queue',
  'azurerm_storage_share',
  'azurerm_storage_table',
  'azurerm_storage_data_lake_gen2_filesystem',
  // Logs and telemetry history.
  'azurerm_log_analytics_workspace',
  'azurerm_application_insights',
  // Pushed images: the running revisions pull from here.
  'azurerm_container_registry',
]);

/** Type prefixes that are stateful as a family (every Cosmos DB and SQL database resource). */
export const STATEFUL_TYPE_PREFIXES: readonly string[] = [
  'azurerm_cosmosdb_',
  'azurerm_mssql_',
  'azurerm_postgresql_',
  'azurerm_mysql_',
  'azurerm_redis_',
];

/** True when deleting or replacing a resource of `type` would lose data. */
export function isStatefulType(type: string, extraTypes: ReadonlySet<string> = new Set()): boolean {
  return (
    STATEFUL_TYPES.has(type) || extraTypes.has(type) || STATEFUL_TYPE_PREFIXES.some((p) => type.startsWith(p))
  );
}
