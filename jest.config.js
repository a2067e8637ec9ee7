/**
 * One jest configuration for the whole repository. Tests are transpiled by @swc/jest (fast, no
 * type-check) because `npm run typecheck` type-checks every test file with the real compiler;
 * see docs/decisions/0001-toolchain.md.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/?(*.)test.ts'],
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
  maxWorkers: 2,
  testTimeout: 30000,
};
