import type { Config } from 'jest';

const config: Config = {
  // The node environment plus a report of what a timed-out test was waiting on and what it left
  // open; and a guard that ends a run still held open after it is over (docs/decisions/0395).
  testEnvironment: '<rootDir>/specs/support/timeoutEnvironment.ts',
  globalTeardown: '<rootDir>/specs/support/exitGuard.ts',
  roots: ['<rootDir>/specs'],
  testMatch: ['**/*.spec.ts'],
  // The consumer-project spec packs the package and type-checks four consumer projects without
  // skipLibCheck (minutes on a loaded 2-core machine): `npm run test:consumers`, which .ci/run runs.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/specs/package/consumers\\.spec\\.ts$'],
  transform: {
    // tsconfig has isolatedModules, so ts-jest transpiles per file; `npm run typecheck` checks types once.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json', 'cjs', 'mjs'],
  // A guard against a hang, not a bound: no spec measures time. 30 s was exceeded by a browser spec on
  // a 2-core machine at load 19 (a fresh-clone run with a core held busy), where it was only slow.
  testTimeout: 120_000,
  // One worker per core, not Jest's default (cores - 1, which is in band on 2 cores): the slow specs
  // mostly wait on child processes, browsers and servers, so a second worker keeps both cores busy.
  // The sequencer starts those slow specs first on a cold cache (docs/decisions/0390).
  maxWorkers: '100%',
  testSequencer: '<rootDir>/specs/support/slowFirstSequencer.js',
  // How long a worker that Jest asked to end may take to be gone before Jest kills it and prints "A
  // worker process has failed to exit gracefully". Jest's 500 ms is a liveness bound a loaded machine
  // breaks: after the last file, a worker holds ~1–1.3 GB, and freeing it took longer than 500 ms after
  // its 'exit' event (docs/decisions/0410). A worker that leaks a handle still never exits by itself,
  // and is still killed and reported, 10 s later.
  workerGracefulExitTimeout: 10_000,
};

export default config;
