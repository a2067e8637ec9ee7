/**
 * The harness's whole path (startPath): NGINX in front of real runtimes on the test run's Kafka, or
 * in front of any upstream command; stop() leaves no process; with restartDeadRuntimes a runtime
 * that dies comes back on its address.
 */
import { postWebhook, send } from './http';
import { KAFKA_START_TIMEOUT_MS, readTopic } from './kafka';
import { startPath, type RunningPath } from './path';
import { statusOf, until } from './wait';

/** True while a process with this pid exists (signal 0 only checks). */
function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startPath', () => {
  let stack: RunningPath | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  }, 60_000);

  it(
    'runs NGINX in front of two real runtimes on Kafka: a 202 is on the topic, and stop() leaves no process',
    async () => {
      stack = await startPath({ name: 'stack-test' });
      expect(stack.runtimes).toHaveLength(2);
      const response = await postWebhook(stack.nginxPort, {
        clientId: 'stack-test',
        opportunity: { id: 'op-1' },
      });
      expect(response.status).toBe(202);
      const { correlationId } = JSON.parse(response.body) as { correlationId: string };

      const records = await readTopic(stack.brokers, stack.topic, 1, 20_000);
      expect(records.map((r) => r.headers['ce_id'])).toEqual([correlationId]);

      const pids = [stack.nginx.process.pid, ...stack.upstreams.map((u) => u.process.pid)];
      expect(pids.every(alive)).toBe(true);
      await stack.stop();
      expect(pids.filter(alive)).toEqual([]);
    },
    KAFKA_START_TIMEOUT_MS + 60_000,
  );

  it(
    'puts an arbitrary upstream command behind NGINX, told its port, brokers and topic',
    async () => {
      // A minimal HTTP server that echoes what the stack told it (an honest test upstream).
      const server = `require('node:http').createServer((q, s) => { s.writeHead(202, {'content-type': 'application/json'});
        s.end(JSON.stringify({ index: process.env.INDEX, topic: process.env.TOPIC })); }).listen(+process.env.PORT, '127.0.0.1');`;
      stack = await startPath({
        name: 'stack-cmd',
        upstreams: 1,
        upstreamCommand: {
          command: (ctx) => ({
            file: process.execPath,
            args: ['-e', server],
            env: { PORT: String(ctx.port), INDEX: String(ctx.index), TOPIC: ctx.topic },
          }),
        },
      });
      expect(stack.runtimes).toEqual([]);
      const response = await send(stack.nginxPort, {
        method: 'POST',
        path: '/webhook',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(202);
      expect(JSON.parse(response.body)).toEqual({ index: '0', topic: stack.topic });
      const pid = stack.upstreams[0]?.process.pid;
      await stack.stop();
      expect(alive(pid)).toBe(false);
    },
    KAFKA_START_TIMEOUT_MS + 30_000,
  );

  it(
    'restarts a runtime that died on its address (restartDeadRuntimes), and says so',
    async () => {
      const events: string[] = [];
      stack = await startPath({
        name: 'path-restart',
        upstreams: 2,
        restartDeadRuntimes: true,
        onEvent: (line) => events.push(line),
      });
      const victim = stack.runtimes[0];
      if (victim === undefined) throw new Error('no runtime');
      await victim.kill('SIGKILL');
      await until(() => (stack?.runtimes[0] !== victim ? true : undefined), 30_000, 'runtime back');
      expect(events).toEqual([
        `path-restart-1 died (signal SIGKILL); restarting it on ${victim.address} (restart 1)`,
        expect.stringMatching(
          new RegExp(`^path-restart-1 is back on ${victim.address} \\(restart 1, pid \\d+\\)$`),
        ),
      ]);
      expect(stack.restarts(0)).toBe(1);
      expect(await statusOf(`http://${victim.address}/readyz`)).toBe(200);
      expect((await postWebhook(stack.nginxPort, { clientId: 'restarted', opportunity: {} })).status).toBe(
        202,
      );
    },
    KAFKA_START_TIMEOUT_MS + 60_000,
  );

  it('rejects an impossible upstream count before starting anything', async () => {
    await expect(startPath({ upstreams: 0 })).rejects.toThrow(
      'startPath: upstreams must be an integer 1..16, got 0',
    );
  });
});
