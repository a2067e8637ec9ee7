/**
 * The contract between the ProxyTier and the NGINX image it runs (nginx/): the environment
 * variables (application settings on Functions Premium) the tier sets and the port NGINX listens
 * on; its probe routes are the runtime's (PROBE_PATHS, runtime/src/contract.ts). NGINX's side is
 * shell and a template, so the source of truth there is nginx/render.sh itself:
 * test/stacks/contract.test.ts reads render.sh's list of accepted variables and its defaults, the
 * Dockerfile and the template, and fails when the two sides part.
 */

/** Variables the ProxyTier may set; each is one nginx/render.sh reads (defaults and rules there). */
export const PROXY_ENV_NAMES = [
  'UPSTREAM_SERVERS',
  'UPSTREAM_HOST_HEADER',
  'MAX_BODY_BYTES',
  'TRUSTED_PROXY_CIDR',
  // Named sources: `name` or `name:rps:burst`, space-separated (one route and zone each).
  'WEBHOOK_SOURCES_NGINX',
] as const;
/** A variable name the NGINX image reads (`PROXY_ENV_NAMES`). */
export type ProxyEnvName = (typeof PROXY_ENV_NAMES)[number];

/** The proxy's environment as the ProxyTier writes it: only names render.sh reads. */
export type ProxyEnvironment = { [K in ProxyEnvName]?: string };

/** Port the NGINX image listens on (render.sh's LISTEN_PORT default, nginx/Dockerfile). */
export const PROXY_PORT = 8080;
