import { Construct } from 'constructs';
import { onlyResource, resourcesOf, synthJson, TestPrincipal } from '../core/testing';
import { Observability, type ObservabilityProps } from '../observability/observability';
import { MessageBus, type MessageBusProps } from './message-bus';
import { BUS_BASE as base, messageBusTests } from './test-fixtures';

const { newStack, synth, cleanup } = messageBusTests('message-bus-test');
afterAll(cleanup);

const OBS: ObservabilityProps = {
  name: 'webhooks-prod-weu',
  resourceGroupName: 'rg',
  location: 'westeurope',
};
const KAFKA: MessageBusProps = { ...base, kind: 'kafka', name: 'evhns-webhooks-1a2b' };

describe('MessageBus grants', () => {
  it('grants Data Sender and Receiver scoped to the queue, never the namespace', () => {
    const out = synth({}, (bus) => {
      const app = new TestPrincipal(bus, 'App', 'p-app', 'ServicePrincipal');
      bus.grantSend(app);
      bus.grantSend(app); // idempotent
      bus.grantReceive(new TestPrincipal(bus, 'Worker', 'p-worker'));
    });
    const assignments = resourcesOf(out, 'azurerm_role_assignment');
    expect(assignments).toHaveLength(2);
    expect(assignments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          role_definition_name: 'Azure Service Bus Data Sender',
          principal_id: 'p-app',
        }),
        expect.objectContaining({
          role_definition_name: 'Azure Service Bus Data Receiver',
          principal_id: 'p-worker',
        }),
      ]),
    );
    for (const a of assignments) expect(a.scope).toMatch(/^\$\{azurerm_servicebus_queue\.\w+\.id\}$/);
  });

  it('grants on the topic when publishing to a topic', () => {
    const out = synth({ serviceBus: { entityType: 'topic' } }, (bus) =>
      bus.grantSend(new TestPrincipal(bus, 'App', 'p')),
    );
    expect(onlyResource(out, 'azurerm_role_assignment').scope).toMatch(
      /^\$\{azurerm_servicebus_topic\.\w+\.id\}$/,
    );
  });

  it('grants Event Hubs Data Sender scoped to the event hub on Kafka', () => {
    const out = synth({ kind: 'kafka', name: 'evhns-webhooks-1a2b' }, (bus) =>
      bus.grantSend(new TestPrincipal(bus, 'App', 'p')),
    );
    expect(onlyResource(out, 'azurerm_role_assignment')).toMatchObject({
      role_definition_name: 'Azure Event Hubs Data Sender',
      scope: expect.stringMatching(/^\$\{azurerm_eventhub\.\w+\.id\}$/),
    });
  });
});

describe('MessageBus.fromNamespaceId', () => {
  const nsId = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb-existing';

  it('grants on the entity of an existing namespace and gives the same runtime environment', () => {
    const stack = newStack();
    const bus = MessageBus.fromNamespaceId(stack, 'Byo', {
      namespaceId: nsId,
      entityName: 'inbound',
      entityType: 'topic',
    });
    bus.grantSend(new TestPrincipal(stack, 'App', 'p'));
    expect(bus.runtimeEnvironment()).toEqual({
      BUS: 'servicebus',
      SERVICEBUS_NAMESPACE: 'sb-existing.servicebus.windows.net',
      SERVICEBUS_TOPIC: 'inbound',
    });
    const out = synthJson(stack);
    expect(resourcesOf(out, 'azurerm_servicebus_namespace')).toHaveLength(0);
    expect(onlyResource(out, 'azurerm_role_assignment').scope).toBe(`${nsId}/topics/inbound`);
  });

  it('imports an Event Hubs namespace as kafka with the event hub as scope', () => {
    const stack = newStack();
    const id = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/evh-existing';
    const bus = MessageBus.fromNamespaceId(stack, 'Byo', {
      namespaceId: id,
      kind: 'kafka',
      entityName: 'hooks',
    });
    expect(bus.entityId).toBe(`${id}/eventhubs/hooks`);
    expect(bus.kafkaBootstrap).toBe('evh-existing.servicebus.windows.net:9093');
  });

  it('fails if the namespace id is of the other kind', () => {
    expect(() =>
      MessageBus.fromNamespaceId(newStack(), 'Byo', { namespaceId: nsId, kind: 'kafka', entityName: 'x' }),
    ).toThrow(/namespaceId must be a Microsoft.EventHub\/namespaces resource id \(kind 'kafka'\)/);
  });
});

describe('MessageBus runtime environment', () => {
  it('gives BUS=servicebus, the namespace FQDN and the queue, never a key', () => {
    const stack = newStack();
    const bus = new MessageBus(stack, 'Bus', base);
    expect(bus.runtimeEnvironment()).toEqual({
      BUS: 'servicebus',
      SERVICEBUS_NAMESPACE: 'sbns-webhooks-prod-weu-1a2b.servicebus.windows.net',
      SERVICEBUS_QUEUE: 'webhooks',
    });
    expect(bus.kafkaBootstrap).toBeUndefined();
  });

  it('no attribute anywhere holds a key, SAS or connection string', () => {
    for (const props of [{}, { kind: 'kafka' as const, name: 'evhns-webhooks-1a2b' }]) {
      const json = JSON.stringify(synth(props, (bus) => bus.grantSend(new TestPrincipal(bus, 'App', 'p'))));
      expect(json).not.toMatch(
        /connection_string|primary_key|secondary_key|authorization_rule|SharedAccessKey/i,
      );
    }
  });
});

describe('MessageBus diagnostics and alerts', () => {
  it('adds allLogs + AllMetrics diagnostics when a workspace is given, none otherwise', () => {
    expect(resourcesOf(synth(), 'azurerm_monitor_diagnostic_setting')).toHaveLength(0);
    expect(
      onlyResource(synth({ logAnalyticsWorkspaceId: '/law' }), 'azurerm_monitor_diagnostic_setting'),
    ).toMatchObject({
      target_resource_id: expect.stringMatching(/azurerm_servicebus_namespace\.\w+\.id/),
      log_analytics_workspace_id: '/law',
      enabled_log: [{ category_group: 'allLogs' }],
    });
  });

  it('adds dead-letter and backlog alerts on the entity through Observability', () => {
    const stack = newStack();
    const obs = new Observability(stack, 'Obs', OBS);
    const bus = new MessageBus(stack, 'Bus', base);
    bus.addDeadLetterAlert(obs);
    bus.addBacklogAlert(obs, 500);
    const alerts = resourcesOf(synthJson(stack), 'azurerm_monitor_metric_alert');
    expect(alerts).toHaveLength(2);
    expect(alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          criteria: [expect.objectContaining({ metric_name: 'DeadletteredMessages', threshold: 0 })],
          scopes: [expect.stringMatching(/azurerm_servicebus_namespace\.\w+\.id/)],
        }),
        expect.objectContaining({
          criteria: [
            expect.objectContaining({
              metric_name: 'ActiveMessages',
              threshold: 500,
              dimension: [{ name: 'EntityName', operator: 'Include', values: ['webhooks'] }],
            }),
          ],
        }),
      ]),
    );
  });

  it('adds a throttled-requests alert on the event hub on Kafka', () => {
    const stack = newStack();
    const obs = new Observability(stack, 'Obs', OBS);
    const bus = new MessageBus(stack, 'Bus', KAFKA);
    bus.addThrottledAlert(obs);
    expect(onlyResource(synthJson(stack), 'azurerm_monitor_metric_alert')).toMatchObject({
      name: 'evhns-webhooks-1a2b-throttled',
      criteria: [
        expect.objectContaining({
          metric_namespace: 'Microsoft.EventHub/namespaces',
          metric_name: 'ThrottledRequests',
          dimension: [{ name: 'EntityName', operator: 'Include', values: ['webhooks'] }],
        }),
      ],
      scopes: [expect.stringMatching(/azurerm_eventhub_namespace\.\w+\.id/)],
    });
  });

  it.each([
    ['addBacklogAlert', 'kafka', (b: MessageBus, o: Observability) => b.addBacklogAlert(o, 10)],
    ['addDeadLetterAlert', 'kafka', (b: MessageBus, o: Observability) => b.addDeadLetterAlert(o)],
    ['addThrottledAlert', 'serviceBus', (b: MessageBus, o: Observability) => b.addThrottledAlert(o)],
  ] as const)('fails if %s is asked for on kind %s, naming the kind it needs', (method, kind, add) => {
    const stack = newStack();
    const obs = new Observability(stack, 'Obs', OBS);
    const bus = new MessageBus(stack, 'Bus', kind === 'kafka' ? KAFKA : base);
    const needed = kind === 'kafka' ? 'serviceBus' : 'kafka';
    expect(() => add(bus, obs)).toThrow(`${method} needs kind '${needed}' (received '${kind}'`);
  });

  it('creates the alert under the scope and id given, named with the prefix given', () => {
    const stack = newStack();
    const obs = new Observability(stack, 'Obs', OBS);
    const bus = new MessageBus(stack, 'Bus', base);
    const watcher = new Construct(stack, 'Watcher');
    bus.addDeadLetterAlert(obs, { scope: watcher, id: 'Dlq', namePrefix: 'webhooks-prod' });
    const alerts = synthJson(stack).resource?.azurerm_monitor_metric_alert ?? {};
    expect(Object.keys(alerts)).toEqual([expect.stringMatching(/^Watcher_Dlq_[0-9A-F]{8}$/)]);
    expect(Object.values(alerts)[0]).toMatchObject({ name: 'webhooks-prod-deadletters' });
  });

  it('alerts on an imported bus like on a created one, scoped to the existing namespace', () => {
    const stack = newStack();
    const obs = new Observability(stack, 'Obs', OBS);
    const nsId = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb-existing';
    const bus = MessageBus.fromNamespaceId(stack, 'Byo', { namespaceId: nsId, entityName: 'inbound' });
    bus.addBacklogAlert(obs, 100);
    expect(onlyResource(synthJson(stack), 'azurerm_monitor_metric_alert')).toMatchObject({
      name: 'sb-existing-backlog',
      scopes: [nsId],
    });
  });
});
