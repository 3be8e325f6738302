// Jest's test sequencer with one change: when Jest has no timing of a spec file (a fresh clone, as
// in CI: its cache is empty), the spec files that wait on child processes, browsers and servers run
// first, so the two workers are never left with one long spec at the end (docs/decisions/0390).
// With timings (a warm cache) Jest's own order applies: failed first, then longest first.
'use strict';
const Sequencer = require('@jest/test-sequencer').default;

/**
 * Known slow kinds of spec, in the order they start. specs/package.spec.ts is first: it packs and
 * installs the package (specs/support/packedPackage.ts) that other package specs then reuse.
 */
const SLOW = [
  /[\\/]specs[\\/]package\.spec\.ts$/,
  /\.e2e\.spec\.ts$/,
  /\.process\.spec\.ts$/,
  /[\\/]specs[\\/]demos[\\/]/,
  /[\\/]specs[\\/]package[\\/]/,
  /[\\/]specs[\\/]docs[\\/]/,
  /(postgres|soak|agentServer|aiSdk|aiClient)[^\\/]*\.spec\.ts$/,
];

const rank = (path) => {
  const index = SLOW.findIndex((pattern) => pattern.test(path));
  return index === -1 ? SLOW.length : index;
};

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.some((test) => test.duration != null)) return sorted;
    // Array.prototype.sort is stable: within a rank, Jest's order (largest file first) stays.
    return [...sorted].sort((a, b) => rank(a.path) - rank(b.path));
  }
}

module.exports = SlowFirstSequencer;
