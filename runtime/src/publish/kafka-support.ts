/**
 * kafkajs glue for ./kafka.ts: the CloudEvents 1.0 Kafka binding (binary mode), SASL options
 * (PLAIN, or OAUTHBEARER with an Entra token for Event Hubs), kafkajs logs into pino, and which
 * send errors are a broker's definite "no".
 */
import type { TokenCredential } from '@azure/identity';
import { logLevel, type IHeaders, type LogEntry, type Message, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaHeaders } from './message-size';
import type { OutboundMessage } from './types';

export type KafkaSasl =
  | { mechanism: 'plain'; username: string; password: string }
  | {
      mechanism: 'oauthbearer';
      /**
       * Where the Entra token comes from (e.g. a ManagedIdentityCredential for one user-assigned
       * identity). @default a DefaultAzureCredential, loaded on first use
       */
      credential?: TokenCredential;
    };

/**
 * CloudEvents 1.0 Kafka protocol binding, binary content mode: the headers are
 * ./message-size.ts's `kafkaHeaders`, the ones `kafkaRecordBytes` counts.
 */
export function toKafkaMessage(m: OutboundMessage): Message {
  const headers: IHeaders = kafkaHeaders(m);
  return { key: m.key, value: m.body, headers };
}

export function saslOptions(sasl: KafkaSasl, brokers: readonly string[], log: Logger): SASLOptions {
  if (sasl.mechanism === 'plain') {
    return { mechanism: 'plain', username: sasl.username, password: sasl.password };
  }
  // Event Hubs: the token's audience is the namespace, https://<namespace>.servicebus.windows.net.
  const host = (brokers[0] ?? '').replace(/:\d+$/, '');
  const scope = `https://${host}/.default`;
  let credential: Promise<TokenCredential> | undefined =
    sasl.credential === undefined ? undefined : Promise.resolve(sasl.credential);
  return {
    mechanism: 'oauthbearer',
    // kafkajs asks on every new connection; the credential caches and refreshes the token.
    oauthBearerProvider: async () => {
      credential ??= import('@azure/identity').then((m) => new m.DefaultAzureCredential());
      const token = await (await credential).getToken(scope);
      if (token === null) throw new Error(`the Azure credential returned no token for ${scope}`);
      log.debug({ scope, expiresOn: token.expiresOnTimestamp }, 'kafka OAUTHBEARER token acquired');
      return { value: token.token };
    },
  };
}

/** A KafkaJSProtocolError the broker marked non-retriable, not a give-up after retries. */
export function brokerRefused(err: unknown): boolean {
  if (!(err instanceof Error) || err.name === 'KafkaJSNumberOfRetriesExceeded') return false;
  const candidates = [err, err.cause];
  return candidates.some(
    (e) =>
      e instanceof Error &&
      e.name === 'KafkaJSProtocolError' &&
      (e as { retriable?: boolean }).retriable === false,
  );
}

const LEVELS = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'debug', // kafkajs INFO is connection chatter: debug for us
  [logLevel.DEBUG]: 'trace',
  [logLevel.NOTHING]: 'silent',
} as const;

/** kafkajs log entries to pino (never the console). */
export function forwardLog(log: Logger, { level, label: _label, log: entry, namespace }: LogEntry): void {
  const { message, timestamp: _t, logger: _l, ...fields } = entry;
  let pinoLevel: (typeof LEVELS)[keyof typeof LEVELS] = LEVELS[level] ?? 'debug';
  // Retries are bounded on purpose and the sequence hazard is handled (see the module comment).
  if (message.startsWith('Limiting retries for the idempotent producer')) pinoLevel = 'debug';
  if (pinoLevel === 'silent') return;
  log[pinoLevel]({ kafkajs: namespace, ...fields }, message);
}
