/**
 * kafka.sh's own contract, on a private instance: concurrent first starts of an instance given no
 * ports give one broker on ports the OS assigned, and all succeed and print its one address (the
 * lock); a second start says "already running" and exits 0, status tells running (exit 0) from
 * stopped (exit 3), and stop really ends the broker process.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { KAFKA_START_TIMEOUT_MS } from './ensure-kafka';

const run = promisify(execFile);
const KAFKA_SH = path.join(__dirname, 'kafka.sh');

async function kafkaSh(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(KAFKA_SH, args, { timeout: KAFKA_START_TIMEOUT_MS });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

describe('kafka.sh', () => {
  const instance = `kafka-sh-${process.pid}`;

  afterAll(async () => {
    await kafkaSh(['stop', '--instance', instance, '--kill', '--purge']);
  }, 60_000);

  test(
    'concurrent first starts without ports all succeed, run one broker on an OS-assigned port and print its address',
    async () => {
      const results = await Promise.all([0, 1, 2].map(() => kafkaSh(['start', '--instance', instance])));
      expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
      expect(results.filter((r) => /starting Kafka/.test(r.out))).toHaveLength(1);
      expect(results.filter((r) => /already running/.test(r.out))).toHaveLength(2);
      const addresses = results.map((r) => /^127\.0\.0\.1:(\d+)$/m.exec(r.out)?.[0]);
      expect(new Set(addresses).size).toBe(1);
      expect(addresses[0]).not.toMatch(/:9092$/);
      expect((await kafkaSh(['status', '--instance', instance])).out).toContain(
        `on ${addresses[0] ?? 'none'};`,
      );
    },
    KAFKA_START_TIMEOUT_MS,
  );

  test('start on a running instance says so and exits 0; status exits 0 and names the log', async () => {
    const again = await kafkaSh(['start', '--instance', instance]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/already running: instance .* on 127\.0\.0\.1:\d+; log: .*kafka\.log/);
    const status = await kafkaSh(['status', '--instance', instance]);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/running \(pid (\d+)\)/);
  }, 60_000);

  test('stop ends the broker process; status then exits 3', async () => {
    const pid = Number(/pid (\d+)/.exec((await kafkaSh(['status', '--instance', instance])).out)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect((await kafkaSh(['stop', '--instance', instance])).code).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
    const status = await kafkaSh(['status', '--instance', instance]);
    expect(status.code).toBe(3);
    expect(status.out).toMatch(/stopped/);
  }, 60_000);
});
