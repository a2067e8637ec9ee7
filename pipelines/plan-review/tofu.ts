/**
 * Finds and runs the OpenTofu binary that scripts/tofu/build-tofu.sh builds from the Go module proxy
 * (`$(go env GOPATH)/bin/tofu-<version>`, version pinned in scripts/tofu/VERSION). `TOFU_BIN`
 * overrides the lookup. Used by the end-to-end tests to produce real plan JSON.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');

export function pinnedTofuVersion(): string {
  return readFileSync(join(REPO, 'scripts', 'tofu', 'VERSION'), 'utf8').trim();
}

/** Absolute path of the pinned tofu binary; throws a message saying how to build it. */
export function findTofu(): string {
  const fromEnv = process.env.TOFU_BIN;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(fromEnv)) throw new Error(`TOFU_BIN=${fromEnv} does not exist`);
    return fromEnv;
  }
  const version = pinnedTofuVersion();
  let gopath = '';
  try {
    gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
  } catch {
    // no Go toolchain on PATH: Go's default GOPATH
    gopath = join(process.env.HOME ?? '/root', 'go');
  }
  const bin = join(gopath, 'bin', `tofu-${version}`);
  if (gopath === '' || !existsSync(bin)) {
    throw new Error(
      `OpenTofu ${version} not found at ${bin}: build it with scripts/tofu/build-tofu.sh ` +
        '(.ci/run does), or set TOFU_BIN',
    );
  }
  return bin;
}

/** Runs tofu in `cwd` without prompts, colours, telemetry or any CLI configuration of the machine. */
export function runTofu(bin: string, cwd: string, args: readonly string[]): string {
  const cliConfig = join(cwd, '.tofurc');
  writeFileSync(cliConfig, '');
  return execFileSync(bin, [...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: cwd,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      TF_CLI_CONFIG_FILE: cliConfig,
      CHECKPOINT_DISABLE: '1',
    },
    maxBuffer: 64 * 1024 * 1024,
  });
}
