/**
 * The proxy image's wiring matches what render.sh expects. hadolint over every Dockerfile is in
 * ./dockerfiles.int.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('nginx/Dockerfile', () => {
  const dockerfile = readFileSync(join(__dirname, '..', 'Dockerfile'), 'utf8');

  it('starts from a pinned unprivileged NGINX image and runs as a non-root user on 8080', () => {
    expect(dockerfile).toMatch(/^FROM nginxinc\/nginx-unprivileged:\d+\.\d+\.\d+-alpine$/m);
    expect(dockerfile).toMatch(/^USER 101$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
    expect(dockerfile).toMatch(/LISTEN_PORT=8080/);
  });

  it('installs render.sh as an entrypoint hook and the template where render.sh is told to look', () => {
    expect(dockerfile).toMatch(/COPY --chmod=0755 render\.sh \/docker-entrypoint\.d\/\d\d-[a-z-]+\.sh/);
    const template = /COPY --chmod=0644 nginx\.conf\.template (\S+)/.exec(dockerfile)?.[1];
    expect(dockerfile).toContain(`WEBHOOK_PROXY_TEMPLATE=${template ?? 'missing'}`);
    const conf = /WEBHOOK_PROXY_CONF=(\S+)/.exec(dockerfile)?.[1];
    expect(dockerfile).toContain(`CMD ["nginx", "-c", "${conf ?? 'missing'}", "-g", "daemon off;"]`);
  });
});
