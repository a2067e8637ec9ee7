/**
 * Real Apache Kafka for jest: `ensureKafka()` in `beforeAll` starts this run's KRaft broker through
 * kafka.sh (idempotent and locked, so several test files may call it at once) and leaves it running
 * for the next file. The instance is named by KAFKA_TEST_INSTANCE, which the integration suite's
 * globalSetup (test/prerequisites.ts) sets once per run; kafka.sh gives it ports the OS assigns, and
 * the globalTeardown (./teardown.ts) stops it, so two runs on one machine never share or collide.
 * `startPrivateKafka()` gives a test its own broker on free ports, to stop and restart without
 * disturbing anyone else's tests.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const KAFKA_SH = path.join(__dirname, 'kafka.sh');

/** Enough for a cold start (jar fetch + format + JVM start) on a busy 2-core machine. */
export const KAFKA_START_TIMEOUT_MS = 240_000;
/** The environment variable naming the run's shared broker instance (see the header). */
export const KAFKA_TEST_INSTANCE = 'KAFKA_TEST_INSTANCE';

/** Runs kafka.sh; resolves with its stdout (start prints the broker's address there). */
export async function kafkaSh(args: string[]): Promise<string> {
  try {
    const { stdout } = await run(KAFKA_SH, args, { timeout: KAFKA_START_TIMEOUT_MS });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kafka.sh ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

/** The instance name KAFKA_TEST_INSTANCE holds; throws when it is unset or not a kafka.sh name. */
export function testInstance(env: NodeJS.ProcessEnv = process.env): string {
  const instance = env[KAFKA_TEST_INSTANCE];
  if (instance === undefined || instance === '') {
    throw new Error(
      `${KAFKA_TEST_INSTANCE} is not set: run Kafka tests through the integration suite ` +
        "(npm run test:integration, or npx jest --selectProjects integration <files>), whose globalSetup names the run's broker",
    );
  }
  if (!/^[A-Za-z0-9._-]+$/.test(instance)) {
    throw new Error(`${KAFKA_TEST_INSTANCE} must match [A-Za-z0-9._-]+, got "${instance}"`);
  }
  return instance;
}

/**
 * Starts this run's broker if it is not running (kafka.sh picks its ports from the OS at its first
 * start); resolves with its address once it answers a metadata request.
 */
export async function ensureKafka(): Promise<{ brokers: string[] }> {
  const address = (await kafkaSh(['start', '--instance', testInstance()])).trim().split('\n').pop() ?? '';
  if (!/^127\.0\.0\.1:\d+$/.test(address)) {
    throw new Error(`kafka.sh start printed no broker address (got "${address}")`);
  }
  return { brokers: [address] };
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
