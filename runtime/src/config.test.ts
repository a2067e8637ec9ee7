import { ConfigError, loadConfig } from './config';

const kafka = {
  BUS: 'kafka',
  KAFKA_BROKERS: '127.0.0.1:9092',
  WEBHOOK_VERIFY: 'github',
  WEBHOOK_SECRET: 's1',
};

function problems(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(kafka);
    expect(c.port).toBe(8000);
    expect(c.host).toBe('0.0.0.0');
    expect(c.maxBodyBytes).toBe(1_048_576);
    expect(c.publisher.timeoutMs).toBe(4000);
    expect(c.publisher.maxInFlight).toBe(1000);
    expect(c.shutdownTimeoutMs).toBe(10_000);
    expect(c.bus).toEqual({
      kind: 'kafka',
      options: {
        brokers: ['127.0.0.1:9092'],
        topic: 'webhook_topic',
        clientId: 'webhook-runtime',
        ssl: true,
        requestTimeoutMs: 30_000,
      },
    });
    expect(c.applicationInsightsConnectionString).toBeUndefined();
  });

  it('splits WEBHOOK_SECRET on whitespace for rotation', () => {
    expect(loadConfig({ ...kafka, WEBHOOK_SECRET: ' old  new ' }).verify).toEqual({
      scheme: 'github',
      secrets: ['old', 'new'],
    });
  });
});

describe('loadConfig buses', () => {
  it('maps Kafka SASL PLAIN (Event Hubs) to the sender options', () => {
    const c = loadConfig({
      ...kafka,
      KAFKA_BROKERS: 'ns.servicebus.windows.net:9093',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: '$ConnectionString',
      KAFKA_SASL_PASSWORD: 'Endpoint=sb://x/',
      KAFKA_SSL: 'true',
    });
    expect(c.bus.kind === 'kafka' && c.bus.options.sasl).toEqual({
      mechanism: 'plain',
      username: '$ConnectionString',
      password: 'Endpoint=sb://x/',
    });
  });

  it('maps Kafka oauthbearer without a secret', () => {
    const c = loadConfig({ ...kafka, KAFKA_SASL_MECHANISM: 'oauthbearer' });
    expect(c.bus.kind === 'kafka' && c.bus.options.sasl).toEqual({ mechanism: 'oauthbearer' });
  });

  it('maps a Service Bus namespace (managed identity) and queue', () => {
    const c = loadConfig({
      BUS: 'servicebus',
      SERVICEBUS_NAMESPACE: 'contoso.servicebus.windows.net',
      SERVICEBUS_QUEUE: 'webhooks',
      WEBHOOK_VERIFY: 'none',
    });
    expect(c.bus).toEqual({
      kind: 'servicebus',
      options: {
        connection: { kind: 'namespace', fullyQualifiedNamespace: 'contoso.servicebus.windows.net' },
        entityName: 'webhooks',
        timeoutMs: 4000,
      },
    });
  });

  it('maps a Service Bus connection string and topic', () => {
    const cs = 'Endpoint=sb://localhost;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true';
    const c = loadConfig({
      BUS: 'servicebus',
      SERVICEBUS_CONNECTION_STRING: cs,
      SERVICEBUS_TOPIC: 't',
      WEBHOOK_VERIFY: 'none',
    });
    expect(c.bus).toEqual({
      kind: 'servicebus',
      options: {
        connection: { kind: 'connectionString', connectionString: cs },
        entityName: 't',
        timeoutMs: 4000,
      },
    });
  });

  it('passes PUBLISH_TIMEOUT_MS to the Service Bus sender as timeoutMs', () => {
    const c = loadConfig({
      BUS: 'servicebus',
      SERVICEBUS_NAMESPACE: 'contoso.servicebus.windows.net',
      SERVICEBUS_QUEUE: 'webhooks',
      WEBHOOK_VERIFY: 'none',
      PUBLISH_TIMEOUT_MS: '7000',
    });
    expect(c.bus.kind === 'servicebus' && c.bus.options.timeoutMs).toBe(7000);
    expect(c.publisher.timeoutMs).toBe(7000);
  });
});

describe('MAX_MESSAGE_BYTES', () => {
  const servicebus = {
    BUS: 'servicebus',
    SERVICEBUS_NAMESPACE: 'contoso.servicebus.windows.net',
    SERVICEBUS_QUEUE: 'webhooks',
    WEBHOOK_VERIFY: 'none',
  };

  it('defaults to 256 KiB less 4 KiB headroom for Service Bus (Standard max message 262,144 B)', () => {
    expect(loadConfig(servicebus).maxMessageBytes).toBe(258_048);
  });

  it('defaults to 1,000,000 for Kafka (Event Hubs max request 1,046,528 B)', () => {
    expect(loadConfig(kafka).maxMessageBytes).toBe(1_000_000);
  });

  it('takes an explicit value (e.g. a Premium entity) for either bus', () => {
    expect(loadConfig({ ...servicebus, MAX_MESSAGE_BYTES: '1048576' }).maxMessageBytes).toBe(1_048_576);
    expect(loadConfig({ ...kafka, MAX_MESSAGE_BYTES: '500000' }).maxMessageBytes).toBe(500_000);
  });

  it('rejects a non-integer or out-of-range value, naming the variable', () => {
    const e = problems({ ...kafka, MAX_MESSAGE_BYTES: '12' });
    expect(e.variables).toEqual(['MAX_MESSAGE_BYTES']);
    expect(e.message).toContain('MAX_MESSAGE_BYTES must be an integer from 1024 to 104857600, received "12"');
  });
});

describe('loadConfig errors', () => {
  it('fails if BUS and WEBHOOK_VERIFY are missing, naming both', () => {
    const e = problems({});
    expect(e.variables).toEqual(['BUS', 'WEBHOOK_VERIFY']);
    expect(e.message).toContain('BUS is required, one of servicebus | kafka');
  });

  it('fails on an unknown WEBHOOK_VERIFY value instead of defaulting', () => {
    expect(problems({ ...kafka, WEBHOOK_VERIFY: 'hmac' }).message).toContain(
      'WEBHOOK_VERIFY must be one of standard-webhooks | github | stripe | shopify | api-key | none, received "hmac"',
    );
  });

  it('fails if WEBHOOK_SECRET is missing for a verifying scheme', () => {
    expect(problems({ ...kafka, WEBHOOK_SECRET: '' }).variables).toEqual(['WEBHOOK_SECRET']);
  });

  it('fails on a non-base64 standard-webhooks secret', () => {
    expect(
      problems({ ...kafka, WEBHOOK_VERIFY: 'standard-webhooks', WEBHOOK_SECRET: 'whsec_***' }).variables,
    ).toEqual(['WEBHOOK_SECRET']);
  });

  it('fails on a non-numeric or out-of-range PORT, naming range and value', () => {
    expect(problems({ ...kafka, PORT: 'http' }).message).toContain(
      'PORT must be an integer from 0 to 65535, received "http"',
    );
    expect(problems({ ...kafka, PORT: '70000' }).variables).toEqual(['PORT']);
  });

  it('fails if Kafka brokers are missing or malformed', () => {
    expect(problems({ ...kafka, KAFKA_BROKERS: '' }).variables).toEqual(['KAFKA_BROKERS']);
    expect(problems({ ...kafka, KAFKA_BROKERS: 'localhost' }).variables).toEqual(['KAFKA_BROKERS']);
  });

  it('fails if SASL PLAIN lacks username and password', () => {
    expect(problems({ ...kafka, KAFKA_SASL_MECHANISM: 'plain' }).variables).toEqual([
      'KAFKA_SASL_USERNAME',
      'KAFKA_SASL_PASSWORD',
    ]);
  });

  it('fails unless exactly one of queue/topic and one of namespace/connection string is set', () => {
    const e = problems({ BUS: 'servicebus', WEBHOOK_VERIFY: 'none' });
    expect(e.variables).toEqual(['SERVICEBUS_QUEUE', 'SERVICEBUS_NAMESPACE']);
    const both = problems({
      BUS: 'servicebus',
      WEBHOOK_VERIFY: 'none',
      SERVICEBUS_NAMESPACE: 'a.servicebus.windows.net',
      SERVICEBUS_QUEUE: 'q',
      SERVICEBUS_TOPIC: 't',
    });
    expect(both.variables).toEqual(['SERVICEBUS_QUEUE']);
  });

  it('never echoes a secret value in the message', () => {
    const e = problems({
      ...kafka,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_PASSWORD: 'hunter2',
      PORT: 'x',
    });
    expect(e.message).not.toContain('hunter2');
  });
});
