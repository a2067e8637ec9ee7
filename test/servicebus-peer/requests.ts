/**
 * Request/response nodes of the test peer: `$cbs` (claims-based security, AMQP CBS draft as used by
 * Service Bus) and `<entity>/$management`. Responses carry the status as application properties;
 * the caller copies the request's message-id into `correlation_id`.
 */
import type { Message } from 'rhea';
import { encodeForPeek } from './outbound';
import { verifySasToken } from './sas';
import type { EntityStore, Settlement } from './store';

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
function managementResponse(statusCode: number, description: string, condition?: string): Message {
  return {
    application_properties: {
      statusCode,
      statusDescription: description,
      ...(condition === undefined ? {} : { errorCondition: condition }),
    },
    body: null,
  } as Message;
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
 * `$management` of `<path>/$management`: what the SDK's receiver calls — `peek-message` (200 with
 * the encoded messages, 204 when none), `renew-lock` and `update-disposition` (the SDK settles
 * through it when the receiving link is gone). Anything else answers 501 naming the operation, so a
 * test that depends on an unimplemented operation fails loudly instead of passing on a fake answer.
 */
export function handleManagementRequest(
  node: string,
  request: Message,
  log: ManagementRequest[],
  store: EntityStore,
): Message {
  const props = (request.application_properties ?? {}) as Record<string, unknown>;
  const operation = props.operation;
  const path = node.replace(/\/\$management$/, '');
  const body = (request.body ?? {}) as Record<string, unknown>;
  const answer = (
    statusCode: number,
    description: string,
    responseBody: unknown = null,
    condition?: string,
  ): Message => {
    log.push({ node, operation, statusCode });
    const response = managementResponse(statusCode, description, condition);
    return { ...response, body: responseBody } as Message;
  };
  if (operation === 'com.microsoft:peek-message') {
    const from = toNumber(body['from-sequence-number']);
    const count = toNumber(body['message-count']);
    const messages = store.peek(path, from, count);
    if (messages.length === 0) return answer(204, 'No messages');
    return answer(200, 'OK', { messages: messages.map((m) => ({ message: encodeForPeek(m) })) });
  }
  if (operation === 'com.microsoft:renew-lock') {
    const keys = lockTokenKeys(body['lock-tokens']);
    const expirations = keys.map((key) => store.renew(path, key));
    if (expirations.some((e) => e === undefined)) return lockLost(answer);
    return answer(200, 'OK', { expirations });
  }
  if (operation === 'com.microsoft:update-disposition') {
    const keys = lockTokenKeys(body['lock-tokens']);
    const status = String(body['disposition-status']);
    const settlement: Settlement | undefined =
      status === 'completed'
        ? { kind: 'complete' }
        : status === 'abandoned'
          ? { kind: 'abandon' }
          : status === 'suspended'
            ? {
                kind: 'deadLetter',
                info: {
                  reason: String(body['deadletter-reason'] ?? ''),
                  ...(body['deadletter-description'] === undefined
                    ? {}
                    : { description: String(body['deadletter-description']) }),
                },
              }
            : undefined;
    if (settlement === undefined)
      return answer(501, `disposition ${status} is not implemented by the test peer`);
    for (const key of keys) {
      const message = store.byLockToken(path, key);
      if (message === undefined || !store.settle(path, message, settlement)) return lockLost(answer);
    }
    return answer(200, 'OK');
  }
  return answer(501, `operation ${String(operation)} is not implemented by the test peer`);
}

type Answer = (statusCode: number, description: string, body?: unknown, condition?: string) => Message;

function lockLost(answer: Answer): Message {
  return answer(
    410,
    'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.',
    null,
    'com.microsoft:message-lock-lost',
  );
}

/** An AMQP long arrives as a number or, beyond 2^53, as its 8 big-endian bytes. */
function toNumber(value: unknown): number {
  if (Buffer.isBuffer(value)) return Number(value.readBigInt64BE(0));
  return Number(value);
}

/** `lock-tokens`: an array of AMQP uuids (16-byte buffers). */
function lockTokenKeys(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((token) => Buffer.from(token as Buffer).toString('hex'));
}
