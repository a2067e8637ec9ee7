/**
 * Real Apache Kafka for jest: `ensureKafka()` in `beforeAll` starts the shared KRaft broker on
 * 127.0.0.1:9092 through kafka.sh (idempotent and locked, so several test files may call it at
 * once) and leaves it running for the next file. `startPrivateKafka()` gives a test its own broker
 * on free ports, to stop and restart without disturbing anyone else's tests.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const KAFKA_SH = path.join(__dirname, 'kafka.sh');

/** Enough for a cold start (jar fetch + format + JVM start) on a busy 2-core machine. */
export const KAFKA_START_TIMEOUT_MS = 240_000;
export const SHARED_BROKER = '127.0.0.1:9092';

async function kafkaSh(args: string[]): Promise<string> {
  try {
    const { stderr } = await run(KAFKA_SH, args, { timeout: KAFKA_START_TIMEOUT_MS });
    return stderr;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kafka.sh ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

/** Starts the shared broker if it is not running; resolves when it answers a metadata request. */
export async function ensureKafka(): Promise<{ brokers: string[] }> {
  await kafkaSh(['start']);
  return { brokers: [SHARED_BROKER] };
}

/** A topic name no other test (or earlier run) uses. */
export function uniqueTopic(prefix: string): string {
  uniqueCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${uniqueCounter}`;
}
let uniqueCounter = 0;

/** The SASL PLAIN listener's test user (server.properties.template), shaped like Event Hubs'. */
export const SASL_PLAIN_TEST_USER = {
  username: '$ConnectionString',
  password:
    'Endpoint=sb://kafka-test.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=test-key-not-secret',
} as const;

export interface PrivateKafka {
  readonly brokers: string[];
  /** The SASL_PLAINTEXT (PLAIN) listener, when started with `{ saslPlain: true }`. */
  readonly saslBrokers: string[];
  /** Stops the broker; `kill: true` is an abrupt loss (SIGKILL) instead of a controlled shutdown. */
  stop(options?: { kill?: boolean }): Promise<void>;
  /** SIGSTOP: the broker still accepts TCP connections but never answers. */
  pause(): Promise<void>;
  /** SIGCONT after pause(). */
  resume(): Promise<void>;
  /** Starts it again on the same ports and data (topics survive). */
  start(): Promise<void>;
  /** Stops it and deletes its data and log. */
  destroy(): Promise<void>;
}

/** A broker of the test's own (own ports, data dir and log), started before this resolves. */
export async function startPrivateKafka(
  name: string,
  options: { saslPlain?: boolean } = {},
): Promise<PrivateKafka> {
  const [port, controllerPort, saslPort] = await freePorts(3);
  const instance = `${name}-${process.pid}`;
  const base = ['--instance', instance];
  const ports = ['--port', String(port), '--controller-port', String(controllerPort)];
  if (options.saslPlain === true) ports.push('--sasl-port', String(saslPort));
  await kafkaSh(['start', ...base, ...ports]);
  return {
    brokers: [`127.0.0.1:${port}`],
    saslBrokers: options.saslPlain === true ? [`127.0.0.1:${saslPort}`] : [],
    stop: async (options) => {
      await kafkaSh(['stop', ...base, ...(options?.kill === true ? ['--kill'] : [])]);
    },
    pause: async () => {
      await kafkaSh(['pause', ...base]);
    },
    resume: async () => {
      await kafkaSh(['resume', ...base]);
    },
    start: async () => {
      await kafkaSh(['start', ...base]);
    },
    destroy: async () => {
      await kafkaSh(['stop', ...base, '--kill', '--purge']);
    },
  };
}

/** Ports the OS reports free on loopback right now (held together, so they differ). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no port assigned');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
