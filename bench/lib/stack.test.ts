import { postWebhook, send } from '../../nginx/test/support/http';
import { KAFKA_START_TIMEOUT_MS } from '../../test/kafka/ensure-kafka';
import { readTopic } from '../../test/kafka/topic';
import { startStack, type Stack } from './stack';

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

describe('startStack', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it(
    'runs NGINX in front of two real runtimes on Kafka: a 202 is on the topic, and stop() leaves no process',
    async () => {
      stack = await startStack({ name: 'stack-test' });
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
      stack = await startStack({
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

  it('rejects an impossible upstream count before starting anything', async () => {
    await expect(startStack({ upstreams: 0 })).rejects.toThrow('upstreams must be an integer 1..16, got 0');
  });
});
