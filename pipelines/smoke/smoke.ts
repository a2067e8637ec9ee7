/**
 * The post-deployment smoke test: POST one signed webhook `{clientId, opportunity}` to the
 * environment's public endpoint and require 202 (the runtime answers 202 only once the broker has
 * acknowledged the message, so a 202 proves gateway → proxy → runtime → bus end to end).
 *
 * A fresh deployment may take a while to serve: 5xx, 408, 429 and network errors are retried with
 * a growing pause until the deadline. Any other 4xx fails at once: a rejected signature or payload
 * will not fix itself. Each attempt is re-signed (fresh timestamp), with the same `webhook-id`.
 */
import { randomUUID } from 'node:crypto';
import { signStandardWebhook } from './sign';

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
  /** Progress lines (the pipeline log). @default - discarded */
  readonly log?: (line: string) => void;
}

export interface SmokeResult {
  readonly ok: boolean;
  readonly attempts: number;
  readonly status?: number;
  readonly detail: string;
}

const retryable = (status: number): boolean => status >= 500 || status === 408 || status === 429;

export async function runSmokeTest(options: SmokeOptions): Promise<SmokeResult> {
  const deadline = Date.now() + (options.deadlineMs ?? 300_000);
  const log = options.log ?? (() => undefined);
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
      const res = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? 15_000),
      });
      const text = (await res.text()).slice(0, 500);
      if (res.status === 202) return { ok: true, attempts, status: 202, detail: text };
      last = { ok: false, attempts, status: res.status, detail: text };
      log(`attempt ${attempts}: HTTP ${res.status} ${text}`);
      if (!retryable(res.status)) return last;
    } catch (e) {
      last = { ok: false, attempts, detail: (e as Error).message };
      log(`attempt ${attempts}: ${(e as Error).message}`);
    }
    const pause = Math.min(backoff, Math.max(0, deadline - Date.now()));
    if (pause <= 0) break;
    await new Promise((r) => setTimeout(r, pause));
    backoff = Math.min(backoff * 2, 30_000);
  }
  return last;
}
