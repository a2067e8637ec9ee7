/** A bench/results/<name>.json document as bench/lib/results.ts writeResult() writes it. */
import type { MachineInfo, ResultTarget } from '../lib/results';

export type { MachineInfo, ResultTarget };

export interface ResultDoc {
  readonly name: string;
  readonly machine?: MachineInfo;
  readonly finishedAt?: string;
  readonly command?: string;
  readonly startedAt?: string;
  readonly versions?: Record<string, unknown>;
  readonly parameters?: Record<string, unknown>;
  readonly runs?: unknown;
  readonly summary?: Record<string, unknown>;
  readonly targets?: readonly ResultTarget[];
}

/** The measures the report knows, in report order, with the command that produces each. */
export const MEASURES = [
  {
    name: 'synth',
    title: 'Synth: all stacks vs `require("cdktf")`',
    command: 'npm run bench:synth',
    about:
      'Wall time and peak RSS of `npm run synth` (esbuild bundle + node, all 7 stacks) against the floor of only loading cdktf.',
  },
  {
    name: 'http',
    title: 'HTTP path: the runtime vs a raw node:http server',
    command: 'npm run bench:http',
    about:
      'The webhook runtime (validation, signature check, publish to an instant-ack sender) against a raw ' +
      'node:http server answering the same request: the cost of the HTTP layer alone (autocannon, loopback).',
  },
  {
    name: 'e2e',
    title: 'End to end: NGINX → 2 runtimes → Kafka, ours vs the seed',
    command: 'npm run bench:e2e',
    about:
      'Both paths behind the same NGINX, the same Kafka broker (acks=all) and the same load: ours (2 runtimes) and ' +
      'the seed document’s FastAPI app with its send awaited so it is as durable (2 uvicorn workers; bench/seed/).',
  },
  {
    name: 'servicebus',
    title: 'Service Bus publish path: batching against the AMQP test peer',
    command: 'npm run bench:servicebus',
    about: '',
  },
  {
    name: 'faults',
    title: 'Fault injection',
    command: 'npm run faults',
    about:
      'Bounded steady load on loopback while a fault is injected; then every accepted webhook is looked up on the topic.',
  },
] as const;

export type MeasureName = (typeof MEASURES)[number]['name'];

/** One chart file under docs/benchmarks/. */
export interface Chart {
  readonly file: string;
  readonly alt: string;
  readonly svg: string;
}

/** What a measure's section renderer returns: markdown lines (no heading) and its charts. */
export interface Section {
  readonly lines: string[];
  readonly charts: Chart[];
}
