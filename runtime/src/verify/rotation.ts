/**
 * Secret rotation for a named source: several secrets verify at once, and a secret given a
 * `notAfter` stops verifying after that instant (the request's clock, `VerifyRequest.now`), so the
 * old secret keeps accepting a sender's in-flight retries during the overlap and is refused after.
 *
 * Secrets without a deadline share one verifier; each deadline gets its own, consulted only while
 * it has not passed. A source without deadlines gets its scheme's verifier itself: rotation costs
 * nothing until it is used.
 */
import type { Verifier, VerifyResult } from './types';

/** One configured secret: its value and, when rotated out, the last instant it verifies (ms). */
export interface RotatingSecret {
  readonly value: string;
  readonly notAfter?: number;
}

export function rotatingVerifier(
  secrets: readonly RotatingSecret[],
  build: (values: readonly string[]) => Verifier,
): Verifier {
  const permanent = secrets.filter((s) => s.notAfter === undefined).map((s) => s.value);
  const byDeadline = new Map<number, string[]>();
  for (const { value, notAfter } of secrets) {
    if (notAfter !== undefined) byDeadline.set(notAfter, [...(byDeadline.get(notAfter) ?? []), value]);
  }
  const always = permanent.length > 0 ? build(permanent) : undefined;
  if (byDeadline.size === 0 && always !== undefined) return always;
  // Latest deadline first: during an overlap the newer secret is the likelier match.
  const timed = [...byDeadline.entries()]
    .sort(([a], [b]) => b - a)
    .map(([notAfter, values]) => ({ notAfter, verifier: build(values) }));
  const first = always ?? timed[0]?.verifier;
  if (first === undefined) throw new RangeError('rotatingVerifier: at least one secret is required');
  return {
    scheme: first.scheme,
    verify(request) {
      let result: VerifyResult | undefined;
      if (always !== undefined) {
        result = always.verify(request);
        if (result.ok) return result;
      }
      for (const { notAfter, verifier } of timed) {
        if (request.now > notAfter) continue;
        result = verifier.verify(request);
        if (result.ok) return result;
      }
      return result ?? { ok: false, reason: 'every secret is past its notAfter' };
    },
    ...(first.deliveryIdFromBody ? { deliveryIdFromBody: first.deliveryIdFromBody } : {}),
  };
}
