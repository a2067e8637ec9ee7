import type { Logger } from 'pino';

/** Per-request variables set by the request scope (./request-scope.ts) and handlers. */
export interface AppEnv {
  Variables: {
    /** The request's logger (a pino child with correlationId, requestId, traceId), created on first use. */
    log: () => Logger;
    /** Fields bound to every line about the request; the handler adds the correlationId. */
    logContext: Record<string, string>;
  };
}
