import { onlyResource, resourcesOf } from '../core/testing';
import { MessageBus } from './message-bus';
import type { MessageBusProps } from './message-bus';
import { BUS_BASE as base, PRIVATE_ENDPOINT as privateEndpoint, messageBusTests } from './test-fixtures';

const { newStack, synth, cleanup } = messageBusTests('event-hubs-test');
afterAll(cleanup);

describe('MessageBus Kafka (Event Hubs)', () => {
  const kafka: Partial<MessageBusProps> = { kind: 'kafka', name: 'evhns-webhooks-prod-weu-1a2b' };

  it('is Standard with local authentication off and TLS 1.2, and an event hub as the topic', () => {
    const out = synth(kafka);
    expect(resourcesOf(out, 'azurerm_servicebus_namespace')).toHaveLength(0);
    expect(onlyResource(out, 'azurerm_eventhub_namespace')).toMatchObject({
      sku: 'Standard',
      capacity: 1,
      local_authentication_enabled: false,
      minimum_tls_version: '1.2',
      auto_inflate_enabled: false,
    });
    const hub = onlyResource(out, 'azurerm_eventhub');
    expect(hub).toMatchObject({ name: 'webhooks', partition_count: 4, message_retention: 1 });
    expect(hub.retention_description).toBeUndefined();
  });

  it('fails if the sku is Basic (no Kafka endpoint)', () => {
    expect(() => synth({ ...kafka, kafka: { sku: 'Basic' as 'Standard' } })).toThrow(
      /kafka.sku must be 'Standard' or 'Premium' \(Basic has no Kafka endpoint\) \(received "Basic"\)/,
    );
  });

  it('auto-inflates when a maximum is given, and fails if the maximum is below capacity', () => {
    expect(
      onlyResource(
        synth({ ...kafka, kafka: { capacity: 2, autoInflateMaximumThroughputUnits: 10 } }),
        'azurerm_eventhub_namespace',
      ),
    ).toMatchObject({ capacity: 2, auto_inflate_enabled: true, maximum_throughput_units: 10 });
    expect(() => synth({ ...kafka, kafka: { capacity: 4, autoInflateMaximumThroughputUnits: 2 } })).toThrow(
      'kafka.autoInflateMaximumThroughputUnits must be an integer from 4 to 40 (received 2)',
    );
  });

  it('uses retention_description instead of message_retention when hours are given, never both', () => {
    const hub = onlyResource(synth({ ...kafka, kafka: { retentionHours: 48 } }), 'azurerm_eventhub');
    expect(hub.message_retention).toBeUndefined();
    expect(hub.retention_description).toEqual({ cleanup_policy: 'Delete', retention_time_in_hours: 48 });
    expect(() => synth({ ...kafka, kafka: { retentionHours: 48, messageRetentionDays: 2 } })).toThrow(
      /kafka.messageRetentionDays must be absent when retentionHours is set/,
    );
  });

  it('adds consumer groups and refuses duplicates', () => {
    const out = synth(kafka, (bus) => bus.addConsumerGroup('crm', 'CRM sync'));
    expect(onlyResource(out, 'azurerm_eventhub_consumer_group')).toMatchObject({
      name: 'crm',
      user_metadata: 'CRM sync',
      eventhub_name: expect.stringMatching(/azurerm_eventhub\.\w+\.name/),
    });
    expect(() =>
      synth(kafka, (bus) => {
        bus.addConsumerGroup('crm');
        bus.addConsumerGroup('CRM');
      }),
    ).toThrow(/unique among this event hub’s consumer groups/);
  });

  it('fails if service bus options are given on kind kafka', () => {
    expect(() => synth({ ...kafka, serviceBus: {} })).toThrow(/serviceBus must be absent on kind 'kafka'/);
  });

  it('exposes the Kafka bootstrap and the runtime environment with OAUTHBEARER, no key', () => {
    const stack = newStack();
    const bus = new MessageBus(stack, 'Bus', { ...base, ...kafka });
    expect(bus.kafkaBootstrap).toBe('evhns-webhooks-prod-weu-1a2b.servicebus.windows.net:9093');
    expect(bus.runtimeEnvironment()).toEqual({
      BUS: 'kafka',
      KAFKA_BROKERS: 'evhns-webhooks-prod-weu-1a2b.servicebus.windows.net:9093',
      KAFKA_TOPIC: 'webhooks',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'oauthbearer',
    });
  });
});

describe('MessageBus Kafka private endpoint', () => {
  it('puts an Event Hubs Standard namespace behind a private endpoint with public access off', () => {
    const out = synth({ kind: 'kafka', name: 'evhns-webhooks-1a2b', privateEndpoint });
    expect(onlyResource(out, 'azurerm_eventhub_namespace').public_network_access_enabled).toBe(false);
    expect(onlyResource(out, 'azurerm_private_endpoint')).toMatchObject({
      private_service_connection: {
        subresource_names: ['namespace'],
        private_connection_resource_id: expect.stringMatching(/azurerm_eventhub_namespace\.\w+\.id/),
      },
    });
  });
});
