/**
 * RFC 9457 problem details. Request failures throw {@link problem} (an HTTPException carrying a
 * ready `application/problem+json` response); the app's single `onError` returns it. Never a stack.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ProblemExtras {
  /** Extra response headers (Retry-After, Allow, X-Correlation-Id, WWW-Authenticate). */
  headers?: Record<string, string>;
  /** RFC 9457 §3 style list: `{ pointer: '/clientId', detail }`. */
  errors?: Array<{ pointer: string; detail: string }>;
  /** Extension members (e.g. `correlationId`, `reason`). */
  [member: string]: unknown;
}

export function problemResponse(
  status: ContentfulStatusCode,
  detail: string,
  extras: ProblemExtras = {},
): Response {
  const { headers = {}, ...members } = extras;
  const body = JSON.stringify({
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...members,
  });
  return new Response(body, { status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers } });
}

/** An HTTPException whose response is the problem document; throw it from handlers. */
export function problem(
  status: ContentfulStatusCode,
  detail: string,
  extras: ProblemExtras = {},
): HTTPException {
  return new HTTPException(status, { message: detail, res: problemResponse(status, detail, extras) });
}
