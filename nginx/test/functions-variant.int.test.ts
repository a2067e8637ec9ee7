/**
 * The Azure Functions Premium variant: host.json declares NGINX (through start-nginx.sh) as the
 * custom handler with forwarded HTTP requests, function.json keeps the seed's binding, and the
 * handler script — run here exactly as the Functions host runs it, with FUNCTIONS_CUSTOMHANDLER_PORT
 * set — renders a config that passes `nginx -t` and behaves like the container image.
 * The Functions host itself cannot run here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { postWebhook, send, startRecordingUpstream, type RecordingUpstream } from '../../test/support/http';
import { makeRunDir, NGINX_DIR, nginxBinary, nginxTest } from '../../test/support/nginx';
import { freePort, sleep } from '../../test/support/wait';

const FUNCTION_DIR = join(NGINX_DIR, 'azure-function');
const START_SCRIPT = join(FUNCTION_DIR, 'start-nginx.sh');

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

interface FunctionRoute {
  readonly name: string;
  /** The URL path the Functions host serves: routePrefix "" + (binding route ?? function name). */
  readonly path: string;
  readonly methods: string[];
  readonly authLevel: string;
}

interface HttpTriggerBinding {
  type?: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
}

/** Every function folder next to host.json (a folder holding function.json), as the host routes it. */
function functionRoutes(): FunctionRoute[] {
  const host = readJson(join(FUNCTION_DIR, 'host.json')) as {
    extensions?: { http?: { routePrefix?: string } };
  };
  const prefix = host.extensions?.http?.routePrefix ?? 'api';
  return readdirSync(FUNCTION_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(FUNCTION_DIR, entry.name, 'function.json')))
    .map((entry) => {
      const fn = readJson(join(FUNCTION_DIR, entry.name, 'function.json')) as {
        bindings?: HttpTriggerBinding[];
      };
      const trigger = fn.bindings?.find((binding) => binding.type === 'httpTrigger');
      if (!trigger) throw new Error(`${entry.name}/function.json has no httpTrigger binding`);
      const route = trigger.route ?? entry.name;
      return {
        name: entry.name,
        path: `/${[prefix, route].filter((part) => part.length > 0).join('/')}`,
        methods: (trigger.methods ?? []).map((method) => method.toUpperCase()),
        authLevel: trigger.authLevel ?? 'function',
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('Functions app files', () => {
  it('host.json runs start-nginx.sh as the custom handler with HTTP requests forwarded as they are', () => {
    const host = readJson(join(FUNCTION_DIR, 'host.json'));
    expect(host).toMatchObject({
      version: '2.0',
      customHandler: {
        description: { defaultExecutablePath: 'start-nginx.sh' },
        enableForwardingHttpRequest: true,
      },
      // No /api prefix: NGINX sees /webhook, the same path as behind the gateway.
      extensions: { http: { routePrefix: '' } },
    });
    expect(statSync(START_SCRIPT).mode & 0o111).not.toBe(0);
  });

  it('has exactly the webhook and webhooks/{source} (POST) and healthz (GET) functions, all anonymous: the gateway sends no function key', () => {
    expect(functionRoutes()).toEqual([
      { name: 'healthz', path: '/healthz', methods: ['GET'], authLevel: 'anonymous' },
      { name: 'webhook', path: '/webhook', methods: ['POST'], authLevel: 'anonymous' },
      // Named sources: NGINX serves only the configured /webhooks/<name> and 404s the rest.
      { name: 'webhooks', path: '/webhooks/{source}', methods: ['POST'], authLevel: 'anonymous' },
    ]);
    for (const { name } of functionRoutes()) {
      const fn = readJson(join(FUNCTION_DIR, name, 'function.json'));
      expect(fn.bindings).toEqual([
        expect.objectContaining({ name: 'req', type: 'httpTrigger', direction: 'in' }),
        { name: '$return', type: 'http', direction: 'out' },
      ]);
    }
  });

  it('Dockerfile.functions copies every file the handler needs next to host.json', () => {
    const dockerfile = readFileSync(join(NGINX_DIR, 'Dockerfile.functions'), 'utf8');
    expect(dockerfile).toMatch(/^FROM mcr\.microsoft\.com\/azure-functions\//m);
    for (const file of [
      'host.json',
      ...functionRoutes().map(({ name }) => `${name}/function.json`),
      'start-nginx.sh',
      'render.sh',
      'nginx.conf.template',
    ]) {
      expect(dockerfile).toContain(` /home/site/wwwroot/${file}\n`);
    }
    expect(dockerfile).toMatch(/FUNCTIONS_WORKER_RUNTIME=custom/);
    expect(dockerfile).toMatch(/nginx-light/);
  });
});

describe('start-nginx.sh started the way the Functions host starts it', () => {
  let upstream: RecordingUpstream;
  let dir: string;
  let child: ChildProcess | undefined;
  let port: number;

  beforeAll(async () => {
    upstream = await startRecordingUpstream('runtime-a');
    dir = makeRunDir('webhook-functions-');
    port = await freePort();
    child = spawn('sh', [START_SCRIPT], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NGINX_BIN: nginxBinary(),
        WEBHOOK_PROXY_HOME: NGINX_DIR,
        FUNCTIONS_CUSTOMHANDLER_PORT: String(port),
        UPSTREAM_SERVERS: upstream.address,
        MAX_BODY_BYTES: '2048',
        WEBHOOK_SOURCES_NGINX: 'github',
        WORKER_PROCESSES: '1',
        NGINX_RUN_DIR: dir,
        ACCESS_LOG: join(dir, 'access.log'),
        ERROR_LOG: join(dir, 'error.log'),
      },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 5000;
    for (;;) {
      const up = await send(port, { path: '/healthz' }).then(
        (response) => response.status === 200,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error('the custom handler did not start');
      await sleep(25);
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolveExit) => child?.once('exit', resolveExit));
      child.kill('SIGQUIT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    await upstream.close();
  });

  it('execs NGINX itself (the supervised handler process is NGINX, not a shell)', () => {
    const pid = Number(readFileSync(join(dir, 'nginx.pid'), 'utf8').trim());
    expect(pid).toBe(child?.pid);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/^nginx: master process/);
  });

  it('rendered a config into its run directory from the same template, and nginx -t accepts it', async () => {
    expect(await nginxTest(dir, join(dir, 'nginx.conf'))).toContain('test is successful');
    const conf = readFileSync(join(dir, 'nginx.conf'), 'utf8');
    expect(conf).toContain(`listen 127.0.0.1:${port} default_server;`);
    expect(conf).toContain('set_real_ip_from 127.0.0.1/32;');
    expect(conf).toContain('client_max_body_size 2048;');
  });

  it('forwards POST /webhook with the client address from the Functions front end', async () => {
    const response = await postWebhook(port, undefined, { 'x-forwarded-for': '203.0.113.20' });
    expect(response.status).toBe(202);
    expect(upstream.received.at(-1)?.headers['x-real-ip']).toBe('203.0.113.20');
    expect(upstream.received.at(-1)?.headers['x-request-id']).toBe(response.headers['x-request-id']);
  });

  it("serves every function's route and methods (the host forwards them as they are) — none falls to 404/405", async () => {
    const routes = functionRoutes();
    // The gateway probe and the function app's health_check_path both use GET /healthz.
    expect(routes.map(({ path }) => path)).toEqual(expect.arrayContaining(['/healthz', '/webhook']));
    for (const { path: route, methods } of routes) {
      // A route parameter takes a configured value: the source named in WEBHOOK_SOURCES_NGINX.
      const path = route.replace('{source}', 'github');
      for (const method of methods) {
        const before = upstream.received.length;
        const response = await send(port, {
          method,
          path,
          headers: { 'content-type': 'application/json' },
          ...(method === 'POST' ? { body: '{"clientId":"c","opportunity":{}}' } : {}),
        });
        expect({ method, path, status: response.status }).toEqual({
          method,
          path,
          status: path === '/healthz' ? 200 : 202,
        });
        // /healthz is NGINX's own answer; /webhook and /webhooks/github reached the runtime.
        expect(upstream.received.length - before).toBe(path === '/healthz' ? 0 : 1);
      }
    }
  });

  it('answers like the container image: 405 with Allow, 404, 413, /healthz', async () => {
    const before = upstream.received.length;
    const wrongMethod = await send(port, { path: '/webhook' });
    expect([wrongMethod.status, wrongMethod.headers.allow]).toEqual([405, 'POST']);
    expect((await send(port, { method: 'POST', path: '/api/webhook', body: '{}' })).status).toBe(404);
    const big = await send(port, { method: 'POST', path: '/webhook', body: 'x'.repeat(4096) });
    expect(big.status).toBe(413);
    expect(upstream.received.length).toBe(before);
    expect(existsSync(join(dir, 'access.log'))).toBe(true);
  });
});

describe('start-nginx.sh without the Functions host', () => {
  it('fails naming FUNCTIONS_CUSTOMHANDLER_PORT when it is not set', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolveRun) => {
      const run = spawn('sh', [START_SCRIPT], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', UPSTREAM_SERVERS: '127.0.0.1:1' },
      });
      let stderr = '';
      run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      run.on('exit', (code) => resolveRun({ code, stderr }));
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('FUNCTIONS_CUSTOMHANDLER_PORT is not set');
  });
});
