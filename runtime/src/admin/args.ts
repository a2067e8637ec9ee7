/**
 * The command line of `webhooks-admin`, parsed with node:util `parseArgs` into one typed command.
 * Usage errors throw {@link UsageError} (exit code 2) naming the option.
 */
import { parseArgs } from 'node:util';
import type { ReplayOptions } from './kafka-replay';
import type { RedriveFilter, RedriveOptions } from './redrive';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where the dead letters are: a namespace (DefaultAzureCredential) or, for local tests, a connection string. */
export interface ServiceBusTarget {
  readonly connection:
    | { readonly kind: 'namespace'; readonly fullyQualifiedNamespace: string }
    | { readonly kind: 'connectionString'; readonly connectionString: string };
  readonly entity:
    | { readonly kind: 'queue'; readonly queue: string }
    | { readonly kind: 'subscription'; readonly topic: string; readonly subscription: string };
}

export type Command =
  | { readonly name: 'dlq list'; readonly target: ServiceBusTarget; readonly max?: number }
  | { readonly name: 'dlq show'; readonly target: ServiceBusTarget; readonly id: string }
  | ({ readonly name: 'dlq redrive'; readonly target: ServiceBusTarget } & Omit<RedriveOptions, 'now'>)
  | ({ readonly name: 'kafka replay' } & ReplayOptions)
  | { readonly name: 'help' };

export const USAGE = `webhooks-admin: dead-letter re-drive and Kafka replay for the webhook platform

  webhooks-admin dlq list     <entity> [--max N]
  webhooks-admin dlq show     <entity> <sequence-number|message-id>
  webhooks-admin dlq redrive  <entity> [--filter <reason text|property=value>] [--max N]
                              [--rate <per second>] [--dry-run] [--duplicate-window <seconds>]
  webhooks-admin kafka replay --brokers <host:port,...> --topic T --to-topic U
                              --from <ISO time> [--to <ISO time>] [--sasl oauthbearer]

  <entity>: --namespace <name>.servicebus.windows.net (DefaultAzureCredential: managed identity,
            AZURE_CLIENT_ID, az login) and --queue Q | --topic T --subscription S.
            --connection-string is for local tests against a test peer or emulator.
  --duplicate-window: the entity's duplicate detection window (default 600 = 10 minutes; 0 when
            the entity has none): a dead letter first sent less than this long ago is skipped,
            because Service Bus would drop its re-send (same MessageId) as a duplicate.
Output: a progress line on a terminal, else JSON ({"redriven":…,"skipped":…,"failed":…}).
Exit codes: 0 done, 1 some messages failed or an unexpected error, 2 usage, 3 entity not found,
4 not authorized (missing role or bad credential), 5 namespace unreachable.`;

const options = {
  namespace: { type: 'string' },
  'connection-string': { type: 'string' },
  queue: { type: 'string' },
  topic: { type: 'string' },
  subscription: { type: 'string' },
  filter: { type: 'string' },
  max: { type: 'string' },
  rate: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  'duplicate-window': { type: 'string' },
  wait: { type: 'string' },
  brokers: { type: 'string' },
  'to-topic': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  sasl: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

function positiveNumber(name: string, raw: string | undefined, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be a ${integer ? 'whole ' : ''}number ≥ 0, got '${raw}'`);
  }
  return value;
}

function time(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new UsageError(`--${name} must be an ISO 8601 time, got '${raw}'`);
  return ms;
}

function required(name: string, raw: string | undefined): string {
  if (raw === undefined || raw === '') throw new UsageError(`--${name} is required`);
  return raw;
}

function target(v: Values): ServiceBusTarget {
  if ((v.namespace === undefined) === (v['connection-string'] === undefined)) {
    throw new UsageError('give exactly one of --namespace <fqdn> or --connection-string');
  }
  const connection =
    v.namespace !== undefined
      ? { kind: 'namespace' as const, fullyQualifiedNamespace: v.namespace }
      : { kind: 'connectionString' as const, connectionString: v['connection-string'] ?? '' };
  if (v.queue !== undefined && v.topic === undefined && v.subscription === undefined) {
    return { connection, entity: { kind: 'queue', queue: v.queue } };
  }
  if (v.queue === undefined && v.topic !== undefined && v.subscription !== undefined) {
    return { connection, entity: { kind: 'subscription', topic: v.topic, subscription: v.subscription } };
  }
  throw new UsageError('give --queue Q, or --topic T with --subscription S');
}

function filter(raw: string | undefined): RedriveFilter | undefined {
  if (raw === undefined) return undefined;
  const eq = raw.indexOf('=');
  return eq > 0
    ? { kind: 'property', key: raw.slice(0, eq), value: raw.slice(eq + 1) }
    : { kind: 'reason', text: raw };
}

export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  const [group, verb, ...rest] = positionals;
  if (v.help || group === undefined || group === 'help') return { name: 'help' };
  const max = positiveNumber('max', v.max, true);
  if (group === 'dlq' && verb === 'list')
    return { name: 'dlq list', target: target(v), ...(max === undefined ? {} : { max }) };
  if (group === 'dlq' && verb === 'show') {
    const id = rest[0];
    if (id === undefined) throw new UsageError('dlq show needs a sequence number or a message id');
    return { name: 'dlq show', target: target(v), id };
  }
  if (group === 'dlq' && verb === 'redrive') {
    const f = filter(v.filter);
    const rate = positiveNumber('rate', v.rate, false);
    if (rate === 0) throw new UsageError('--rate must be above 0');
    return {
      name: 'dlq redrive',
      target: target(v),
      dryRun: v['dry-run'],
      duplicateWindowMs: (positiveNumber('duplicate-window', v['duplicate-window'], false) ?? 600) * 1000,
      waitMs: positiveNumber('wait', v.wait, true) ?? 3000,
      ...(f === undefined ? {} : { filter: f }),
      ...(max === undefined ? {} : { max }),
      ...(rate === undefined ? {} : { ratePerSecond: rate }),
    };
  }
  if (group === 'kafka' && verb === 'replay') {
    if (v.sasl !== undefined && v.sasl !== 'oauthbearer')
      throw new UsageError(`--sasl must be oauthbearer, got '${v.sasl}'`);
    const toMs = time('to', v.to);
    const fromMs = time('from', required('from', v.from)) ?? 0;
    if (toMs !== undefined && toMs <= fromMs) throw new UsageError('--to must be later than --from');
    return {
      name: 'kafka replay',
      brokers: required('brokers', v.brokers)
        .split(',')
        .map((b) => b.trim())
        .filter((b) => b !== ''),
      topic: required('topic', v.topic),
      toTopic: required('to-topic', v['to-topic']),
      fromMs,
      ...(toMs === undefined ? {} : { toMs }),
      ...(v.sasl === undefined ? {} : { sasl: 'oauthbearer' as const }),
    };
  }
  throw new UsageError(`unknown command '${positionals.join(' ')}'`);
}
