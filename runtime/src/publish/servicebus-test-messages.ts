import type { OutboundMessage } from './types';

/** Outbound message number `n` as the Service Bus adapter tests send it; `bodyBytes` pads the body. */
export function outbound(
  n: number,
  overrides: Partial<OutboundMessage> = {},
  bodyBytes = 0,
): OutboundMessage {
  const correlationId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const receivedAt = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, n % 1000)).toISOString();
  // The sender's JSON; the correlationId and receive time travel as properties.
  const body = { clientId: `client-${n}`, opportunity: { id: n, padding: 'x'.repeat(bodyBytes) } };
  return {
    key: `client-${n}`,
    messageId: `delivery-${n}`,
    correlationId,
    body: Buffer.from(JSON.stringify(body)),
    cloudEvent: {
      specversion: '1.0',
      id: correlationId,
      source: '/webhooks/github',
      type: 'com.cdktf-azure-webhooks.webhook.received',
      time: receivedAt,
      subject: `client-${n}`,
      datacontenttype: 'application/json',
    },
    ...overrides,
  };
}
