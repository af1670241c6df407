/**
 * Projects: `checks`, `unit` (*.unit.test.ts, touch no service), `integration`
 * (*.int.test.ts, run against the real local stack started by `npm run stack:up`) and `faults`
 * (*.fault.test.ts: kill -9 the stack's components under load; `npm run test:faults`) and `cluster`
 * (*.cluster.test.ts: the same on a Zeebe cluster and a Patroni pair; `npm run test:cluster`).
 * Transpilation by @swc/jest; type checking is `npm run typecheck`.
 */
const transform = {
  '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' } }],
  // ESM-only packages of the BPMN tool chain (bpmn-moddle, moddle, min-dash, ...) are compiled
  // to CommonJS for jest; Node itself loads them natively (require(esm), Node >= 20.19). pdfjs-dist
  // (reading exported PDFs back) is ESM-only too.
  '^.+\\.m?js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
/** Fails a test that makes no assertion (test/support/has-assertions.ts). */
const setupFilesAfterEnv = ['<rootDir>/test/support/has-assertions.ts'];
const transformIgnorePatterns = [
  '/node_modules/(?!(bpmn-moddle|moddle|moddle-xml|min-dash|saxen|@bpmn-io|kysely|feelin|lezer-feel|@lezer|temporal-polyfill|temporal-utils|pdfjs-dist)/)',
];

/** @type {import('jest').Config} */
module.exports = {
  testSequencer: '<rootDir>/tools/jest-sequencer.cjs',
  projects: [
    {
      displayName: 'checks',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/checks/**/*.check.test.ts'],
    },
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      setupFilesAfterEnv,
      testMatch: ['<rootDir>/**/*.unit.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/.cache/', '/dist/'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/support/integration-setup.ts',
      transform,
      transformIgnorePatterns,
      setupFilesAfterEnv: [...setupFilesAfterEnv, '<rootDir>/test/support/integration-timeouts.ts'],
      testMatch: ['<rootDir>/**/*.int.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/.cache/', '/dist/'],
      slowTestThreshold: 30,
    },
    {
      // The fault suite (`npm run test:faults`): kills the local stack's components in turn.
      displayName: 'faults',
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/support/faults-setup.ts',
      transform,
      transformIgnorePatterns,
      setupFilesAfterEnv,
      testMatch: ['<rootDir>/test/faults/**/*.fault.test.ts'],
      slowTestThreshold: 600,
    },
    {
      // The cluster fault suite (`npm run test:cluster`, tools/cluster-test.sh): a stack of its own
      // with three brokers and the Patroni pair, kill -9 of a part of it at a time.
      displayName: 'cluster',
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/support/integration-setup.ts',
      transform,
      transformIgnorePatterns,
      setupFilesAfterEnv,
      testMatch: ['<rootDir>/test/cluster/**/*.cluster.test.ts'],
      slowTestThreshold: 600,
    },
  ],
};
