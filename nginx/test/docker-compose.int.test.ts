/**
 * docker-compose.yml is clean under dclint's own rules (the Compose linter from the npm package
 * `dclint`, run as its own Node process). The schema and topology checks are in
 * ./docker-compose.test.ts.
 */
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const COMPOSE_FILE = join(resolve(__dirname, '..', '..'), 'docker-compose.yml');

describe('docker-compose.yml', () => {
  it('passes dclint (the Compose linter) without errors or warnings', async () => {
    const bin = join(dirname(require.resolve('dclint/package.json')), 'bin', 'dclint.cjs');
    const { stdout, stderr } = await execFileAsync(process.execPath, [bin, COMPOSE_FILE]);
    expect(`${stdout}${stderr}`.trim()).toBe('');
  });
});
