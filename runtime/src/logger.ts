/**
 * Structured JSON logs (pino). One root logger per process; each request gets a child carrying its
 * correlationId and the proxy's X-Request-Id / traceparent, so every line about a request has them.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'webhook-runtime' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Secrets never reach a log line, even if someone logs a header map or the config.
    redact: {
      paths: [
        '*.authorization',
        '*["x-api-key"]',
        '*.password',
        '*.connectionString',
        '*.secrets',
        'config.verify.secrets',
      ],
      censor: '[redacted]',
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

export interface RequestContext {
  correlationId: string;
  requestId?: string;
  traceparent?: string;
}

export function requestLogger(root: Logger, context: RequestContext): Logger {
  return root.child(context);
}
