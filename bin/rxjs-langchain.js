#!/usr/bin/env node
// rxjs-langchain command line (`rxjs-langchain chat`).
//
// - Installed package (no src/ shipped): runs the build, dist/cjs/cli/main.js.
// - In the repository (src/cli/main.ts present and ts-node installed): runs the TypeScript
//   source through ts-node, so a stale dist/ never runs old code.
// - RXJS_LANGCHAIN_CLI=dist or =source forces one of the two.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const built = join(root, 'dist/cjs/cli/main.js');
const source = join(root, 'src/cli/main.ts');
const force = process.env.RXJS_LANGCHAIN_CLI;

function loadSource() {
  let tsNode;
  try {
    tsNode = require('ts-node');
  } catch {
    return undefined;
  }
  // The repository's tsconfig, whatever the working directory is.
  tsNode.register({ transpileOnly: true, projectSearchDir: root });
  return require(source);
}

/** The CLI module to run, or the one line that says why there is none. */
function choose() {
  if (force === 'dist') {
    if (!existsSync(built)) return 'dist/cjs/cli/main.js is missing; run `npm run build` first.';
    return require(built);
  }
  if (force === 'source' || (force === undefined && existsSync(source))) {
    if (!existsSync(source)) return 'src/cli/main.ts is missing (RXJS_LANGCHAIN_CLI=source needs the repository).';
    const cli = loadSource();
    if (cli) return cli;
    if (force === 'source') return 'ts-node is not installed; run `npm install` in the repository.';
  }
  if (!existsSync(built)) return 'dist/cjs/cli/main.js is missing; run `npm run build` first.';
  return require(built);
}

const cli = choose();
if (typeof cli === 'string') {
  // Exit once stderr has taken the line (never process.exit() with a write pending on a pipe).
  process.exitCode = 1;
  process.stderr.write(`rxjs-langchain: ${cli}\n`, () => process.exit(1));
} else {
  // runAndExit waits until stdout and stderr have drained before it exits.
  cli.runAndExit(process.argv.slice(2));
}
