/**
 * docker-compose.yml cannot run here (no Docker daemon), so it is checked statically: valid against
 * the Compose Specification JSON schema (compose-spec/compose-spec `schema/compose-spec.json`, the
 * copy shipped in the npm package `dclint`) and wired as the same
 * topology as `npm run local`.
 */
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '..', '..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const SCHEMA_FILE = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  command?: string[];
}

function loadCompose(text = readFileSync(COMPOSE_FILE, 'utf8')): {
  services: Record<string, ComposeService>;
} & Record<string, unknown> {
  return parse(text, { merge: true }) as { services: Record<string, ComposeService> };
}

function compileSchema(): ReturnType<Ajv['compile']> {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  expect(schema.title).toBe('Compose Specification');
  // The schema names draft-07 by an https URL Ajv does not know; its content is draft-07.
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification JSON schema', () => {
    const validate = compileSchema();
    const valid = validate(loadCompose());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check really rejects a broken file (unknown service key, wrong port type)', () => {
    const validate = compileSchema();
    const broken = loadCompose();
    (broken.services.nginx as Record<string, unknown>).listen_port = 8080;
    (broken.services.nginx as Record<string, unknown>).ports = 8080;
    expect(validate(broken)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('listen_port');
  });

  it('has the local topology: kafka (apache/kafka, pinned), two runtimes on Kafka, nginx in front on loopback 8080', () => {
    const { services } = loadCompose();
    expect(Object.keys(services).sort()).toEqual(['kafka', 'kafka-init', 'nginx', 'runtime1', 'runtime2']);
    expect(services.kafka?.image).toMatch(/^apache\/kafka:\d+\.\d+\.\d+$/);
    // The runtime does not auto-create topics: a one-shot service creates the runtimes' topic first.
    expect(services['kafka-init']?.image).toBe(services.kafka?.image);
    expect(services['kafka-init']?.command).toContain(services.runtime1?.environment?.KAFKA_TOPIC);
    for (const name of ['runtime1', 'runtime2']) {
      const runtime = services[name];
      expect(runtime?.build).toEqual({ context: '.', dockerfile: 'runtime/Dockerfile' });
      expect(runtime?.environment).toMatchObject({ BUS: 'kafka', KAFKA_BROKERS: 'kafka:9092', PORT: '8000' });
      expect(runtime?.depends_on?.['kafka-init']?.condition).toBe('service_completed_successfully');
    }
    const nginx = services.nginx;
    expect(nginx?.build).toEqual({ context: 'nginx', dockerfile: 'Dockerfile' });
    expect(nginx?.environment?.UPSTREAM_SERVERS).toBe('runtime1:8000 runtime2:8000');
    expect(nginx?.environment?.MAX_BODY_BYTES).toBe(services.runtime1?.environment?.MAX_BODY_BYTES);
    expect(nginx?.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(nginx?.read_only).toBe(true);
  });

  it('makes signature verification `none` only as an overridable default', () => {
    expect(loadCompose().services.runtime1?.environment?.WEBHOOK_VERIFY).toBe('${WEBHOOK_VERIFY:-none}');
  });
});
