/**
 * `npm run local` as the README tells a user to run it (on ports the OS gave this test, and on the
 * test run's Kafka): NGINX in front of two runtimes, the README's curl gets a 202 that names the
 * runtime's correlation id; a runtime killed with SIGKILL is restarted on its address (a line says
 * so) while every request keeps getting 202 through NGINX; and Ctrl-C (SIGINT to the whole process
 * group, as a terminal sends it) stops every process it started and frees the ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { postWebhook } from '../../test/support/http';
import { ensureKafka, KAFKA_START_TIMEOUT_MS } from '../../test/support/kafka';
import { accepts, freePort, sleep, statusOf, until } from '../../test/support/wait';

jest.setTimeout(300_000);

const ROOT = resolve(__dirname, '..', '..');

describe('npm run local', () => {
  let child: ChildProcess;
  let output = '';
  let nginxPort: number;
  let runtimePorts: number[];

  const waitForOutput = (text: string | RegExp, timeoutMs: number): Promise<RegExpMatchArray | true> =>
    until(
      () => {
        if (typeof text === 'string') return output.includes(text) ? true : undefined;
        return output.match(text) ?? undefined;
      },
      timeoutMs,
      `output ${String(text)}`,
      50,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}:\n${output}`);
    });

  beforeAll(async () => {
    const { brokers } = await ensureKafka();
    nginxPort = await freePort();
    runtimePorts = [await freePort(), await freePort()];
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'scripts', 'local', 'local.ts'),
        '--port',
        String(nginxPort),
        '--runtime-ports',
        runtimePorts.join(','),
        '--brokers',
        brokers.join(','),
      ],
      {
        cwd: ROOT,
        detached: true, // its own process group, like a terminal job
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput('local: ready.', KAFKA_START_TIMEOUT_MS);
  }, KAFKA_START_TIMEOUT_MS + 60_000);

  afterAll(() => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  });

  it('warns loudly that signatures are not checked by default', () => {
    expect(output).toContain('WEBHOOK_VERIFY=none: signatures are NOT checked');
  });

  it('answers the README curl with 202 through NGINX, and prints NGINX access lines', async () => {
    expect(output).toContain(
      `curl -i -X POST http://127.0.0.1:${nginxPort}/webhook -H 'content-type: application/json'`,
    );
    const response = await postWebhook(nginxPort, {
      clientId: 'client-1',
      opportunity: { id: 'op-1', amount: 1200 },
    });
    const body = JSON.parse(response.body) as { status: string; correlationId: string };
    expect(response.status).toBe(202);
    expect(response.headers.server).toBe('nginx');
    expect(body.status).toBe('accepted');
    expect(response.headers['x-correlation-id']).toBe(body.correlationId);

    // NGINX's JSON access line for that request shows up in the output, tagged [nginx].
    const requestId = String(response.headers['x-request-id']);
    await waitForOutput(new RegExp(`\\[nginx\\] \\{"time".*"request_id":"${requestId}"`), 3000);
  });

  it('restarts a runtime killed with SIGKILL on its address while NGINX keeps answering 202', async () => {
    const match = await waitForOutput(/local: runtime-1 pid (\d+) on 127\.0\.0\.1:(\d+)/, 1000);
    const [, pid, port] = match as RegExpMatchArray;
    expect(Number(port)).toBe(runtimePorts[0]);
    process.kill(Number(pid), 'SIGKILL');
    // NGINX drops its idle connections to the dead runtime once it sees them closed.
    await sleep(300);

    const statuses: number[] = [];
    const back = `runtime-1 is back on 127.0.0.1:${port} (restart 1`;
    const deadline = Date.now() + 60_000;
    while (!output.includes(back) && Date.now() < deadline) {
      statuses.push((await postWebhook(nginxPort, { clientId: 'during-restart', opportunity: {} })).status);
      await sleep(50);
    }
    expect(output).toContain(
      `local: runtime-1 died (signal SIGKILL); restarting it on 127.0.0.1:${port} (restart 1)`,
    );
    expect(output).toContain(`local: ${back}`);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    // The restarted runtime is ready on the same address, and NGINX sends it work again.
    expect(await statusOf(`http://127.0.0.1:${port}/readyz`)).toBe(200);
    for (let i = 0; i < 6; i += 1) {
      expect((await postWebhook(nginxPort, { clientId: 'after-restart', opportunity: { i } })).status).toBe(
        202,
      );
    }
    expect(child.exitCode).toBeNull();
  });

  it('stops everything it started on Ctrl-C and frees its ports', async () => {
    const exited = new Promise<number | null>((resolveExit) =>
      child.once('exit', (code) => resolveExit(code)),
    );
    process.kill(-(child.pid ?? 0), 'SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('local: stopping nginx and the runtimes');
    expect(output).not.toContain('stopping the Kafka this command started');
    expect(output).not.toContain('restart 2');
    await sleep(500);
    for (const port of [nginxPort, ...runtimePorts]) expect(await accepts(port)).toBe(false);
  });
});
