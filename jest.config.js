/**
 * One jest configuration for the whole repository, two projects (suites):
 * - `unit` (`npm test`): every `*.test.ts`; needs no external process or tool, no network and no
 *   socket server (an in-process `app.request()` is fine).
 * - `integration` (`npm run test:integration`): every `*.int.test.ts`: NGINX, Kafka, OpenTofu, the
 *   Python tools, openssl/busybox/jq, child processes and real sockets. Its globalSetup checks the
 *   prerequisites once and names the missing ones (test/prerequisites.ts).
 * The npm scripts end `--selectProjects <name>` with `--no-watchman` (a no-op here) so that paths after
 * `npm test -- <paths>` filter files instead of being read as more project names.
 * Tests are transpiled by @swc/jest (fast, no type-check) because `npm run typecheck` type-checks
 * every test file with the real compiler; see docs/decisions/0001-toolchain.md.
 * @type {import('jest').Config}
 */
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/cdktf.out/', '/.tmp/', '/.venv/', '/.kafka/'],
  modulePathIgnorePatterns: [
    '<rootDir>/dist/',
    '<rootDir>/cdktf.out/',
    '<rootDir>/.tmp/',
    '<rootDir>/.venv/',
    '<rootDir>/.kafka/',
  ],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
};

module.exports = {
  maxWorkers: 2,
  // A global option: jest-circus reads it from the top level, not from a project.
  testTimeout: 30000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '\\.int\\.test\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/prerequisites.ts',
      globalTeardown: '<rootDir>/test/kafka/teardown.ts',
    },
  ],
};
