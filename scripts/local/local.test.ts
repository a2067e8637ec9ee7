/**
 * `npm run local` as the README tells a user to run it: it brings up NGINX on 127.0.0.1:8080 in
 * front of two runtimes on 8001/8002 and the test Kafka, the README's curl gets a 202 that names the
 * runtime's correlation id, and Ctrl-C (SIGINT to the whole process group, as a terminal sends it)
 * stops every process it started and frees the ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { ensureKafka } from '../../test/kafka/ensure-kafka';

jest.setTimeout(300_000);

const ROOT = resolve(__dirname, '..', '..');

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePort(true);
    });
    socket.once('error', () => resolvePort(false));
  });
}

describe('npm run local', () => {
  let child: ChildProcess;
  let output = '';

  beforeAll(async () => {
    await ensureKafka(); // so "Ctrl-C" below never stops a broker other tests share
    child = spawn(process.execPath, [join(ROOT, 'scripts', 'local', 'local.mjs')], {
      cwd: ROOT,
      detached: true, // its own process group, like a terminal job
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 240_000;
    while (!output.includes('local: ready.')) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`npm run local did not start:\n${output}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    }
  });

  afterAll(() => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  });

  it('warns loudly that signatures are not checked by default', () => {
    expect(output).toContain('WEBHOOK_VERIFY=none: signatures are NOT checked');
  });

  it('answers the README curl with 202 through NGINX on 127.0.0.1:8080', async () => {
    expect(output).toContain(
      "curl -i -X POST http://127.0.0.1:8080/webhook -H 'content-type: application/json'",
    );
    const response = await fetch('http://127.0.0.1:8080/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'client-1', opportunity: { id: 'op-1', amount: 1200 } }),
    });
    const body = (await response.json()) as { status: string; correlationId: string };
    expect(response.status).toBe(202);
    expect(response.headers.get('server')).toBe('nginx');
    expect(body.status).toBe('accepted');
    expect(response.headers.get('x-correlation-id')).toBe(body.correlationId);

    // NGINX's JSON access line for that request shows up in the output, tagged [nginx].
    const requestId = response.headers.get('x-request-id') ?? 'missing';
    const deadline = Date.now() + 3000;
    while (!output.includes(`[nginx] {"time"`) || !output.includes(`"request_id":"${requestId}"`)) {
      if (Date.now() > deadline) throw new Error(`no access-log line for ${requestId}:\n${output}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
  });

  it('stops everything it started on Ctrl-C and frees 8080, 8001 and 8002', async () => {
    const exited = new Promise<number | null>((resolveExit) =>
      child.once('exit', (code) => resolveExit(code)),
    );
    process.kill(-(child.pid ?? 0), 'SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('local: stopping nginx and the runtimes');
    expect(output).not.toContain('stopping the Kafka this script started');
    await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    for (const port of [8080, 8001, 8002]) expect(await portAnswers(port)).toBe(false);
  });
});
