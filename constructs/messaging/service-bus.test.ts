import { onlyResource, resourcesOf } from '../core/testing';
import { PRIVATE_ENDPOINT as privateEndpoint, messageBusTests } from './test-fixtures';

const { synth, cleanup } = messageBusTests('service-bus-test');
afterAll(cleanup);

const cmkIdentity =
  '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-sb-cmk';
const cmk = {
  keyVaultKeyId: 'https://kv-webhooks-prod.vault.azure.net/keys/sb-cmk',
  userAssignedIdentityId: cmkIdentity,
};

describe('MessageBus Service Bus customer-managed key', () => {
  it('has no identity and no customer_managed_key by default', () => {
    const ns = onlyResource(synth({ serviceBus: { sku: 'Premium' } }), 'azurerm_servicebus_namespace');
    expect(ns.identity).toBeUndefined();
    expect(ns.customer_managed_key).toBeUndefined();
  });

  it('encrypts a Premium namespace with the key, read through the user-assigned identity, doubly by default', () => {
    const ns = onlyResource(
      synth({ serviceBus: { sku: 'Premium', customerManagedKey: cmk } }),
      'azurerm_servicebus_namespace',
    );
    expect(ns.identity).toEqual({ type: 'UserAssigned', identity_ids: [cmkIdentity] });
    expect(ns.customer_managed_key).toEqual({
      key_vault_key_id: 'https://kv-webhooks-prod.vault.azure.net/keys/sb-cmk',
      identity_id: cmkIdentity,
      infrastructure_encryption_enabled: true,
    });
  });

  it('lets infrastructure (double) encryption be turned off', () => {
    const ns = onlyResource(
      synth({
        serviceBus: {
          sku: 'Premium',
          customerManagedKey: { ...cmk, infrastructureEncryptionEnabled: false },
        },
      }),
      'azurerm_servicebus_namespace',
    );
    expect(ns.customer_managed_key).toMatchObject({ infrastructure_encryption_enabled: false });
  });

  it('fails on Standard, naming the field', () => {
    expect(() => synth({ serviceBus: { customerManagedKey: cmk } })).toThrow(
      "serviceBus.customerManagedKey must be absent unless sku is 'Premium'",
    );
  });

  it('fails on a versioned key id (rotation would not be followed) or a non-identity resource id', () => {
    expect(() =>
      synth({
        serviceBus: {
          sku: 'Premium',
          customerManagedKey: {
            ...cmk,
            keyVaultKeyId: `${cmk.keyVaultKeyId}/0123456789abcdef0123456789abcdef`,
          },
        },
      }),
    ).toThrow('serviceBus.customerManagedKey.keyVaultKeyId must be a versionless key id');
    expect(() =>
      synth({
        serviceBus: {
          sku: 'Premium',
          customerManagedKey: { ...cmk, userAssignedIdentityId: '/subscriptions/s/resourceGroups/rg' },
        },
      }),
    ).toThrow(
      'serviceBus.customerManagedKey.userAssignedIdentityId must be the resource id of a user-assigned identity',
    );
  });
});

describe('MessageBus Service Bus namespace', () => {
  it('is Standard with local auth off, TLS 1.2 and public access (no private endpoint on Standard)', () => {
    const ns = onlyResource(synth(), 'azurerm_servicebus_namespace');
    expect(ns).toMatchObject({
      name: 'sbns-webhooks-prod-weu-1a2b',
      sku: 'Standard',
      local_auth_enabled: false,
      minimum_tls_version: '1.2',
      public_network_access_enabled: true,
    });
    expect(ns.capacity).toBeUndefined();
    expect(ns.premium_messaging_partitions).toBeUndefined();
  });

  it('sets capacity and messaging partitions on Premium', () => {
    expect(
      onlyResource(
        synth({ serviceBus: { sku: 'Premium', capacity: 4, premiumMessagingPartitions: 2 } }),
        'azurerm_servicebus_namespace',
      ),
    ).toMatchObject({ sku: 'Premium', capacity: 4, premium_messaging_partitions: 2 });
  });

  it('fails if capacity is not 1, 2, 4, 8 or 16', () => {
    expect(() => synth({ serviceBus: { sku: 'Premium', capacity: 3 } })).toThrow(
      'serviceBus.capacity must be one of 1, 2, 4, 8, 16 (received 3)',
    );
  });

  it('partitions the queue when the Premium namespace has several partitions', () => {
    expect(
      onlyResource(
        synth({ serviceBus: { sku: 'Premium', capacity: 4, premiumMessagingPartitions: 2 } }),
        'azurerm_servicebus_queue',
      ).partitioning_enabled,
    ).toBe(true);
  });

  it('fails if capacity is not a multiple of the partitions, or the queue partitioning contradicts the namespace', () => {
    expect(() =>
      synth({
        serviceBus: {
          sku: 'Premium',
          capacity: 2,
          premiumMessagingPartitions: 4,
          partitioningEnabled: false,
        },
      }),
    ).toThrow(
      /serviceBus.capacity must be a multiple of premiumMessagingPartitions \(4\)[\s\S]*serviceBus.partitioningEnabled must be true on Premium with 4 messaging partition\(s\)/,
    );
  });

  it('fails if capacity is given on Standard', () => {
    expect(() => synth({ serviceBus: { capacity: 2 } })).toThrow(
      /serviceBus.capacity must be absent unless sku is 'Premium'/,
    );
  });

  it('fails if the namespace name breaks the Azure rule', () => {
    expect(() => synth({ name: 'ab' })).toThrow(/name \(serviceBusNamespace\) must be 6-50 characters/);
  });
});

describe('MessageBus private endpoint', () => {
  it('on Premium: public access off, endpoint on subresource namespace, privatelink zone linked to the VNet', () => {
    const out = synth({ serviceBus: { sku: 'Premium' }, privateEndpoint });
    expect(onlyResource(out, 'azurerm_servicebus_namespace').public_network_access_enabled).toBe(false);
    expect(onlyResource(out, 'azurerm_private_endpoint')).toMatchObject({
      subnet_id: privateEndpoint.subnetId,
      private_service_connection: {
        subresource_names: ['namespace'],
        private_connection_resource_id: expect.stringMatching(/azurerm_servicebus_namespace\.\w+\.id/),
      },
    });
    expect(onlyResource(out, 'azurerm_private_dns_zone').name).toBe('privatelink.servicebus.windows.net');
    expect(onlyResource(out, 'azurerm_private_dns_zone_virtual_network_link').virtual_network_id).toBe(
      privateEndpoint.virtualNetworkId,
    );
  });

  it('fails if a private endpoint is asked for on Standard (Premium-only)', () => {
    expect(() => synth({ privateEndpoint })).toThrow(
      /privateEndpoint must be used only with serviceBus.sku 'Premium' \(Service Bus private endpoints are Premium-only\) \(received "Standard"\)/,
    );
  });

  it('creates no private endpoint unless asked, even on Premium', () => {
    const out = synth({ serviceBus: { sku: 'Premium' } });
    expect(resourcesOf(out, 'azurerm_private_endpoint')).toHaveLength(0);
    expect(onlyResource(out, 'azurerm_servicebus_namespace').public_network_access_enabled).toBe(true);
  });

  it('fails if public access is turned off with no private endpoint', () => {
    expect(() => synth({ publicNetworkAccessEnabled: false })).toThrow(
      /publicNetworkAccessEnabled must be true unless a privateEndpoint/,
    );
  });
});

describe('MessageBus queue', () => {
  it('defaults: webhooks, duplicate detection PT10M, dead-letter on expiry, 10 deliveries', () => {
    expect(onlyResource(synth(), 'azurerm_servicebus_queue')).toMatchObject({
      name: 'webhooks',
      requires_duplicate_detection: true,
      duplicate_detection_history_time_window: 'PT10M',
      dead_lettering_on_message_expiration: true,
      max_delivery_count: 10,
      lock_duration: 'PT1M',
      default_message_ttl: 'P14D',
      max_size_in_megabytes: 1024,
      partitioning_enabled: false,
    });
  });

  it('every default can be switched off or changed', () => {
    const queue = onlyResource(
      synth({
        serviceBus: {
          duplicateDetection: false,
          deadLetteringOnMessageExpiration: false,
          maxDeliveryCount: 3,
          lockDuration: 'PT30S',
          defaultMessageTtl: 'P1D',
          maxSizeInMegabytes: 2048,
          partitioningEnabled: true,
          entityName: 'orders',
        },
      }),
      'azurerm_servicebus_queue',
    );
    expect(queue).toMatchObject({
      name: 'orders',
      requires_duplicate_detection: false,
      dead_lettering_on_message_expiration: false,
      max_delivery_count: 3,
      lock_duration: 'PT30S',
      default_message_ttl: 'P1D',
      max_size_in_megabytes: 2048,
      partitioning_enabled: true,
    });
    expect(queue.duplicate_detection_history_time_window).toBeUndefined();
  });

  it('fails if the lock duration exceeds 5 minutes or the window is out of range, listing both', () => {
    expect(() => synth({ serviceBus: { lockDuration: 'PT6M', duplicateDetectionWindow: 'PT5S' } })).toThrow(
      /duplicateDetectionWindow must be an ISO 8601 duration from PT20S to P7D \(received "PT5S"\)[\s\S]*lockDuration must be an ISO 8601 duration from PT5S to PT5M \(received "PT6M"\)/,
    );
  });

  it('fails if the Standard size is not an allowed value', () => {
    expect(() => synth({ serviceBus: { maxSizeInMegabytes: 1500 } })).toThrow(
      'serviceBus.maxSizeInMegabytes must be one of 1024, 2048, 3072, 4096, 5120 (received 1500)',
    );
  });
});

describe('MessageBus topic and subscriptions', () => {
  it('publishes to a topic with duplicate detection and adds subscriptions with their own dead-letter settings', () => {
    const out = synth({ serviceBus: { entityType: 'topic' } }, (bus) => {
      bus.addSubscription('crm');
      bus.addSubscription('billing', { maxDeliveryCount: 5, deadLetteringOnMessageExpiration: false });
    });
    expect(resourcesOf(out, 'azurerm_servicebus_queue')).toHaveLength(0);
    expect(onlyResource(out, 'azurerm_servicebus_topic')).toMatchObject({
      name: 'webhooks',
      requires_duplicate_detection: true,
      duplicate_detection_history_time_window: 'PT10M',
    });
    const subs = resourcesOf(out, 'azurerm_servicebus_subscription');
    expect(subs).toHaveLength(2);
    expect(subs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'crm',
          max_delivery_count: 10,
          dead_lettering_on_message_expiration: true,
        }),
        expect.objectContaining({
          name: 'billing',
          max_delivery_count: 5,
          dead_lettering_on_message_expiration: false,
        }),
      ]),
    );
    expect(subs[0]?.topic_id).toMatch(/azurerm_servicebus_topic\.\w+\.id/);
  });

  it('fails if a subscription name is added twice', () => {
    expect(() =>
      synth({ serviceBus: { entityType: 'topic' } }, (bus) => {
        bus.addSubscription('crm');
        bus.addSubscription('crm');
      }),
    ).toThrow(/name must be unique among this topic’s subscriptions \(received "crm"\)/);
  });

  it('fails if a subscription is added to a queue bus', () => {
    expect(() => synth({}, (bus) => bus.addSubscription('crm'))).toThrow(
      /entityType must be 'topic' for subscriptions \(received "queue"\)/,
    );
  });
});
