// The cache behind tsNodeCache.preload.js (node -r, before ts-node registers), for the child processes specs start from TypeScript
// sources (the web demo, the CLI, the demos): ts-node's transpile-only output of each file is kept
// on disk, keyed by the file's content, its path and the compiler's versions and options, so only
// the first child of a run transpiles; the others read the same JavaScript back (docs/decisions/0390).
// Each child otherwise spent ~5 s of CPU in TypeScript's transpileModule on the same ~200 files.
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir, userInfo } = require('node:os');
const { dirname, join } = require('node:path');

/** Where the transpiled files are kept: one file per key, written whole (rename) or not at all. */
const CACHE_DIR = process.env.RXJS_LANGCHAIN_TS_CACHE_DIR || join(tmpdir(), `rxjs-langchain-ts-node-cache-${userInfo().uid}`);

/**
 * Wraps a ts-node service's `compile` with the disk cache. Only transpile-only services: a
 * type-checking one's output depends on other files, and its errors must be raised every time.
 * `sources` answers source-map-support for a file served from the cache (ts-node only knows the
 * files it compiled itself), so stack traces still point into the TypeScript.
 */
function cacheCompiles(service, dir = CACHE_DIR, sources = new Map()) {
  if (!service.options.transpileOnly) return service;
  const compile = service.compile.bind(service);
  const salt = JSON.stringify([require('ts-node').VERSION, service.ts.version, service.config.options]);
  mkdirSync(dir, { recursive: true });
  service.compile = (code, fileName, lineOffset = 0) => {
    const key = createHash('sha256').update(salt).update('\0').update(fileName).update('\0').update(String(lineOffset)).update('\0').update(code).digest('hex');
    const file = join(dir, key + '.js');
    let output;
    try {
      output = readFileSync(file, 'utf8');
    } catch {
      output = compile(code, fileName, lineOffset);
      const staging = `${file}.${process.pid}.tmp`;
      try {
        writeFileSync(staging, output);
        renameSync(staging, file);
      } catch {
        // The folder went away (a tmp cleaner): this file is simply not cached.
        rmSync(staging, { force: true });
      }
      return output;
    }
    sources.set(fileName, output);
    return output;
  };
  return service;
}

/** Makes every later `require('ts-node').register(…)` (its /register entries, bin/rxjs-langchain.js) use the cache. */
function install() {
  const tsNode = require('ts-node');
  const sources = new Map();
  const sourceMapSupport = require(require.resolve('@cspotcode/source-map-support', { paths: [dirname(require.resolve('ts-node'))] }));
  sourceMapSupport.install({ environment: 'node', retrieveFile: (path) => sources.get(path) || '' });
  const register = tsNode.register;
  tsNode.register = (serviceOrOptions) => {
    const service = serviceOrOptions && typeof serviceOrOptions.compile === 'function' ? serviceOrOptions : tsNode.create(serviceOrOptions || {});
    return register(cacheCompiles(service, CACHE_DIR, sources));
  };
}

module.exports = { cacheCompiles, install, CACHE_DIR };
