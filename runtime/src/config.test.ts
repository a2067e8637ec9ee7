import { createHmac, randomBytes } from 'node:crypto';
import { ConfigError, ignoredVariables, loadConfig } from './config';
import { createVerifier } from './verify';
import { request } from './verify/test-request';

const kafka = {
  BUS: 'kafka',
  KAFKA_BROKERS: '127.0.0.1:9092',
  WEBHOOK_VERIFY: 'github',
  WEBHOOK_SECRET: 'github-secret-of-16+',
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
    expect(c.http).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 65_000,
      connectionsCheckingIntervalMs: 1000,
      drainIdleTimeoutMs: 5000,
    });
  });
});

/** A Standard Webhooks secret as pipelines/deploy/secrets.sh writes it: whsec_ + base64 of n bytes. */
const whsec = (bytes: number) => `whsec_${randomBytes(bytes).toString('base64')}`;

describe('WEBHOOK_SECRET format: one secret, or a JSON array of secrets', () => {
  // GitHub's documented example ("Validating webhook deliveries"): a secret with spaces.
  const GITHUB_DOC_SECRET = "It's a Secret to Everybody";
  const GITHUB_DOC_BODY = 'Hello, World!';
  const GITHUB_DOC_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it('takes a value with spaces as ONE secret: GitHub\'s example verifies, a signature keyed "a" does not', () => {
    const config = loadConfig({ ...kafka, WEBHOOK_SECRET: GITHUB_DOC_SECRET });
    expect(config.verify).toEqual({ scheme: 'github', secrets: [GITHUB_DOC_SECRET] });
    const verifier = createVerifier(config.verify.scheme, config.verify.secrets);
    const signed = (signature: string) =>
      verifier.verify(request({ 'X-Hub-Signature-256': signature }, GITHUB_DOC_BODY, 0)).ok;
    expect(signed(GITHUB_DOC_SIGNATURE)).toBe(true);
    const keyedA = `sha256=${createHmac('sha256', 'a').update(GITHUB_DOC_BODY).digest('hex')}`;
    expect(signed(keyedA)).toBe(false);
  });

  it('drops only the whitespace around the value (a trailing newline from a file or Key Vault)', () => {
    expect(loadConfig({ ...kafka, WEBHOOK_SECRET: `  ${GITHUB_DOC_SECRET}\n` }).verify.secrets).toEqual([
      GITHUB_DOC_SECRET,
    ]);
  });

  it('takes several secrets for rotation as a JSON array of strings, each kept exactly', () => {
    const [a, b] = [whsec(32), whsec(32)];
    const config = loadConfig({
      ...kafka,
      WEBHOOK_VERIFY: 'standard-webhooks',
      WEBHOOK_SECRET: ` ${JSON.stringify([a, b])} `,
    });
    expect(config.verify.secrets).toEqual([a, b]);
    const spaced = loadConfig({ ...kafka, WEBHOOK_SECRET: JSON.stringify([' padded secret of 16+ ']) });
    expect(spaced.verify.secrets).toEqual([' padded secret of 16+ ']);
  });

  it.each([
    ['not JSON', '["first-secret-of-sixteen", oops-second-secret]'],
    ['not an array', '[ "unterminated-secret-value'],
    ['an empty array', '[]'],
    ['a non-string entry', '["first-secret-of-sixteen", 12345678901234567890]'],
    ['an empty entry', '["first-secret-of-sixteen", ""]'],
  ])(
    'rejects a value starting with "[" that is %s, naming WEBHOOK_SECRET and never echoing it',
    (_, value) => {
      const e = problems({ ...kafka, WEBHOOK_SECRET: value });
      expect(e.variables).toEqual(['WEBHOOK_SECRET']);
      expect(e.message).toContain('WEBHOOK_SECRET must be a JSON array of non-empty strings');
      for (const fragment of ['first-secret', 'oops', 'unterminated', '1234567890']) {
        expect(e.message).not.toContain(fragment);
      }
    },
  );
});

describe('WEBHOOK_SECRET minimum key length', () => {
  const tooShort = (env: Record<string, string>) => problems({ ...kafka, ...env });

  it('rejects whsec_A and whsec_ for standard-webhooks: Node decodes both to a zero-length HMAC key', () => {
    expect(Buffer.from('A', 'base64')).toHaveLength(0); // what the verifier keyed with before
    const a = tooShort({ WEBHOOK_VERIFY: 'standard-webhooks', WEBHOOK_SECRET: 'whsec_A' });
    expect(a.variables).toEqual(['WEBHOOK_SECRET']);
    expect(a.message).toContain('WEBHOOK_SECRET must be base64'); // a dangling character
    const empty = tooShort({ WEBHOOK_VERIFY: 'standard-webhooks', WEBHOOK_SECRET: 'whsec_' });
    expect(empty.message).toContain('WEBHOOK_SECRET must decode to at least 16 bytes');
  });

  it('counts standard-webhooks key bytes after whsec_ and base64 decoding: 15 bytes fail, 16 pass', () => {
    const fifteen = `whsec_${Buffer.alloc(15, 7).toString('base64')}`; // 20 characters
    expect(tooShort({ WEBHOOK_VERIFY: 'standard-webhooks', WEBHOOK_SECRET: fifteen }).variables).toEqual([
      'WEBHOOK_SECRET',
    ]);
    const sixteen = `whsec_${Buffer.alloc(16, 7).toString('base64')}`;
    expect(
      loadConfig({ ...kafka, WEBHOOK_VERIFY: 'standard-webhooks', WEBHOOK_SECRET: sixteen }).verify.secrets,
    ).toEqual([sixteen]);
    // The specification's example secret (24 bytes) and a secrets.sh secret (32 bytes) start.
    for (const secret of ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', whsec(32)]) {
      expect(
        loadConfig({ ...kafka, WEBHOOK_VERIFY: 'standard-webhooks', WEBHOOK_SECRET: secret }).verify.secrets,
      ).toEqual([secret]);
    }
  });

  it.each([
    ['base64url alphabet', `whsec_${'-_'.repeat(12)}`],
    ['padding in the middle', 'whsec_AAAA=AAAAAAAAAAAAAAAAAAAAAAA'],
    ['a dangling character', `whsec_${'A'.repeat(25)}`],
    ['non-zero trailing bits', `whsec_${Buffer.alloc(16, 7).toString('base64').replace('w==', 'x==')}`],
  ])('rejects a standard-webhooks secret that is not strict base64 (%s)', (_, secret) => {
    const e = tooShort({ WEBHOOK_VERIFY: 'standard-webhooks', WEBHOOK_SECRET: secret });
    expect(e.variables).toEqual(['WEBHOOK_SECRET']);
    expect(e.message).toContain('WEBHOOK_SECRET must be base64');
  });

  it.each(['github', 'stripe', 'shopify'])(
    'rejects a %s secret under 16 bytes and takes one of 16',
    (scheme) => {
      const e = tooShort({ WEBHOOK_VERIFY: scheme, WEBHOOK_SECRET: 'fifteen-bytes!!' });
      expect(e.variables).toEqual(['WEBHOOK_SECRET']);
      expect(e.message).toContain(`WEBHOOK_SECRET must be at least 16 bytes for ${scheme}`);
      expect(
        loadConfig({ ...kafka, WEBHOOK_VERIFY: scheme, WEBHOOK_SECRET: 'sixteen-bytes!!!' }).verify.secrets,
      ).toEqual(['sixteen-bytes!!!']);
    },
  );

  it('rejects api-key with the key "a", and any key under 32 characters; takes one of 32', () => {
    const e = tooShort({ WEBHOOK_VERIFY: 'api-key', WEBHOOK_SECRET: 'a' });
    expect(e.variables).toEqual(['WEBHOOK_SECRET']);
    expect(e.message).toContain('WEBHOOK_SECRET must be at least 32 characters for api-key');
    expect(tooShort({ WEBHOOK_VERIFY: 'api-key', WEBHOOK_SECRET: 'k'.repeat(31) }).variables).toEqual([
      'WEBHOOK_SECRET',
    ]);
    expect(
      loadConfig({ ...kafka, WEBHOOK_VERIFY: 'api-key', WEBHOOK_SECRET: 'k'.repeat(32) }).verify.secrets,
    ).toEqual(['k'.repeat(32)]);
  });

  it('rejects an api-key with spaces or non-ASCII characters: it must travel unchanged in a header', () => {
    for (const key of [`${'k'.repeat(16)} ${'k'.repeat(16)}`, `${'k'.repeat(31)}é`]) {
      expect(tooShort({ WEBHOOK_VERIFY: 'api-key', WEBHOOK_SECRET: key }).message).toContain(
        'WEBHOOK_SECRET must be at least 32 characters for api-key',
      );
    }
  });

  it('names the offending array index and never echoes any secret', () => {
    const good = whsec(32);
    const e = tooShort({
      WEBHOOK_VERIFY: 'standard-webhooks',
      WEBHOOK_SECRET: JSON.stringify([good, 'whsec_c2hvcnQ=', good]),
    });
    expect(e.variables).toEqual(['WEBHOOK_SECRET']);
    expect(e.problems).toEqual([
      expect.stringMatching(/^WEBHOOK_SECRET\[1\] must decode to at least 16 bytes/),
    ]);
    expect(e.message).not.toContain(good.slice(6, 20));
    expect(e.message).not.toContain('c2hvcnQ');
  });

  it('never echoes a rejected secret', () => {
    for (const [scheme, secret] of [
      ['github', 'hunter2-secret'],
      ['api-key', 'hunter2-secret'],
      ['standard-webhooks', 'whsec_aHVudGVyMi1zZWNyZXQ='],
      ['standard-webhooks', 'whsec_hunter2-secret'],
    ] as const) {
      const e = tooShort({ WEBHOOK_VERIFY: scheme, WEBHOOK_SECRET: secret });
      expect(e.message).not.toMatch(/hunter2|aHVudGVy/);
    }
  });

  it('ignores the secret when WEBHOOK_VERIFY=none', () => {
    expect(loadConfig({ ...kafka, WEBHOOK_VERIFY: 'none', WEBHOOK_SECRET: 'a' }).verify.scheme).toBe('none');
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
      problems({ ...kafka, WEBHOOK_VERIFY: 'standard-webhooks', WEBHOOK_SECRET: `whsec_${'*'.repeat(24)}` })
        .variables,
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

describe('one schema: a discriminated union on BUS', () => {
  const servicebus = {
    BUS: 'servicebus',
    SERVICEBUS_NAMESPACE: 'contoso.servicebus.windows.net',
    SERVICEBUS_QUEUE: 'webhooks',
    WEBHOOK_VERIFY: 'none',
  };

  it('takes BUS in any case, padded, like every other choice', () => {
    expect(loadConfig({ ...kafka, BUS: ' Kafka ' }).bus.kind).toBe('kafka');
    expect(loadConfig({ ...servicebus, BUS: 'SERVICEBUS' }).bus.kind).toBe('servicebus');
  });

  it('names an unknown BUS with the value received, and still checks the shared variables', () => {
    const e = problems({ ...kafka, BUS: 'rabbitmq', PORT: 'http' });
    expect(e.variables).toEqual(['BUS', 'PORT']);
    expect(e.message).toContain('BUS must be one of servicebus | kafka, received "rabbitmq"');
  });

  it("checks only the named bus's variables: the other bus's do not stop a start", () => {
    expect(loadConfig({ ...servicebus, KAFKA_SSL: 'maybe', KAFKA_BROKERS: 'localhost' }).bus.kind).toBe(
      'servicebus',
    );
    expect(problems({ ...kafka, KAFKA_SSL: 'maybe' }).message).toContain(
      'KAFKA_SSL must be one of true | false, received "maybe"',
    );
  });

  it('reports every problem in one start: each variable, and the rules across variables', () => {
    const e = problems({
      BUS: 'kafka',
      KAFKA_SASL_MECHANISM: 'plain',
      WEBHOOK_VERIFY: 'github',
      PORT: 'x',
    });
    expect(e.variables).toEqual([
      'KAFKA_BROKERS',
      'KAFKA_SASL_USERNAME',
      'KAFKA_SASL_PASSWORD',
      'PORT',
      'WEBHOOK_SECRET',
    ]);
  });

  it('checks the Service Bus namespace and connection string by themselves', () => {
    expect(problems({ ...servicebus, SERVICEBUS_NAMESPACE: 'contoso' }).message).toContain(
      'SERVICEBUS_NAMESPACE must be a fully qualified namespace like contoso.servicebus.windows.net, received "contoso"',
    );
    const cs = problems({
      ...servicebus,
      SERVICEBUS_NAMESPACE: '',
      SERVICEBUS_CONNECTION_STRING: 'SharedAccessKey=hunter2',
    });
    expect(cs.problems).toEqual(['SERVICEBUS_CONNECTION_STRING must contain Endpoint=sb://…']);
  });
});

describe('ignoredVariables: what a deployment sets that the runtime would not read', () => {
  it('is empty for a configuration that uses everything it sets', () => {
    expect(ignoredVariables({ ...kafka, KAFKA_TOPIC: 't', PATH: '/usr/bin', HOME: '/root' })).toEqual([]);
  });

  it("lists the other bus's variables", () => {
    expect(
      ignoredVariables({
        BUS: 'servicebus',
        SERVICEBUS_NAMESPACE: 'contoso.servicebus.windows.net',
        SERVICEBUS_TOPIC: 't',
        KAFKA_TOPIC: 'webhooks',
        WEBHOOK_VERIFY: 'none',
      }),
    ).toEqual(['KAFKA_TOPIC']);
  });

  it('lists SASL credentials without KAFKA_SASL_MECHANISM=plain, and WEBHOOK_SECRET with WEBHOOK_VERIFY=none', () => {
    expect(
      ignoredVariables({ ...kafka, KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_PASSWORD: 'p' }),
    ).toEqual(['KAFKA_SASL_PASSWORD']);
    expect(ignoredVariables({ ...kafka, WEBHOOK_VERIFY: 'none' })).toEqual(['WEBHOOK_SECRET']);
  });

  it('throws the ConfigError of an invalid configuration', () => {
    expect(() => ignoredVariables({})).toThrow(ConfigError);
  });
});
