/**
 * The whole webhook path on this machine, in one call: a Kafka broker (the test run's, a private
 * one, or given brokers), a topic, N upstreams (our runtime bundle on Kafka, or any command that
 * serves HTTP) and the real NGINX in front of them, rendered from the product template. Used by
 * `npm run local`, the benchmarks, the fault scenarios and the integration tests.
 *
 * With `restartDeadRuntimes`, it behaves like Container Apps: a runtime that dies is started again
 * on the same address (an event line says which, how it ended and the restart count) while NGINX
 * keeps serving through the others. `stop()` ends every process it started.
 */
import { startCommand, type Upstream, type UpstreamCommand } from './command';
import { createTopic, uniqueTopic, useKafka, type KafkaChoice, type PrivateKafka } from './kafka';
import { startNginx, type RunningNginx } from './nginx';
import { describeExit } from './process';
import { startRuntime, type RunningRuntime } from './runtime';
import { sleep } from './wait';

export type { Upstream, UpstreamCommand, UpstreamContext } from './command';

/**
 * NGINX's per-client rate limit lifted: a load generator is one client (127.0.0.1), and the
 * benchmarks measure the path, not the limiter (nginx/test covers the limiter).
 */
export const NGINX_UNLIMITED: Readonly<Record<string, string>> = {
  RATE_LIMIT_RPS: '100000',
  RATE_LIMIT_BURST: '100000',
};

/** Runtime settings for load: info logs (the runtime logs every 202 at debug). */
export const RUNTIME_LOAD_ENV: Readonly<Record<string, string>> = { LOG_LEVEL: 'info' };

/** How long after a runtime died the supervisor acts on it (see `supervise`). */
const RESTART_GRACE_MS = 250;

export interface PathOptions {
  /** Names processes, consumer groups and the topic. @default 'path' */
  readonly name?: string;
  /** Upstream processes behind NGINX. @default 2 */
  readonly upstreams?: number;
  /** @default 'shared' (the test run's broker, test/kafka) */
  readonly kafka?: KafkaChoice;
  /** Created if missing. @default a unique name from `name` */
  readonly topic?: string;
  /** @default 3 */
  readonly partitions?: number;
  /** Extra env for our runtimes (over RUNTIME_LOAD_ENV). @default {} */
  readonly runtimeEnv?: Record<string, string>;
  /** Render variables for NGINX (over NGINX_UNLIMITED when `liftRateLimit`). @default {} */
  readonly nginxEnv?: Record<string, string>;
  /** Lift NGINX's per-client rate limit (NGINX_UNLIMITED): one load generator is one client. @default true */
  readonly liftRateLimit?: boolean;
  /** @default a port the OS picks */
  readonly nginxPort?: number;
  /** One per upstream. @default ports the OS picks */
  readonly runtimePorts?: readonly number[];
  /** Run this command as each upstream instead of our runtime. @default our runtime */
  readonly upstreamCommand?: UpstreamCommand;
  /** Start a runtime that died again, on its address. @default false */
  readonly restartDeadRuntimes?: boolean;
  /** Supervisor lines (a runtime died, restarted). @default none */
  readonly onEvent?: (line: string) => void;
  /** Every output line of our runtimes, with the runtime's name. @default none */
  readonly onRuntimeOutput?: (name: string, line: string) => void;
  /** Parsed log lines kept per runtime. @default unlimited */
  readonly runtimeLogLines?: number;
}

export interface RunningPath {
  readonly nginxPort: number;
  readonly nginx: RunningNginx;
  /** Our runtimes as they are now (a restart replaces its entry); empty with `upstreamCommand`. */
  readonly runtimes: RunningRuntime[];
  /** Every upstream process, ours or the command's, in NGINX's upstream order, as they are now. */
  readonly upstreams: Upstream[];
  readonly brokers: string[];
  readonly topic: string;
  /** The private broker (`kafka: 'private'`), to stop, kill, pause or restart. */
  readonly kafka?: PrivateKafka;
  /** How often the supervisor restarted runtime `index` (0-based). */
  restarts(index: number): number;
  /** Stops runtime `index` with `signal` and starts it again on the same address. @default 'SIGTERM' */
  restartRuntime(index: number, signal?: NodeJS.Signals): Promise<RunningRuntime>;
  /** Stops NGINX, every upstream and a private broker; never throws, safe to call twice. */
  stop(): Promise<void>;
}

export async function startPath(options: PathOptions = {}): Promise<RunningPath> {
  const name = options.name ?? 'path';
  const count = options.upstreams ?? 2;
  if (!Number.isInteger(count) || count < 1 || count > 16) {
    throw new Error(`startPath: upstreams must be an integer 1..16, got ${count}`);
  }
  if (options.runtimePorts !== undefined && options.runtimePorts.length !== count) {
    throw new Error(`startPath: ${options.runtimePorts.length} runtimePorts for ${count} upstreams`);
  }
  const onEvent = options.onEvent ?? (() => undefined);
  const runtimes: RunningRuntime[] = [];
  const upstreams: Upstream[] = [];
  const restartCounts = Array.from({ length: count }, () => 0);
  /** Runtimes the caller or stop() ended on purpose: the supervisor leaves them be. */
  const intended = new WeakSet<RunningRuntime>();
  const pending = new Set<Promise<unknown>>();
  let stopping = false;
  let nginx: RunningNginx | undefined;
  let release: () => Promise<void> = () => Promise.resolve();

  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.allSettled([...pending]);
    const steps: Array<() => Promise<unknown>> = [
      () => nginx?.stop() ?? Promise.resolve(),
      () =>
        Promise.allSettled(
          upstreams.map((u) => {
            if (options.upstreamCommand === undefined) intended.add(u as RunningRuntime);
            return u.kill('SIGTERM');
          }),
        ),
      release,
    ];
    for (const step of steps) {
      try {
        await step();
      } catch {
        // best effort: every later process must still be stopped
      }
    }
  };

  try {
    const kafka = await useKafka(options.kafka ?? 'shared', name);
    release = () => kafka.release();
    const brokers = kafka.brokers;
    const topic = options.topic ?? uniqueTopic(name);
    await createTopic(brokers, topic, options.partitions ?? 3);

    const launch = (index: number, port: number): Promise<RunningRuntime> => {
      const runtimeName = `${name}-${index + 1}`;
      const onOutput = options.onRuntimeOutput;
      return startRuntime({
        name: runtimeName,
        kafka: { brokers, topic },
        env: { ...RUNTIME_LOAD_ENV, ...options.runtimeEnv },
        port,
        ...(onOutput === undefined ? {} : { onOutput: (line: string) => onOutput(runtimeName, line) }),
        ...(options.runtimeLogLines === undefined ? {} : { maxLogLines: options.runtimeLogLines }),
      });
    };

    const supervise = (index: number, runtime: RunningRuntime): void => {
      if (options.restartDeadRuntimes !== true) return;
      void runtime.exited.then(async (exit) => {
        // A Ctrl-C reaches the whole process group: the runtime may see it before the caller has
        // called stop(). Acting on a death a moment later never restarts a runtime on the way down.
        await sleep(RESTART_GRACE_MS);
        if (stopping || intended.has(runtime) || runtimes[index] !== runtime) return;
        restartCounts[index] = (restartCounts[index] ?? 0) + 1;
        const n = restartCounts[index];
        onEvent(
          `${runtime.name} died (${describeExit(exit)}); restarting it on ${runtime.address} (restart ${n})`,
        );
        const restart = (async () => {
          // Back-off between failed attempts, as Container Apps does, up to 10 s.
          for (let attempt = 0; !stopping; attempt += 1) {
            try {
              const fresh = await launch(index, runtime.port);
              if (stopping) {
                await fresh.kill('SIGTERM');
                return;
              }
              runtimes[index] = fresh;
              upstreams[index] = fresh;
              onEvent(`${fresh.name} is back on ${fresh.address} (restart ${n}, pid ${fresh.process.pid})`);
              supervise(index, fresh);
              return;
            } catch (error) {
              const delay = Math.min(10_000, 500 * 2 ** attempt);
              onEvent(`${runtime.name} did not come back (${String(error)}); trying again in ${delay} ms`);
              await sleep(delay);
            }
          }
        })();
        pending.add(restart);
        void restart.finally(() => pending.delete(restart));
      });
    };

    const started = await Promise.allSettled(
      Array.from({ length: count }, async (_, index) => {
        const upstream = options.upstreamCommand
          ? await startCommand(`${name}-${index + 1}`, options.upstreamCommand, { index, brokers, topic })
          : await launch(index, options.runtimePorts?.[index] ?? 0);
        upstreams[index] = upstream;
        return upstream;
      }),
    );
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    if (options.upstreamCommand === undefined) {
      runtimes.push(...(upstreams as RunningRuntime[]));
      runtimes.forEach((runtime, index) => supervise(index, runtime));
    }

    nginx = await startNginx({
      upstreams: upstreams.map((u) => u.address),
      env: { ...(options.liftRateLimit === false ? {} : NGINX_UNLIMITED), ...options.nginxEnv },
      ...(options.nginxPort === undefined ? {} : { port: options.nginxPort }),
    });
    return {
      nginxPort: nginx.port,
      nginx,
      runtimes,
      upstreams,
      brokers,
      topic,
      ...(kafka.private === undefined ? {} : { kafka: kafka.private }),
      restarts: (index) => restartCounts[index] ?? 0,
      async restartRuntime(index, signal = 'SIGTERM') {
        const old = runtimes[index];
        if (old === undefined) throw new Error(`restartRuntime: no runtime ${index}`);
        intended.add(old);
        await old.kill(signal);
        const fresh = await launch(index, old.port);
        runtimes[index] = fresh;
        upstreams[index] = fresh;
        supervise(index, fresh);
        return fresh;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
