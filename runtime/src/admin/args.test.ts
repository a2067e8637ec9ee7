/** The `webhooks-admin` command line: what parses into which command, and what is refused. */
import { parseCommand, UsageError } from './args';

const ns = ['--namespace', 'contoso.servicebus.windows.net'];

describe('webhooks-admin arguments', () => {
  it('parses a re-drive of a subscription with filter, max, rate and dry-run', () => {
    expect(
      parseCommand([
        'dlq',
        'redrive',
        ...ns,
        '--topic',
        't',
        '--subscription',
        's',
        '--filter',
        'tenant=a',
        '--max',
        '5',
        '--rate',
        '2.5',
        '--dry-run',
      ]),
    ).toEqual({
      name: 'dlq redrive',
      target: {
        connection: { kind: 'namespace', fullyQualifiedNamespace: 'contoso.servicebus.windows.net' },
        entity: { kind: 'subscription', topic: 't', subscription: 's' },
      },
      filter: { kind: 'property', key: 'tenant', value: 'a' },
      max: 5,
      ratePerSecond: 2.5,
      dryRun: true,
      duplicateWindowMs: 600_000,
      waitMs: 3000,
    });
  });

  it('reads a filter without "=" as a dead-letter reason substring', () => {
    expect(parseCommand(['dlq', 'redrive', ...ns, '--queue', 'q', '--filter', 'MaxDelivery'])).toMatchObject({
      filter: { kind: 'reason', text: 'MaxDelivery' },
    });
  });

  it('parses a Kafka replay between two ISO times', () => {
    expect(
      parseCommand([
        'kafka',
        'replay',
        '--brokers',
        'a:9093,b:9093',
        '--topic',
        'x',
        '--to-topic',
        'y',
        '--from',
        '2026-01-01T00:00:00Z',
        '--to',
        '2026-01-01T01:00:00Z',
      ]),
    ).toEqual({
      name: 'kafka replay',
      brokers: ['a:9093', 'b:9093'],
      topic: 'x',
      toTopic: 'y',
      fromMs: Date.parse('2026-01-01T00:00:00Z'),
      toMs: Date.parse('2026-01-01T01:00:00Z'),
    });
  });

  it.each([
    [['dlq', 'list', '--queue', 'q'], /exactly one of --namespace/],
    [['dlq', 'list', ...ns, '--queue', 'q', '--topic', 't'], /--queue Q, or --topic T with --subscription S/],
    [['dlq', 'redrive', ...ns, '--queue', 'q', '--max', '1.5'], /--max must be a whole number/],
    [['dlq', 'redrive', ...ns, '--queue', 'q', '--rate', '0'], /--rate must be above 0/],
    [['dlq', 'show', ...ns, '--queue', 'q'], /sequence number or a message id/],
    [
      ['kafka', 'replay', '--brokers', 'b', '--topic', 'x', '--to-topic', 'y', '--from', 'yesterday'],
      /ISO 8601/,
    ],
    [['dlq', 'purge', ...ns, '--queue', 'q'], /unknown command 'dlq purge'/],
    [['dlq', 'list', ...ns, '--queue', 'q', '--nope'], /Unknown option '--nope'/],
  ])('fails with a usage error for %j', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});
