// The root entry `rxjs-langchain` (and `rxjs-langchain/offline`, the embedded model) is
// platform-neutral: loaded from the packed package with hooks on both module loaders and used, it
// requests no Node builtin and none of the packages below.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { installedPackage, type InstalledPackage } from '../support/packedPackage';

/**
 * Packages the root entry must never load, whoever asks for them (`@langchain/langgraph-sdk` only
 * when fromAgentServer is subscribed to): `ws` is for
 * `rxjs-langchain/node`; `@langchain/langgraph` and `langchain` only come with an agent source, when
 * one is used; `@langchain/openai`, `dotenv` and the Redis packages are the applications' choice.
 */
const FORBIDDEN_PACKAGES = ['ws', '@langchain/langgraph', 'langchain', '@langchain/openai', 'dotenv', 'redis', '@langchain/redis', '@langchain/langgraph-sdk'];

interface Load {
  /** What was asked for: `node:fs`, `rxjs`, `./errors`. */
  readonly request: string;
  /** The file that asked (a path or a file: URL), or null for the entry itself. */
  readonly from: string | null;
  /** Where it resolved, when it did (null for builtins and failures). */
  readonly resolved: string | null;
  readonly loader: 'require' | 'import';
}

/** Records every require() (Module._load, which also loads the CommonJS files an import reaches). */
const REQUIRE_HOOK = `
const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const original = Module._load;
Module._load = function (request, parent) {
  let resolved = null;
  try { if (!Module.isBuiltin(request)) resolved = Module._resolveFilename(request, parent); } catch {}
  appendFileSync(process.env.LOADS_FILE, JSON.stringify({ request, from: parent ? parent.filename : null, resolved, loader: 'require' }) + '\\n');
  return original.apply(this, arguments);
};
`;

/** Records every ESM import (a resolve hook, running on the loader thread). */
const IMPORT_HOOK = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  let resolved = null;
  try {
    const result = await next(specifier, context);
    if (result.url.startsWith('file:')) resolved = result.url;
    return result;
  } finally {
    appendFileSync(process.env.LOADS_FILE, JSON.stringify({ request: specifier, from: context.parentURL ?? null, resolved, loader: 'import' }) + '\\n');
  }
}
`;

/** Uses the loaded entries: a source, operators, SSE framing, the embedded model. */
const USE_ROOT = `
  const { lastValueFrom } = rxjs;
  const reply = await lastValueFrom(rx.fromRunnable(new offline.ScriptedChatModel({ reply: '你好 🌏' }), 'q').pipe(rx.collectText()));
  let aborted = false;
  const source = rx.fromAsyncIterableFactory(async function* (signal) {
    signal.addEventListener('abort', () => (aborted = true));
    for (const piece of ['Python 比 ', 'Ja', 'va 简单 🐍', '。']) yield piece;
  });
  const text = await lastValueFrom(source.pipe(rx.textContent(), rx.abortOn(['Java'], { mode: 'complete' }), rx.collectText()));
  const frames = await lastValueFrom(rxjs.from(['你好', '🌏']).pipe(rx.toServerSentEvents(), rxjs.toArray()));
  console.log(JSON.stringify({ reply, text, aborted, frames: frames.length }));
`;

let pkg: InstalledPackage;
let dir: string;
beforeAll(() => {
  pkg = installedPackage();
  dir = mkdtempSync(join(pkg.root, 'platform-neutral-'));
  writeFileSync(join(dir, 'require-hook.cjs'), REQUIRE_HOOK);
  writeFileSync(join(dir, 'import-hook.mjs'), IMPORT_HOOK);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./import-hook.mjs', import.meta.url);\n`);
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadsOf(loader: 'require' | 'import'): { loads: Load[]; output: unknown } {
  const loadsFile = join(dir, `loads-${loader}.jsonl`);
  rmSync(loadsFile, { force: true });
  const script =
    loader === 'require'
      ? `(async () => { const rx = require('rxjs-langchain'); const offline = require('rxjs-langchain/offline'); const rxjs = require('rxjs'); ${USE_ROOT} })()`
      : `const rx = await import('rxjs-langchain'); const offline = await import('rxjs-langchain/offline'); const rxjs = await import('rxjs'); ${USE_ROOT}`;
  const args = ['-r', join(dir, 'require-hook.cjs'), ...(loader === 'import' ? ['--import', './register.mjs', '--input-type=module'] : []), '-e', script];
  const stdout = execFileSync(process.execPath, args, { cwd: dir, env: { ...process.env, LOADS_FILE: loadsFile }, encoding: 'utf8', timeout: 25 * 60_000 }); // a safety net against a hung child, not a liveness bound (load ~18 on 2 cores)
  const loads = readFileSync(loadsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Load);
  return { loads, output: JSON.parse(stdout) };
}

const ours = (path: string | null): boolean => path !== null && /[\\/]node_modules[\\/]rxjs-langchain[\\/]/.test(decodeURIComponent(path));
const packageOf = (load: Load): string | null => {
  const m = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/](?!.*[\\/]node_modules[\\/])/.exec(decodeURIComponent(load.resolved ?? ''));
  if (m) return m[1].replace('\\', '/');
  const bare = /^((?:@[^/]+\/)?[^./][^/]*)/.exec(load.request);
  return bare && !isBuiltin(load.request) ? bare[1] : null;
};

describe.each(['require', 'import'] as const)('the root and offline entries loaded with %s', (loader) => {
  let result: { loads: Load[]; output: unknown };
  beforeAll(() => {
    result = loadsOf(loader);
  }, 30 * 60_000);

  it('runs a pipeline (the hooks saw it load)', () => {
    expect(result.output).toEqual({ reply: '你好 🌏', text: 'Python 比 ', aborted: true, frames: 3 });
    // The hooks work: they saw the root entry load its own files and its peers.
    expect(result.loads.filter((l) => ours(l.from)).length).toBeGreaterThan(10);
    expect(result.loads.some((l) => ours(l.from) && l.request === 'rxjs')).toBe(true);
    expect(result.loads.some((l) => ours(l.from) && l.request.startsWith('@langchain/core/'))).toBe(true);
  });

  it('requests no Node builtin (node:* or bare) from its own files', () => {
    const builtins = result.loads.filter((l) => ours(l.from) && isBuiltin(l.request)).map((l) => `${l.request} ← ${l.from}`);
    expect(builtins).toEqual([]);
  });

  it.each(FORBIDDEN_PACKAGES)('never loads %s', (name) => {
    const hits = result.loads.filter((l) => packageOf(l) === name).map((l) => `${l.request} ← ${l.from}`);
    expect(hits).toEqual([]);
  });
});
