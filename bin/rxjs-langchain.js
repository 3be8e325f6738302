#!/usr/bin/env node
// rxjs-langchain command line (`rxjs-langchain chat`).
// Installed package: runs the build, dist/cjs/cli/main.js.
// Repository without a build (or RXJS_LANGCHAIN_FROM_SOURCE=1): runs src/cli/main.ts through ts-node.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const built = join(root, 'dist/cjs/cli/main.js');
const source = join(root, 'src/cli/main.ts');

let cli;
if (existsSync(built) && !process.env.RXJS_LANGCHAIN_FROM_SOURCE) {
  cli = require(built);
} else if (existsSync(source)) {
  try {
    require('ts-node/register/transpile-only');
  } catch {
    process.stderr.write('rxjs-langchain: dist/ is missing and ts-node is not installed; run `npm run build` first.\n');
    process.exit(1);
  }
  cli = require(source);
} else {
  process.stderr.write('rxjs-langchain: dist/cjs/cli/main.js is missing; run `npm run build`.\n');
  process.exit(1);
}

cli.main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`rxjs-langchain: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
