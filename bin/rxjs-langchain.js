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

function fail(message) {
  process.stderr.write(`rxjs-langchain: ${message}\n`);
  process.exit(1);
}

function loadSource() {
  try {
    require.resolve('ts-node/register/transpile-only');
  } catch {
    return undefined;
  }
  require('ts-node/register/transpile-only');
  return require(source);
}

let cli;
if (force === 'dist') {
  if (!existsSync(built)) fail('dist/cjs/cli/main.js is missing; run `npm run build` first.');
  cli = require(built);
} else if (force === 'source' || (force === undefined && existsSync(source))) {
  if (!existsSync(source)) fail('src/cli/main.ts is missing (RXJS_LANGCHAIN_CLI=source needs the repository).');
  cli = loadSource();
  if (!cli && force === 'source') fail('ts-node is not installed; run `npm install` in the repository.');
}
if (!cli) {
  if (!existsSync(built)) fail('dist/cjs/cli/main.js is missing; run `npm run build` first.');
  cli = require(built);
}

cli.main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => fail(err instanceof Error ? err.message : String(err)),
);
