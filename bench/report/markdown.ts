/** Small markdown helpers for the report: tables, values, the common header of a measure. */
import { formatNumber } from './svg';
import type { ResultDoc } from './types';

/** A cell: numbers formatted like the charts, null/undefined as "—", `|` escaped. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return JSON.stringify(value).replace(/\|/g, '\\|');
  return String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function table(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

export function metLabel(met: boolean): string {
  return met ? '✅ met' : '❌ not met';
}

/** A recorded version: a string, "not recorded" when empty, or `(a x, b y)` for a group. */
function versionText(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'not recorded';
  if (isRecord(value))
    return `(${Object.entries(value)
      .map(([k, v]) => `${k} ${versionText(v)}`)
      .join(', ')})`;
  return String(value);
}

/** Command, time, versions and parameters of one measure. */
export function provenance(doc: ResultDoc): string[] {
  const lines = [
    `Command: \`${doc.command ?? '(not recorded)'}\` — run ${doc.startedAt ?? '?'} → ${doc.finishedAt ?? '?'}.`,
  ];
  const versions = Object.entries(doc.versions ?? {});
  if (versions.length > 0) {
    lines.push('', `Versions: ${versions.map(([k, v]) => `${k} ${versionText(v)}`).join(', ')}.`);
  }
  const parameters = Object.entries(doc.parameters ?? {});
  if (parameters.length > 0) {
    lines.push('', `Parameters: ${parameters.map(([k, v]) => `${k} = ${cell(v)}`).join(', ')}.`);
  }
  return lines;
}

export function targetsTable(doc: ResultDoc): string[] {
  const targets = doc.targets ?? [];
  if (targets.length === 0) return ['No targets recorded for this measure.'];
  return table(
    ['Target', 'Measured', 'Limit', 'Result'],
    targets.map((t) => [t.label, t.value, t.limit, metLabel(t.met)]),
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first of `keys` that holds a finite number in `obj`. */
export function numberAt(obj: unknown, keys: readonly string[]): number | null {
  if (!isRecord(obj)) return null;
  for (const key of keys) {
    const v = obj[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}
