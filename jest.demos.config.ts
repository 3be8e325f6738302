import type { Config } from 'jest';
import base from './jest.config';

/**
 * `npm run test:demos`: the demos at their real latency, as a user runs them (child processes,
 * one at a time). Wall-clock figures live here, never in `npm test`.
 */
const config: Config = {
  ...base,
  testMatch: ['**/specs/demos/**/*.demos.ts'],
  testTimeout: 180_000,
  maxWorkers: 1,
};

export default config;
