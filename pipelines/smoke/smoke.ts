/**
 * The post-deployment smoke test: POST one signed webhook `{clientId, opportunity}` to the
 * environment's public endpoint and require 202 (the runtime answers 202 only once the broker has
 * acknowledged the message, so a 202 proves gateway → proxy → runtime → bus end to end).
 *
 * A fresh deployment may take a while to serve: 5xx, 408, 429 and network errors are retried with
 * a growing pause until the deadline. Any other 4xx fails at once: a rejected signature or payload
 * will not fix itself. Each attempt is re-signed (fresh timestamp), with the same `webhook-id`.
 *
 * TLS is always verified. Two options make that possible before the environment is public:
 * `ca` trusts a given certificate (dev's self-signed gateway certificate, downloaded from Key
 * Vault) instead of the system CAs, and `resolve` connects to a given address for the URL's host
 * (like curl's --resolve), so the gateway is tested by its IP while SNI, certificate name check and
 * Host header still use the host name, whether or not DNS points there yet.
 */
import { randomUUID } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { parseSecretList } from '../../runtime/src/verify/secrets';
import { signStandardWebhook } from './sign';

/** Connect to `address` for `host` (and `port`, when given), like curl's `--resolve`. */
export interface ResolveOverride {
  readonly host: string;
  /** @default - any port */
  readonly port?: number;
  /** An IPv4 or IPv6 address. */
  readonly address: string;
}

export interface SmokeOptions {
  readonly url: string;
  /** Standard Webhooks secret (`whsec_<base64>`), the one the environment's runtime verifies. */
  readonly secret: string;
  readonly clientId: string;
  /** Give up after this long. @default 300_000 */
  readonly deadlineMs?: number;
  /** Timeout of one request. @default 15_000 */
  readonly requestTimeoutMs?: number;
  /** First pause between attempts, doubled up to 30 s. @default 2_000 */
  readonly initialBackoffMs?: number;
  /** PEM certificate(s) trusted instead of the system CAs (https only). @default - the system CAs */
  readonly ca?: string | Buffer;
  /** Where to connect for the URL's host. @default - DNS */
  readonly resolve?: ResolveOverride;
  /** Progress lines (the pipeline log). @default - discarded */
  readonly log?: (line: string) => void;
}

export interface SmokeResult {
  readonly ok: boolean;
  readonly attempts: number;
  readonly status?: number;
  readonly detail: string;
}

/**
 * Parses curl's `--resolve` syntax: `<host>:<port>:<address>` or, for any port, `<host>:<address>`
 * (an IPv6 address in brackets). Throws a message naming the expected form.
 */
export function parseResolve(text: string): ResolveOverride {
  const m = /^([^:[\]\s]+):(?:(\d{1,5}):)?(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+)$/.exec(text);
  const address = m?.[3]?.replace(/^\[(.*)\]$/, '$1');
  const port = m?.[2] === undefined ? undefined : Number(m[2]);
  if (!m?.[1] || !address || isIP(address) === 0 || (port !== undefined && (port < 1 || port > 65535))) {
    throw new Error(
      `--resolve must be <host>:<address> or <host>:<port>:<address> with an IP address; received "${text}"`,
    );
  }
  return port === undefined ? { host: m[1], address } : { host: m[1], port, address };
}

const defaultPort = (url: URL): number =>
  url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;

/** A `lookup` for http(s).request that answers the override's address for its host and port. */
function lookupFor(url: URL, resolve: ResolveOverride | undefined): LookupFunction | undefined {
  if (!resolve) return undefined;
  if (resolve.host.toLowerCase() !== url.hostname.toLowerCase()) return undefined;
  if (resolve.port !== undefined && resolve.port !== defaultPort(url)) return undefined;
  const family = isIP(resolve.address);
  return (hostname: string, options: LookupOptions, callback) => {
    if (hostname.toLowerCase() !== resolve.host.toLowerCase()) {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) =>
        options.all
          ? callback(err, addresses)
          : callback(err, addresses[0]?.address ?? '', addresses[0]?.family),
      );
      return;
    }
    // Node asks for every address (`all`) when it may race IPv4 and IPv6 (autoSelectFamily).
    if (options.all) callback(null, [{ address: resolve.address, family }]);
    else callback(null, resolve.address, family);
  };
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: SmokeOptions,
): Promise<Answer> {
  const common = {
    method: 'POST',
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    lookup: lookupFor(url, options.resolve),
    signal: AbortSignal.timeout(options.requestTimeoutMs ?? 15_000),
    // A fresh connection per attempt: a retry must not reuse a socket to a gateway that failed.
    agent: false as const,
  };
  return new Promise<Answer>((resolve, reject) => {
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, 500) }),
      );
    };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(
            url,
            { ...common, ...(options.ca === undefined ? {} : { ca: options.ca }) },
            onResponse,
          )
        : httpRequest(url, common, onResponse);
    req.on('error', reject);
    req.end(body);
  });
}

const retryable = (status: number): boolean => status >= 500 || status === 408 || status === 429;

export async function runSmokeTest(options: SmokeOptions): Promise<SmokeResult> {
  const deadline = Date.now() + (options.deadlineMs ?? 300_000);
  const log = options.log ?? (() => undefined);
  const url = new URL(options.url);
  const id = `msg_smoke_${randomUUID()}`;
  const body = JSON.stringify({
    clientId: options.clientId,
    opportunity: { id, smokeTest: true, source: 'azure-pipelines' },
  });
  let backoff = options.initialBackoffMs ?? 2_000;
  let attempts = 0;
  let last: SmokeResult = { ok: false, attempts: 0, detail: 'no attempt made' };

  while (attempts === 0 || Date.now() < deadline) {
    attempts += 1;
    const headers = signStandardWebhook(options.secret, id, Math.floor(Date.now() / 1000), body);
    try {
      const res = await post(url, { 'content-type': 'application/json', ...headers }, body, options);
      if (res.status === 202) return { ok: true, attempts, status: 202, detail: res.text };
      last = { ok: false, attempts, status: res.status, detail: res.text };
      log(`attempt ${attempts}: HTTP ${res.status} ${res.text}`);
      if (!retryable(res.status)) return last;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const detail = err.code ? `${err.code}: ${err.message}` : err.message;
      last = { ok: false, attempts, detail };
      log(`attempt ${attempts}: ${detail}`);
    }
    const pause = Math.min(backoff, Math.max(0, deadline - Date.now()));
    if (pause <= 0) break;
    await new Promise((r) => setTimeout(r, pause));
    backoff = Math.min(backoff * 2, 30_000);
  }
  return last;
}

/**
 * The secret to sign with, from the Key Vault value the runtime reads (runtime/src/config.ts
 * WEBHOOK_SECRET): one secret, or during a rotation a JSON array whose first element is the new
 * one (README "Day 2"). Undefined when unset or not usable, so the caller says what is required.
 */
export function signingSecret(value: string | undefined): string | undefined {
  const first = value === undefined ? undefined : parseSecretList(value)?.[0];
  return first === '' ? undefined : first;
}
