/**
 * Structured JSON logs (pino). One root logger per process; each request gets a child carrying its
 * correlationId and the proxy's X-Request-Id / traceparent, so every line about a request has them.
 *
 * Stdout is pino's asynchronous sonic-boom on fd 1 (what `pino()` uses by default), created here so
 * that the process can leave without hanging on it: see {@link exitAfterLogs}.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

type Stdout = ReturnType<typeof pino.destination>;

interface StdoutState {
  readonly dest: Stdout;
  /** Our counting `write`; pino swaps it for a no-op once stdout's reader is gone (EPIPE). */
  readonly write: Stdout['write'];
  /** Lines handed to sonic-boom and not yet written (cleared by its 'drain'). */
  pending: boolean;
}

let stdout: StdoutState | undefined;

/** The process's stdout destination, one per process (every logger without a destination shares it). */
function processStdout(): Stdout {
  if (stdout !== undefined) return stdout.dest;
  const dest = pino.destination({ dest: process.stdout.fd, sync: false });
  const original = dest.write.bind(dest);
  const write: Stdout['write'] = (chunk) => {
    state.pending = true;
    return original(chunk);
  };
  const state: StdoutState = { dest, write, pending: false };
  dest.write = write;
  dest.on('drain', () => {
    state.pending = false;
  });
  stdout = state;
  return dest;
}

/**
 * Exits with `code` once the log lines already written reached stdout, or after `budgetMs`,
 * whichever comes first — never later. Without this, `process.exit` runs pino's exit hook, whose
 * sonic-boom `flushSync` retries every failed write forever (EPIPE when stdout's reader has exited,
 * EAGAIN while it stalls): the process never ended and no timer, the shutdown watchdog included,
 * could fire. Here the pending lines get an asynchronous flush bounded by the budget, then the exit
 * hook's synchronous flush is disarmed. A line still unwritten then is lost: nobody was reading it.
 */
export function exitAfterLogs(code: number, budgetMs: number): void {
  const state = stdout;
  const exit = () => {
    if (state !== undefined) state.dest.flushSync = () => undefined;
    process.exit(code);
  };
  // Nothing pending, or pino already turned the stream off after an EPIPE (it replaced `write`).
  if (state === undefined || !state.pending || state.dest.write !== state.write) {
    exit();
    return;
  }
  setTimeout(exit, Math.max(0, budgetMs));
  state.dest.once('drain', exit);
  state.dest.once('error', exit);
}

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
        'config.sources[*].secrets',
      ],
      censor: '[redacted]',
    },
  };
  return pino(options, destination ?? processStdout());
}

export interface RequestContext {
  correlationId: string;
  requestId?: string;
  traceparent?: string;
}

export function requestLogger(root: Logger, context: RequestContext): Logger {
  return root.child(context);
}
