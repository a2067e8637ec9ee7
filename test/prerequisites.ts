/**
 * The integration suite's globalSetup (jest.config.js, project `integration`). Before any test
 * starts it checks once for every tool the integration tests run — NGINX and the shell tools of
 * nginx/render.sh and pipelines/deploy, plantuml, Java and the Kafka jars, the pinned OpenTofu, the
 * Python tools of the venv — and, if any is missing, fails at once with ONE message naming each missing
 * tool and the command that installs it (`bash .ci/run` installs them all).
 *
 * It also names this run's Kafka instance (KAFKA_TEST_INSTANCE=jest-<pid>, unless already set), so
 * that ensureKafka() in every worker starts and shares one broker of this run on ports from the OS;
 * test/kafka/teardown.ts stops it after the run.
 *
 * SKIP_PREREQUISITE_CHECK=1 skips the check (for a focused run of files that need none of them).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { findTofu } from '../pipelines/plan-review/tofu';
import { KAFKA_TEST_INSTANCE } from './kafka/ensure-kafka';

const ROOT = join(__dirname, '..');
const VENV_INSTALL = 'python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt';

/** A tool the integration suite needs, and how to install it. */
export interface Prerequisite {
  /** The tool's name as the message shows it. */
  readonly tool: string;
  /** Which tests need it. */
  readonly neededBy: string;
  /** The one command that installs it. */
  readonly install: string;
}

/** A prerequisite with the check that finds it the way the tests do. */
export interface CheckedPrerequisite extends Prerequisite {
  readonly present: () => boolean;
}

/**
 * The message for the missing prerequisites, or undefined when none is missing: one line per tool
 * with the command that installs it, then the command that installs them all.
 */
export function prerequisiteMessage(missing: readonly Prerequisite[]): string | undefined {
  if (missing.length === 0) return undefined;
  const tools = missing.length === 1 ? 'a tool' : `${missing.length} tools`;
  return [
    `The integration suite needs ${tools} this machine lacks:`,
    ...missing.map((m) => `  - ${m.tool} (${m.neededBy}): ${m.install}`),
    '`bash .ci/run` installs all of them (and runs both suites).',
    'To run only files that need none of them: SKIP_PREREQUISITE_CHECK=1 npx jest --selectProjects integration <files>',
  ].join('\n');
}

/** True when `command` is an executable file: a path as given, else a name found on PATH. */
export function executable(command: string, path = process.env.PATH ?? ''): boolean {
  const candidates = isAbsolute(command)
    ? [command]
    : path
        .split(delimiter)
        .filter((d) => d !== '')
        .map((d) => join(d, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** On PATH, or at one of the absolute paths the tests also look at. */
const onPathOr =
  (name: string, ...paths: string[]) =>
  (): boolean =>
    executable(name) || paths.some((p) => executable(p));

/** Where the tests look for a venv tool: the repository's .venv, else PATH. */
const venvTool = (name: string) => onPathOr(name, join(ROOT, '.venv', 'bin', name));

function kafkaJarsCached(): boolean {
  try {
    execFileSync(join(ROOT, 'test', 'kafka', 'kafka.sh'), ['fetched'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function tofuBuilt(): boolean {
  try {
    findTofu();
    return true;
  } catch {
    return false;
  }
}

/** Every tool the integration tests run, checked as they find it. */
export const PREREQUISITES: readonly CheckedPrerequisite[] = [
  {
    tool: 'nginx',
    neededBy: 'the proxy tier tests in nginx/test, the fault suite',
    install: 'apt-get install nginx-light',
    present: () => {
      const fromEnv = process.env.NGINX_BIN ?? '';
      return fromEnv !== '' ? executable(fromEnv) : onPathOr('nginx', '/usr/sbin/nginx')();
    },
  },
  {
    tool: 'envsubst',
    neededBy: 'nginx/render.sh',
    install: 'apt-get install gettext-base',
    present: onPathOr('envsubst'),
  },
  {
    tool: 'busybox',
    neededBy: 'nginx/render.sh under BusyBox sh',
    install: 'apt-get install busybox',
    present: onPathOr('busybox'),
  },
  {
    tool: 'jq',
    neededBy: 'the pipelines/deploy scripts',
    install: 'apt-get install jq',
    present: onPathOr('jq'),
  },
  {
    tool: 'openssl',
    neededBy: 'the smoke client HTTPS tests, the deploy secrets tests',
    install: 'apt-get install openssl',
    present: onPathOr('openssl'),
  },
  {
    tool: 'plantuml',
    neededBy: 'test/stacks/diagrams-architecture.int.test.ts',
    install: 'apt-get install --no-install-recommends plantuml graphviz',
    present: onPathOr('plantuml'),
  },
  {
    tool: 'dot',
    neededBy: 'graphviz, which plantuml lays the architecture picture out with',
    install: 'apt-get install graphviz',
    present: onPathOr('dot'),
  },
  {
    tool: 'java',
    neededBy: 'every Kafka test: test/kafka/kafka.sh runs the broker on the JVM',
    install: 'apt-get install default-jre-headless',
    present: onPathOr('java'),
  },
  {
    tool: 'Kafka jars',
    neededBy: 'every Kafka test; mvn fetches them, or a cache of them will do',
    install: 'apt-get install maven && test/kafka/kafka.sh fetch',
    present: () => kafkaJarsCached() || executable('mvn'),
  },
  {
    tool: 'OpenTofu',
    neededBy: 'the pipelines/plan-review end-to-end tests, at the version pinned in scripts/tofu/VERSION',
    install: 'scripts/tofu/build-tofu.sh (needs Go), or set TOFU_BIN',
    present: tofuBuilt,
  },
  ...(['checkov', 'hadolint', 'schemathesis', 'shellcheck'] as const).map((tool) => ({
    tool,
    neededBy: {
      checkov: 'the IaC scan of the stacks',
      hadolint: 'the Dockerfile lint',
      schemathesis: 'the fault suite fuzzing runtime/openapi.json',
      shellcheck: 'the deploy scripts lint',
    }[tool],
    install: VENV_INSTALL,
    present: venvTool(tool),
  })),
];

/** This run's Kafka instance name, unless KAFKA_TEST_INSTANCE names one (then it is left running). */
export const runInstance = (pid = process.pid): string => `jest-${pid}`;

export default function globalSetup(): void {
  if ((process.env[KAFKA_TEST_INSTANCE] ?? '') === '') process.env[KAFKA_TEST_INSTANCE] = runInstance();
  if (process.env.SKIP_PREREQUISITE_CHECK === '1') return;
  const message = prerequisiteMessage(PREREQUISITES.filter((p) => !p.present()));
  if (message !== undefined) throw new Error(message);
}
