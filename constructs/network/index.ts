/**
 * Public surface of the network area: `WebhookNetwork` and the network contract the other
 * constructs take. CIDR arithmetic and the address-plan rules stay internal.
 */
export {
  WebhookNetwork,
  type ExistingVirtualNetwork,
  type IWebhookNetwork,
  type WebhookNetworkAttributes,
  type WebhookNetworkProps,
} from './webhook-network';
