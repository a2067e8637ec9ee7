/** npm run faults — what each fault cost: accepted vs found on the topic, and hostile input. */
import { cell, isRecord, numberAt, table } from '../markdown';
import type { ResultDoc, Section } from '../types';

function statusList(value: unknown): string {
  if (!isRecord(value)) return '—';
  const entries = Object.entries(value).filter(([, n]) => typeof n === 'number' && n > 0);
  if (entries.length === 0) return 'none';
  const name = (status: string): string =>
    status === '0' ? 'transport error' : status === '-1' ? 'not sent' : status;
  return entries.map(([status, n]) => `${name(status)}: ${cell(n)}`).join(', ');
}

function loadRows(summary: Record<string, unknown>): string[] {
  const list = Array.isArray(summary.load) ? summary.load.filter(isRecord) : [];
  if (list.length === 0) return ['No load scenario (a–c) in this run.'];
  return table(
    [
      'Scenario',
      'Sent',
      'Accepted (202)',
      'Found on topic',
      '**Missing**',
      'Duplicate ids / webhooks',
      'Published without 202',
      'Non-2xx by status',
      'Recovery, median (ms)',
    ],
    list.map((r) => [
      `${cell(r.scenario)}. ${cell(r.title)}`,
      numberAt(r, ['sent']),
      numberAt(r, ['accepted']),
      numberAt(r, ['found']),
      numberAt(r, ['missing']),
      `${cell(numberAt(r, ['duplicateCorrelationIds']))} / ${cell(numberAt(r, ['duplicateWebhooks']))}`,
      numberAt(r, ['publishedWithout202']),
      statusList(r.nonAcceptedByStatus),
      numberAt(r, ['medianRecoveryMs']),
    ]),
  );
}

function hostileRows(doc: ResultDoc): string[] {
  const summary = doc.summary ?? {};
  const h = isRecord(summary.hostile) ? summary.hostile : undefined;
  if (h === undefined) return ['Hostile input (d) not in this run.'];
  const lines = table(
    ['Cases', 'As expected', 'Unexpected', '5xx', 'Published (control / hostile)'],
    [
      [
        numberAt(h, ['cases']),
        numberAt(h, ['asExpected']),
        numberAt(h, ['unexpected']),
        numberAt(h, ['serverErrors']),
        `${cell(numberAt(h, ['controlCases']))} / ${cell(numberAt(h, ['hostilePublished']))}`,
      ],
    ],
  );
  lines.push('', `Answers by status: ${statusList(h.byStatus)}.`);
  const runs = isRecord(doc.runs) && isRecord(doc.runs.hostile) ? doc.runs.hostile : {};
  const st = isRecord(runs.schemathesis) ? runs.schemathesis : undefined;
  if (st !== undefined) {
    const failures = Array.isArray(st.failures) ? st.failures.length : numberAt(st, ['failures']);
    lines.push(
      '',
      `schemathesis ${cell(st.version)} against runtime/openapi.json: ${cell(numberAt(st, ['operationsTested']))} ` +
        `operations, ${cell(numberAt(st, ['testCases']))} test cases, ${cell(failures)} failures, ` +
        `${cell(numberAt(st, ['serverErrors']))} server errors (exit code ${cell(numberAt(st, ['exitCode']))}).`,
    );
  }
  const cases = Array.isArray(runs.cases) ? runs.cases.filter(isRecord) : [];
  if (cases.length > 0) {
    lines.push(
      '',
      '<details><summary>Every hostile case: expected and received status</summary>',
      '',
      ...table(
        ['Case', 'Category', 'Expected', 'Received', 'Answered by', 'Result'],
        cases.map((c) => [
          c.name,
          c.category,
          c.expectStatus,
          c.status,
          c.answeredBy,
          c.ok === true ? '✅' : '❌',
        ]),
      ),
      '',
      '</details>',
    );
  }
  return lines;
}

export function faultsSection(doc: ResultDoc): Section {
  const summary = doc.summary ?? {};
  return {
    lines: [
      '### Broker outage, runtime killed, rolling restart (a–c)',
      '',
      'Every 202’s correlationId is read back from the Kafka topic; **Missing** is an accepted webhook ' +
        'the broker does not hold.',
      '',
      ...loadRows(summary),
      '',
      '### Hostile input (d)',
      '',
      ...hostileRows(doc),
    ],
    charts: [],
  };
}
