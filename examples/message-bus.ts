/**
 * `MessageBus` on its own, without the rest of the platform: a Service Bus topic that two
 * downstream apps subscribe to, with entity-scoped roles for the publisher and a consumer, and an
 * Event Hubs namespace consumed through its Kafka endpoint. Local (SAS key) authentication is off
 * on both, so identities are the only way in.
 */
import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { ManagedIdentity, MessageBus } from 'cdktf-azure-webhooks';

class MessagingStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    const { name: resourceGroupName, location } = new ResourceGroup(this, 'Group', {
      name: 'rg-orders-prod-weu',
      location: 'westeurope',
    });
    const publisher = new ManagedIdentity(this, 'Publisher', {
      name: 'id-orders-api',
      resourceGroupName,
      location,
    });
    const billing = new ManagedIdentity(this, 'Billing', { name: 'id-billing', resourceGroupName, location });

    // #region readme
    const bus = new MessageBus(this, 'Bus', {
      name: 'sbns-orders-prod-weu-7f3a',
      resourceGroupName,
      location,
      serviceBus: { entityType: 'topic', entityName: 'orders' },
    });
    bus.addSubscription('billing');
    bus.addSubscription('shipping', { maxDeliveryCount: 5 });
    bus.grantSend(publisher); // Azure Service Bus Data Sender on the topic, never the namespace
    bus.grantReceive(billing); // Azure Service Bus Data Receiver on the topic

    const kafka = new MessageBus(this, 'Kafka', {
      kind: 'kafka',
      name: 'evhns-orders-prod-weu-7f3a',
      resourceGroupName,
      location,
      kafka: { partitionCount: 8 },
    });
    kafka.addConsumerGroup('analytics'); // clients connect to kafka.kafkaBootstrap (…servicebus.windows.net:9093)
    kafka.grantReceive(billing);
    // #endregion
  }
}

const app = new App();
new MessagingStack(app, 'orders-messaging');
app.synth();
