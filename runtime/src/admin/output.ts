/**
 * Where the CLI writes: on a terminal a progress line (stderr, redrawn in place) and a readable end
 * line; otherwise (a pipe, a job's log) nothing while running and one JSON summary on stdout.
 */
export interface Output {
  readonly tty: boolean;
  progress(summary: Readonly<Record<string, number>>): void;
  summary(summary: Readonly<Record<string, number>>): void;
  /** One JSON document (a list entry, a shown message). */
  json(value: unknown): void;
  error(message: string): void;
}

function line(summary: Readonly<Record<string, number>>): string {
  return Object.entries(summary)
    .map(([key, value]) => `${key} ${value}`)
    .join(' · ');
}

export function createOutput(
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): Output {
  const tty = stderr.isTTY === true && stdout.isTTY === true;
  let drawn = false;
  return {
    tty,
    progress(summary) {
      if (!tty) return;
      stderr.write(`\r\x1b[2K${line(summary)}`);
      drawn = true;
    },
    summary(summary) {
      if (tty) {
        if (drawn) stderr.write('\r\x1b[2K');
        stdout.write(`${line(summary)}\n`);
      } else {
        stdout.write(`${JSON.stringify(summary)}\n`);
      }
    },
    json(value) {
      stdout.write(`${JSON.stringify(value, null, tty ? 2 : undefined)}\n`);
    },
    error(message) {
      if (drawn) stderr.write('\n');
      stderr.write(`webhooks-admin: ${message}\n`);
    },
  };
}
