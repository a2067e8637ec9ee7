/**
 * A signature scheme checks the raw request bytes before anything parses them. It is built once
 * from the configured secrets (rotation: any secret may match) and is synchronous: HMAC over a
 * body already in memory is micro-seconds of work.
 */
export interface VerifyRequest {
  /** Case-insensitive header lookup. */
  header(name: string): string | undefined;
  /** The exact bytes received: signatures are computed over these, never over re-serialised JSON. */
  readonly rawBody: Buffer;
  /** Current time in milliseconds (injected for tests). */
  readonly now: number;
}

export type VerifyResult =
  { readonly ok: true; readonly deliveryId?: string } | { readonly ok: false; readonly reason: string };

export interface Verifier {
  readonly scheme: string;
  verify(request: VerifyRequest): VerifyResult;
  /** Schemes whose delivery id lives in the body (Stripe `event.id`) read it from the parsed JSON. */
  deliveryIdFromBody?(body: Record<string, unknown>): string | undefined;
}

/** ±5 minutes for timestamped schemes (Standard Webhooks reference libraries, Stripe's 300 s). */
export const TOLERANCE_SECONDS = 300;
