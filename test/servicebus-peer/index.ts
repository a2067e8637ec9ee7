/** AMQP 1.0 test peer standing in for Azure Service Bus in tests; never shipped. */
export { startServiceBusTestPeer } from './peer';
export type {
  CbsRequest,
  DeadLetterInfo,
  ManagementRequest,
  PeerMode,
  ReceivedMessage,
  SeedMessage,
  ServiceBusTestPeer,
  ServiceBusTestPeerOptions,
  StoredMessage,
  TransferRecord,
} from './peer';
