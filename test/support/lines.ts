/**
 * Log capture: split a child's output stream into lines (pino JSON parsed, anything else kept as
 * `{ unparsed }`), and follow a file another process appends to (NGINX's access and error logs).
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';

export type LogLine = Record<string, unknown>;

/** Calls `onLine` for every complete line `stream` emits (without the newline). */
export function onLines(stream: Readable | null, onLine: (line: string) => void): void {
  let pending = '';
  stream?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream?.on('end', () => {
    if (pending !== '') onLine(pending);
    pending = '';
  });
}

/** One output line as a log record: its JSON object, or `{ unparsed: line }`. */
export function parseLogLine(line: string): LogLine {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as LogLine;
  } catch {
    // not JSON: kept as text below
  }
  return { unparsed: line };
}

/** Stops following a file. */
export type StopFollowing = () => void;

/**
 * Calls `onLine` for every line appended to `path` from now on (or from the start with
 * `fromStart`), polling every `intervalMs`. The timer never keeps the process alive.
 */
export function followFile(
  path: string,
  onLine: (line: string) => void,
  options: { fromStart?: boolean; intervalMs?: number } = {},
): StopFollowing {
  let offset = options.fromStart === true || !existsSync(path) ? 0 : statSync(path).size;
  let pending = '';
  const timer = setInterval(() => {
    if (!existsSync(path)) return;
    const size = statSync(path).size;
    if (size < offset) offset = 0; // truncated or replaced
    if (size === offset) return;
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    offset = size;
    pending += buffer.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  }, options.intervalMs ?? 200);
  timer.unref();
  return () => clearInterval(timer);
}
