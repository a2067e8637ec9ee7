/**
 * HTTP helpers for the harness's users (proxy tests, benchmarks, fault scenarios): a raw
 * `node:http` client (full control over Host, X-Forwarded-For and chunked bodies) and a small real
 * upstream that records every request it receives — an honest test upstream for what NGINX
 * forwards, not a stand-in for the runtime.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length). */
  readonly chunked?: boolean;
}

/** One request over a fresh connection (agent: false), so tests never share keep-alive state. */
export function send(port: number, options: RequestOptions = {}): Promise<HttpResponse> {
  return new Promise((resolveResponse, reject) => {
    const body = options.body;
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined && !options.chunked) headers['content-length'] = String(Buffer.byteLength(body));
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolveResponse({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A webhook POST with a JSON body in the runtime's contract shape. */
export function postWebhook(
  port: number,
  payload: unknown = { clientId: 'client-1', opportunity: { id: 'op-1' } },
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  return send(port, {
    method: 'POST',
    path: '/webhook',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly remotePort: number;
}

/**
 * What the recording upstream does with a request once it has read the whole body:
 * `answer` (default) replies `status` (default 202) with JSON; `reset` destroys the socket without a reply (a runtime
 * that died after the request reached it); `delay` answers after `ms`.
 */
export type UpstreamBehaviour =
  { kind: 'answer'; status?: number } | { kind: 'reset' } | { kind: 'delay'; ms: number };

export interface RecordingUpstream {
  readonly port: number;
  readonly address: string;
  readonly received: RecordedRequest[];
  behaviour: UpstreamBehaviour;
  close(): Promise<void>;
}

export async function startRecordingUpstream(
  name: string,
  behaviour: UpstreamBehaviour = { kind: 'answer' },
): Promise<RecordingUpstream> {
  const received: RecordedRequest[] = [];
  const state = { behaviour };
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        remotePort: req.socket.remotePort ?? 0,
      });
      const current = state.behaviour;
      const reply = (): void => {
        const status = current.kind === 'answer' ? (current.status ?? 202) : 202;
        res.writeHead(status, { 'content-type': 'application/json', 'x-upstream': name });
        res.end(JSON.stringify({ status, upstream: name }));
      };
      if (current.kind === 'reset') req.socket.destroy();
      else if (current.kind === 'delay') {
        const timer = setTimeout(() => {
          timers.delete(timer);
          reply();
        }, current.ms);
        timers.add(timer);
      } else reply();
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    received,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(next: UpstreamBehaviour) {
      state.behaviour = next;
    },
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

/**
 * Writes `raw` bytes as they are (malformed request lines, conflicting framing…) over a fresh
 * connection and parses NGINX's answer: these are requests node:http would refuse to send.
 */
export function sendRaw(port: number, raw: string): Promise<HttpResponse> {
  return new Promise((resolveResponse, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(raw));
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) {
        reject(new Error(`no HTTP response: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
      const headers: IncomingHttpHeaders = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolveResponse({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
        headers,
        body: text.slice(split + 4),
      });
    });
  });
}

/** An answer with a JSON body, as `fetch` gives it, and how long it took. */
export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly elapsedMs: number;
}

/** POSTs `payload` as JSON to `url` with `fetch` (keep-alive) and parses the JSON answer. */
export async function postJson(
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const started = Date.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, headers: res.headers, body, elapsedMs: Date.now() - started };
}
