/**
 * The Service Bus adapter's pure parts: message mapping, message ids, the namespace and the
 * credential it authenticates with. The adapter over a real socket and the AMQP test peer is in
 * ./servicebus.int.test.ts.
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import {
  createServiceBusClient,
  normalizeNamespace,
  serviceBusMessageId,
  toServiceBusMessage,
} from './servicebus';
import { outbound } from './servicebus-test-messages';

describe('message mapping', () => {
  it('maps an outbound message to the Service Bus fields the contract names', () => {
    const m = outbound(7);
    expect(toServiceBusMessage(m)).toEqual({
      body: m.body,
      messageId: 'delivery-7',
      correlationId: m.correlationId,
      subject: 'webhook',
      contentType: 'application/json',
      applicationProperties: {
        cloudEvents_specversion: '1.0',
        cloudEvents_id: m.correlationId,
        cloudEvents_source: '/webhooks/github',
        cloudEvents_type: 'com.cdktf-azure-webhooks.webhook.received',
        cloudEvents_time: new Date(m.cloudEvent.time),
        cloudEvents_subject: 'client-7',
      },
    });
  });

  it('keeps a delivery id up to 128 characters and hashes a longer one stably', () => {
    expect(serviceBusMessageId('a'.repeat(128))).toBe('a'.repeat(128));
    const hashed = serviceBusMessageId('b'.repeat(129));
    expect(hashed).toMatch(/^[0-9a-f]{64}$/);
    expect(serviceBusMessageId('b'.repeat(129))).toBe(hashed);
  });

  it('accepts the namespace with or without sb:// and a trailing slash', () => {
    expect(normalizeNamespace('sb://ns.servicebus.windows.net/')).toBe('ns.servicebus.windows.net');
    expect(normalizeNamespace('ns.servicebus.windows.net')).toBe('ns.servicebus.windows.net');
  });

  it('authenticates a namespace with DefaultAzureCredential (no secret), loaded on the first token request', async () => {
    const client = createServiceBusClient({
      connection: { kind: 'namespace', fullyQualifiedNamespace: 'sb://ns.servicebus.windows.net/' },
      entityName: 'webhooks',
    });
    const context = (client as unknown as { _connectionContext: { tokenCredential: TokenCredential } })
      ._connectionContext;
    expect(client.fullyQualifiedNamespace).toBe('ns.servicebus.windows.net');
    // Not built at client creation: @azure/identity stays unloaded until a token is needed.
    expect(context.tokenCredential).not.toBeInstanceOf(DefaultAzureCredential);
    // Azure is unreachable here, so the real credential's token call is replaced; what is proven is
    // that the client's credential delegates to a DefaultAzureCredential with the scope it is given.
    const token = { token: 't', expiresOnTimestamp: Date.now() + 60_000 };
    const getToken = jest.spyOn(DefaultAzureCredential.prototype, 'getToken').mockResolvedValue(token);
    try {
      await expect(context.tokenCredential.getToken('https://servicebus.azure.net//.default')).resolves.toBe(
        token,
      );
      expect(getToken).toHaveBeenCalledWith('https://servicebus.azure.net//.default', undefined);
    } finally {
      getToken.mockRestore();
    }
    await client.close();
  });
});
