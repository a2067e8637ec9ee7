/**
 * nginx/render.sh + nginx.conf.template: the rendered file passes the real `nginx -t` (so Debian's
 * nginx-light has every module the template uses), carries the directives, and bad input
 * stops the render with a message naming the variable.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeRunDir, nginxTest, render, RENDER_SCRIPT, TEMPLATE } from '../../test/support/nginx';

const execFileAsync = promisify(execFile);

describe('render.sh', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeRunDir('webhook-render-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const base = (): Record<string, string> => ({
    UPSTREAM_SERVERS: 'runtime1:8000 runtime2:8000',
    NGINX_RUN_DIR: dir,
    ACCESS_LOG: join(dir, 'access.log'),
    ERROR_LOG: join(dir, 'error.log'),
  });

  async function renderOk(env: Record<string, string>): Promise<string> {
    const confPath = join(dir, 'nginx.conf');
    const result = await render(env, confPath);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return readFileSync(confPath, 'utf8');
  }

  async function renderFails(env: Record<string, string>): Promise<string> {
    const result = await render(env, join(dir, 'nginx.conf'));
    expect(result.code).toBe(1);
    return result.stderr;
  }

  describe('a valid environment', () => {
    it('renders a config that the real nginx -t accepts (defaults for everything but the upstreams)', async () => {
      // Host names must resolve for nginx -t: use loopback addresses here.
      await renderOk({ ...base(), UPSTREAM_SERVERS: '127.0.0.1:8001 127.0.0.1:8002' });
      const output = await nginxTest(dir, join(dir, 'nginx.conf'));
      expect(output).toContain('syntax is ok');
      expect(output).toContain('test is successful');
    });

    it('writes one server line per UPSTREAM_SERVERS entry, space- or comma-separated, under least_conn', async () => {
      const conf = await renderOk({
        ...base(),
        UPSTREAM_SERVERS: 'runtime1:8000, runtime2:8000,10.1.2.3:9000',
      });
      const upstream = /upstream webhook_runtimes \{([\s\S]*?)\n {4}\}/.exec(conf)?.[1] ?? '';
      expect(upstream).toContain('least_conn;');
      expect(upstream.match(/^\s+server [^\s;]+/gm)?.map((line) => line.trim())).toEqual([
        'server runtime1:8000',
        'server runtime2:8000',
        'server 10.1.2.3:9000',
      ]);
      expect(upstream).toMatch(/keepalive 32;/);
    });

    it('sets client_max_body_size to MAX_BODY_BYTES (the runtime limit)', async () => {
      const conf = await renderOk({ ...base(), MAX_BODY_BYTES: '262144' });
      expect(conf).toMatch(/^\s+client_max_body_size 262144;$/m);
    });

    it('keeps upstream keep-alive on: HTTP/1.1 and an empty Connection header', async () => {
      const conf = await renderOk(base());
      expect(conf).toMatch(/^\s+proxy_http_version 1\.1;$/m);
      expect(conf).toMatch(/^\s+proxy_set_header Connection "";$/m);
    });

    it('retries on another runtime only for error/timeout and never declares POST retryable (no non_idempotent)', async () => {
      const conf = await renderOk(base());
      expect(conf.match(/^\s*proxy_next_upstream .*$/gm)?.map((line) => line.trim())).toEqual([
        'proxy_next_upstream error timeout;', // server level: what POST /webhook inherits
        'proxy_next_upstream error timeout http_503;', // location = /readyz only (a GET)
      ]);
      const webhook = /location = \/webhook \{[\s\S]*?\n {8}\}/.exec(conf)?.[0] ?? 'missing';
      expect(webhook).toContain('proxy_pass http://webhook_runtimes;');
      expect(webhook).not.toContain('proxy_next_upstream');
      expect(conf).not.toMatch(/^[^#]*non_idempotent/m);
    });

    it('believes X-Forwarded-For only from TRUSTED_PROXY_CIDR entries', async () => {
      const trusted = await renderOk({ ...base(), TRUSTED_PROXY_CIDR: '10.0.1.0/24,10.0.2.0/24' });
      expect(trusted.match(/^\s+set_real_ip_from .*$/gm)?.map((line) => line.trim())).toEqual([
        'set_real_ip_from 10.0.1.0/24;',
        'set_real_ip_from 10.0.2.0/24;',
      ]);
      const untrusted = await renderOk(base());
      expect(untrusted).not.toMatch(/^\s+set_real_ip_from/m);
    });

    it('leaves NGINX variables alone and no placeholder behind', async () => {
      const conf = await renderOk(base());
      expect(conf).toContain('$remote_addr');
      expect(conf).toContain('$webhook_request_id');
      expect(conf).not.toMatch(/\$\{[A-Z_]+\}/);
      expect(conf).toMatch(/^\s+server_tokens off;$/m);
    });

    it("sends the client's Host upstream unless UPSTREAM_HOST_HEADER names the runtime's host", async () => {
      expect(await renderOk(base())).toMatch(/^\s+proxy_set_header Host \$host;$/m);
      const conf = await renderOk({
        ...base(),
        UPSTREAM_SERVERS: '127.0.0.1:80',
        UPSTREAM_HOST_HEADER: 'webhook-runtime.internal.example.azurecontainerapps.io',
      });
      expect(conf).toMatch(
        /^\s+proxy_set_header Host webhook-runtime\.internal\.example\.azurecontainerapps\.io;$/m,
      );
      expect(conf).toMatch(/^\s+proxy_set_header X-Forwarded-Host \$host;$/m);
      expect(await nginxTest(dir, join(dir, 'nginx.conf'))).toContain('test is successful');
    });

    it("renders one exact location and one own limit_req_zone per WEBHOOK_SOURCES_NGINX entry, rate and burst defaulting to the tier's", async () => {
      const conf = await renderOk({
        ...base(),
        UPSTREAM_SERVERS: '127.0.0.1:8001',
        RATE_LIMIT_RPS: '40',
        RATE_LIMIT_BURST: '80',
        WEBHOOK_SOURCES_NGINX: 'github:100:200  stripe\tmy-crm:5:1',
      });
      expect(conf.match(/^\s+limit_req_zone .*$/gm)?.map((line) => line.trim())).toEqual([
        'limit_req_zone $binary_remote_addr zone=webhook_per_client:10m rate=40r/s;',
        'limit_req_zone $binary_remote_addr zone=webhook_source_github:1m rate=100r/s;',
        'limit_req_zone $binary_remote_addr zone=webhook_source_stripe:1m rate=40r/s;',
        'limit_req_zone $binary_remote_addr zone=webhook_source_my_crm:1m rate=5r/s;',
      ]);
      const location = (name: string) =>
        new RegExp(`location = /webhooks/${name} \\{[\\s\\S]*?\\n {8}\\}`).exec(conf)?.[0] ?? 'missing';
      expect(location('github')).toContain('limit_req zone=webhook_source_github burst=200 nodelay;');
      expect(location('stripe')).toContain('limit_req zone=webhook_source_stripe burst=80 nodelay;');
      expect(location('my-crm')).toContain('limit_req zone=webhook_source_my_crm burst=1 nodelay;');
      // Forwarded exactly like /webhook: same upstream, same exact-path and method checks.
      const webhook = /location = \/webhook \{[\s\S]*?\n {8}\}/.exec(conf)?.[0] ?? 'missing';
      const shape = (block: string) =>
        block
          .split('\n')
          .slice(1)
          .join('\n')
          .replace(/zone=\S+ burst=\d+/, 'ZONE');
      for (const name of ['github', 'stripe', 'my-crm']) expect(shape(location(name))).toBe(shape(webhook));
      expect(await nginxTest(dir, join(dir, 'nginx.conf'))).toContain('test is successful');
    });

    it('renders no source route without WEBHOOK_SOURCES_NGINX', async () => {
      const conf = await renderOk(base());
      expect(conf).not.toMatch(/location = \/webhooks\//);
      expect(conf).not.toMatch(/zone=webhook_source_/);
    });

    it('keeps every timeout under the senders 5 s limit by default', async () => {
      const conf = await renderOk(base());
      expect(conf).toMatch(/proxy_read_timeout 4500ms;/);
      expect(conf).toMatch(/proxy_connect_timeout 1s;/);
      expect(conf).toMatch(/client_body_timeout 3s;/);
    });
  });

  describe('portability', () => {
    it("renders the same file under BusyBox sh and tools (the Alpine image's userland) as under dash/GNU", async () => {
      // Only BusyBox applets (and gettext's envsubst, which the image ships) on PATH.
      const bin = mkdtempSync(join(tmpdir(), 'webhook-busybox-'));
      const { stdout: busybox } = await execFileAsync('sh', ['-c', 'command -v busybox']);
      for (const applet of ['sh', 'tr', 'grep', 'mkdir', 'rm', 'mv'])
        symlinkSync(busybox.trim(), join(bin, applet));
      const { stdout: envsubst } = await execFileAsync('sh', ['-c', 'command -v envsubst']);
      symlinkSync(envsubst.trim(), join(bin, 'envsubst'));
      try {
        const env = {
          ...base(),
          UPSTREAM_SERVERS: 'runtime1:8000, runtime2:8000',
          TRUSTED_PROXY_CIDR: '10.0.1.0/24',
          UPSTREAM_HOST_HEADER: 'webhook-runtime.internal.example.azurecontainerapps.io',
          WEBHOOK_SOURCES_NGINX: 'github:100:200 stripe my-crm:5:10',
        };
        const busyboxConf = join(dir, 'busybox.conf');
        await execFileAsync(join(bin, 'sh'), [RENDER_SCRIPT, TEMPLATE, busyboxConf], {
          env: { ...env, PATH: bin },
        });
        const reference = await renderOk(env);
        expect(readFileSync(busyboxConf, 'utf8')).toBe(reference);

        const bad = await execFileAsync(join(bin, 'sh'), [RENDER_SCRIPT, TEMPLATE, busyboxConf], {
          env: { ...env, PATH: bin, LISTEN_PORT: '80a' },
        }).then(
          () => 'exit 0',
          (error: { stderr?: string }) => error.stderr ?? '',
        );
        expect(bad).toContain("LISTEN_PORT must be an integer from 1 to 65535 (got '80a')");

        const badSource = await execFileAsync(join(bin, 'sh'), [RENDER_SCRIPT, TEMPLATE, busyboxConf], {
          env: { ...env, PATH: bin, WEBHOOK_SOURCES_NGINX: 'github stripe:fast:10' },
        }).then(
          () => 'exit 0',
          (error: { stderr?: string }) => error.stderr ?? '',
        );
        expect(badSource).toContain(
          "WEBHOOK_SOURCES_NGINX rps of 'stripe:fast:10' must be an integer from 1 to 100000 (got 'fast')",
        );
      } finally {
        rmSync(bin, { recursive: true, force: true });
      }
    });
  });

  describe('invalid input fails the render naming the variable', () => {
    it('fails if UPSTREAM_SERVERS is missing', async () => {
      const { UPSTREAM_SERVERS: _omitted, ...env } = base();
      expect(await renderFails(env)).toMatch(/UPSTREAM_SERVERS is required.*got ''/);
    });

    it('fails if an upstream entry has no port', async () => {
      expect(await renderFails({ ...base(), UPSTREAM_SERVERS: 'runtime1:8000 runtime2' })).toMatch(
        /UPSTREAM_SERVERS entries must be host:port.*got 'runtime2'/,
      );
    });

    it('fails if an upstream port is out of range', async () => {
      expect(await renderFails({ ...base(), UPSTREAM_SERVERS: 'runtime1:70000' })).toMatch(
        /port of 'runtime1:70000' must be an integer from 1 to 65535 \(got '70000'\)/,
      );
    });

    it('fails if UPSTREAM_HOST_HEADER is not a DNS name (it would be pasted into proxy_set_header)', async () => {
      for (const bad of ['runtime.internal; return 200', 'a b', '$http_host', '"quoted"', '.leading.dot']) {
        expect(await renderFails({ ...base(), UPSTREAM_HOST_HEADER: bad })).toContain(
          `UPSTREAM_HOST_HEADER must be a DNS name with an optional :port, e.g. 'webhook-runtime.internal.example.azurecontainerapps.io' (got '${bad}')`,
        );
      }
      expect(await renderFails({ ...base(), UPSTREAM_HOST_HEADER: 'runtime.internal:' })).toContain(
        "UPSTREAM_HOST_HEADER port of 'runtime.internal:' must be an integer from 1 to 65535 (got '')",
      );
      expect(await renderFails({ ...base(), UPSTREAM_HOST_HEADER: 'runtime.internal:99999' })).toMatch(
        /UPSTREAM_HOST_HEADER port of 'runtime.internal:99999' must be an integer from 1 to 65535 \(got '99999'\)/,
      );
    });

    it('fails if MAX_BODY_BYTES is not a byte count', async () => {
      expect(await renderFails({ ...base(), MAX_BODY_BYTES: '1m' })).toMatch(
        /MAX_BODY_BYTES must be an integer from 1 to 104857600 \(got '1m'\)/,
      );
    });

    it('fails if PROXY_READ_TIMEOUT reaches the 5 s sender timeout', async () => {
      expect(await renderFails({ ...base(), PROXY_READ_TIMEOUT: '5s' })).toMatch(
        /PROXY_READ_TIMEOUT must be a duration .* at most 4999ms \(got '5s'\)/,
      );
    });

    it('fails if TRUSTED_PROXY_CIDR holds something that is not an address', async () => {
      expect(await renderFails({ ...base(), TRUSTED_PROXY_CIDR: '10.0.0.0/8 all' })).toMatch(
        /TRUSTED_PROXY_CIDR entries must be IP addresses or CIDR ranges .*got 'all'/,
      );
    });

    it('fails if RATE_LIMIT_BURST is zero (NGINX would refuse burst=0 at start)', async () => {
      expect(await renderFails({ ...base(), RATE_LIMIT_BURST: '0' })).toMatch(
        /RATE_LIMIT_BURST must be an integer from 1 to 100000 \(got '0'\)/,
      );
    });

    it('fails if RATE_LIMIT_RPS is zero', async () => {
      expect(await renderFails({ ...base(), RATE_LIMIT_RPS: '0' })).toMatch(
        /RATE_LIMIT_RPS must be an integer from 1 to 100000 \(got '0'\)/,
      );
    });

    it.each([
      ['an upper-case name', 'GitHub', "(got 'GitHub')"],
      ['an underscore', 'git_hub', "(got 'git_hub')"],
      ['a leading hyphen', '-github', "(got '-github')"],
      ['a name over 32 characters', 'a'.repeat(33), `(got '${'a'.repeat(33)}')`],
      ['a directive smuggled in the name', 'github;return', "(got 'github;return')"],
      ['a glob', '*', "(got '*')"],
      ['a rate without a burst', 'github:100', "(got 'github:100')"],
      ['a fourth field', 'github:1:2:3', "(got 'github:1:2:3')"],
    ])('fails if a WEBHOOK_SOURCES_NGINX entry has %s', async (_, value, got) => {
      const stderr = await renderFails({ ...base(), WEBHOOK_SOURCES_NGINX: `stripe ${value}` });
      expect(stderr).toContain(
        `WEBHOOK_SOURCES_NGINX entries must be name or name:rps:burst, the name 1-32 of a-z, 0-9 and '-' not starting with '-', e.g. 'github:100:200 stripe' ${got}`,
      );
    });

    it('fails if a WEBHOOK_SOURCES_NGINX rate or burst is out of range, or a name repeats', async () => {
      expect(await renderFails({ ...base(), WEBHOOK_SOURCES_NGINX: 'github:0:10' })).toContain(
        "WEBHOOK_SOURCES_NGINX rps of 'github:0:10' must be an integer from 1 to 100000 (got '0')",
      );
      // NGINX itself refuses burst=0 ("invalid burst value"), so render.sh does first.
      expect(await renderFails({ ...base(), WEBHOOK_SOURCES_NGINX: 'github:10:0' })).toContain(
        "WEBHOOK_SOURCES_NGINX burst of 'github:10:0' must be an integer from 1 to 100000 (got '0')",
      );
      expect(await renderFails({ ...base(), WEBHOOK_SOURCES_NGINX: 'github stripe github:5:5' })).toContain(
        "WEBHOOK_SOURCES_NGINX names each source once (got 'github' twice)",
      );
    });

    it('fails if a log path could inject NGINX directives', async () => {
      expect(await renderFails({ ...base(), ACCESS_LOG: '/tmp/a.log; include /etc/passwd' })).toMatch(
        /ACCESS_LOG.*without spaces/,
      );
    });
  });
});
