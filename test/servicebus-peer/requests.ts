/**
 * Request/response nodes of the test peer: `$cbs` (claims-based security, AMQP CBS draft as used by
 * Service Bus) and `<entity>/$management`. Responses carry the status as application properties;
 * the caller copies the request's message-id into `correlation_id`.
 */
import type { Message } from 'rhea';
import { verifySasToken } from './sas';

export interface CbsRequest {
  readonly operation: unknown;
  /** The `name` property: the audience, e.g. `sb://127.0.0.1:5672/webhooks`. */
  readonly audience: string;
  /** `servicebus.windows.net:sastoken` or `jwt`. */
  readonly tokenType: unknown;
  readonly statusCode: number;
  readonly reason?: string;
}

export interface ManagementRequest {
  readonly node: string;
  readonly operation: unknown;
  readonly statusCode: number;
}

export interface CbsResult {
  readonly message: Message;
  /** The entity path the token authorizes, when it was accepted. */
  readonly entity?: string;
}

/** CBS names its status properties `status-code`/`status-description`. */
function cbsResponse(statusCode: number, description: string): Message {
  return {
    application_properties: { 'status-code': statusCode, 'status-description': description },
    body: null,
  } as Message;
}

/** `$management` names them `statusCode`/`statusDescription` (the SDK reads the camelCase ones). */
function managementResponse(statusCode: number, description: string): Message {
  return { application_properties: { statusCode, statusDescription: description }, body: null } as Message;
}

/** Entity path of an audience `sb://host[:port]/<entity>` (the last path, without a trailing `/`). */
export function entityOfAudience(audience: string): string {
  const path = audience.replace(/^[a-z]+:\/\/[^/]+\/?/i, '').replace(/\/$/, '');
  return path;
}

/**
 * put-token: a SAS token must be signed with the peer's key for the same audience (202), or it
 * is refused with 401. A JWT (the Entra ID path) cannot be checked here; it is refused with 401 so
 * a test can never pass by accident through a credential this peer does not understand.
 */
export function handleCbsRequest(
  request: Message,
  keyName: string,
  key: string,
  log: CbsRequest[],
): CbsResult {
  const props = (request.application_properties ?? {}) as Record<string, unknown>;
  const audience = String(props.name ?? '');
  const operation = props.operation;
  const tokenType = props.type;
  const reject = (statusCode: number, reason: string): CbsResult => {
    log.push({ operation, audience, tokenType, statusCode, reason });
    return { message: cbsResponse(statusCode, reason) };
  };
  if (operation !== 'put-token') return reject(400, `unsupported CBS operation ${String(operation)}`);
  if (tokenType !== 'servicebus.windows.net:sastoken')
    return reject(401, 'the test peer only accepts SAS tokens');
  const check = verifySasToken(String(request.body), keyName, key);
  if (!check.valid) return reject(401, check.reason ?? 'invalid token');
  if (check.resource !== audience) return reject(401, `token is for ${check.resource}, not ${audience}`);
  log.push({ operation, audience, tokenType, statusCode: 202 });
  return { message: cbsResponse(202, 'Accepted'), entity: entityOfAudience(audience) };
}

/**
 * `$management`: a sender never calls it; receivers peek. Peek answers 204 (no messages), as the
 * service does on an empty entity; anything else answers 501 naming the operation, so a test that
 * depends on an unimplemented operation fails loudly instead of passing on a fake answer.
 */
export function handleManagementRequest(node: string, request: Message, log: ManagementRequest[]): Message {
  const props = (request.application_properties ?? {}) as Record<string, unknown>;
  const operation = props.operation;
  const statusCode = operation === 'com.microsoft:peek-message' ? 204 : 501;
  log.push({ node, operation, statusCode });
  return statusCode === 204
    ? managementResponse(204, 'No messages')
    : managementResponse(501, `operation ${String(operation)} is not implemented by the test peer`);
}
