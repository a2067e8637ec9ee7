/**
 * Contracts shared by the construct areas, so that each area can be built and imported alone
 * (bring-your-own parts) and composed by `WebhookPlatform`.
 */
import type { ITerraformDependable } from 'cdktf';
import type { IConstruct } from 'constructs';

/**
 * An Entra ID principal that can be granted data-plane roles: a user-assigned identity, a
 * system-assigned identity, a group or a service principal.
 */
export interface IPrincipal extends IConstruct {
  /** Object (principal) id of the identity. */
  readonly principalId: string;
  /**
   * What kind of principal it is, when known: set on role assignments as `principal_type` (and a
   * `ServicePrincipal` skips the Entra ID replication check on a just-created identity).
   * @default - unknown; Azure looks it up
   */
  readonly principalType?: PrincipalType;
}

/** `principal_type` values of `azurerm_role_assignment`. */
export type PrincipalType = 'ServicePrincipal' | 'User' | 'Group';

/** Which protocol the runtime speaks to the bus. */
export type MessageBusKind = 'serviceBus' | 'kafka';

/**
 * A message bus the runtime can publish to: created by `MessageBus` or imported with
 * `MessageBus.fromNamespaceId(...)`. Both expose the same grant API (like aws-sqs `IQueue`).
 */
export interface IMessageBus extends IConstruct {
  readonly kind: MessageBusKind;
  /** Resource id of the Service Bus or Event Hubs namespace. */
  readonly namespaceId: string;
  /** `<namespace>.servicebus.windows.net` (both Service Bus and Event Hubs). */
  readonly namespaceFqdn: string;
  /** Name of the queue, topic or event hub the runtime publishes to. */
  readonly entityName: string;
  /** Resource id of that queue, topic or event hub (the scope of `grantSend`). */
  readonly entityId: string;
  /**
   * Environment variables the webhook runtime needs to publish here (`BUS`, `SERVICEBUS_*` or
   * `KAFKA_*`), never a key or connection string.
   */
  runtimeEnvironment(): Record<string, string>;
  /**
   * Lets `principal` publish to the entity (Data Sender role scoped to the entity). Returns the
   * role assignment, so what must not start before the grant exists can depend on it.
   */
  grantSend(principal: IPrincipal): ITerraformDependable;
  /** Lets `principal` consume from the entity (Data Receiver role scoped to the entity). */
  grantReceive(principal: IPrincipal): ITerraformDependable;
}
