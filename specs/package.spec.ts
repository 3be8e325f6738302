// The packed package (npm pack, whose prepack builds it), installed from its tarball into a
// temporary project with its peers, loaded by name the way users load it: every entry point with
// require and with import.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installedPackage, npmEnv, repoRoot, type InstalledPackage } from './support/packedPackage';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build script's own list of entries
const { entries } = require('../scripts/build.js') as { entries: string[] };
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  typesVersions: Record<string, Record<string, string[]>>;
};
/** `node/index` → `rxjs-langchain/node`, `index` → `rxjs-langchain`. */
const specifierOf = (entry: string): string => (entry === 'index' ? 'rxjs-langchain' : `rxjs-langchain/${entry.replace(/\/index$/, '')}`);
const specifiers = entries.map(specifierOf);

let pkg: InstalledPackage;
beforeAll(() => {
  pkg = installedPackage();
}, 600_000);

const node = (args: string[]): string => execFileSync(process.execPath, args, { cwd: pkg.root, encoding: 'utf8', timeout: 120_000 });

describe('package.json', () => {
  it('exports exactly the four entry points the build writes, each with types per condition', () => {
    expect(specifiers).toEqual(['rxjs-langchain', 'rxjs-langchain/node', 'rxjs-langchain/offline', 'rxjs-langchain/testing']);
    expect(Object.keys(manifest.exports)).toEqual([...specifiers.map((s) => s.replace('rxjs-langchain', '.')), './package.json']);
    for (const entry of entries) {
      // Node (and bundlers for Node): CommonJS, and for `import` a wrapper re-exporting it, so one copy of
      // every class; elsewhere (browsers, bundlers for the browser) `import` is the native ES modules.
      const require = { types: `./dist/cjs/${entry}.d.ts`, default: `./dist/cjs/${entry}.js` };
      expect(manifest.exports[specifierOf(entry).replace('rxjs-langchain', '.')]).toEqual({
        node: { import: { types: `./dist/esm/${entry}.d.mts`, default: `./dist/node-esm/${entry}.mjs` }, require },
        import: { types: `./dist/esm/${entry}.d.mts`, default: `./dist/esm/${entry}.mjs` },
        require,
      });
    }
  });

  it('has no side effects on import, so bundlers drop the modules a program does not reach', () => {
    expect((manifest as { sideEffects?: unknown }).sideEffects).toBe(false);
  });

  it('maps every subpath for classic moduleResolution "node" (typesVersions)', () => {
    const subpaths = entries.filter((e) => e !== 'index').map((e) => e.replace(/\/index$/, ''));
    expect(manifest.typesVersions).toEqual({ '*': Object.fromEntries(subpaths.map((s) => [s, [`./dist/cjs/${s}/index.d.ts`]])) });
  });

  it('is in step with package-lock.json: npm install leaves the lock file as it is', () => {
    // A copy, so the check never rewrites the repository's lock file.
    const dir = mkdtempSync(join(tmpdir(), 'rxjs-langchain-lock-'));
    try {
      for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(repoRoot, f), join(dir, f));
      execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
        cwd: dir,
        stdio: 'pipe',
        timeout: 120_000,
        env: npmEnv(),
      });
      expect(readFileSync(join(dir, 'package-lock.json'), 'utf8')).toBe(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the tarball (npm pack)', () => {
  it('holds the built entry points, their declarations for both conditions, the bin and the README', () => {
    for (const entry of entries) {
      expect(pkg.files).toEqual(
        expect.arrayContaining([`dist/cjs/${entry}.js`, `dist/cjs/${entry}.d.ts`, `dist/esm/${entry}.mjs`, `dist/esm/${entry}.d.mts`, `dist/node-esm/${entry}.mjs`]),
      );
    }
    expect(pkg.files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/rxjs-langchain.js', 'dist/cjs/cli/main.js']));
  });

  it('ships no sources, specs or declarations that name ws', () => {
    expect(pkg.files.filter((f) => !/^(dist\/|bin\/|package\.json$|README\.md$|LICENSE)/.test(f))).toEqual([]);
    const declarations = pkg.files.filter((f) => /\.d\.m?ts$/.test(f));
    const namingWs = declarations.filter((f) => /from ['"]ws['"]|import\(['"]ws['"]\)/.test(readFileSync(join(pkg.root, 'node_modules/rxjs-langchain', f), 'utf8')));
    expect(namingWs).toEqual([]);
  });
});

describe('the installed package', () => {
  it('loads every entry with require (CommonJS) and with import (ESM): the same names and the same objects', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module';
       const require = createRequire(process.cwd() + '/');
       const result = {};
       for (const specifier of ${JSON.stringify(specifiers)}) {
         const cjs = require(specifier);
         const esm = await import(specifier);
         const names = Object.keys(esm).filter((n) => n !== 'default').sort();
         result[specifier] = {
           names: names.length,
           sameNames: JSON.stringify(names) === JSON.stringify(Object.keys(cjs).filter((n) => n !== '__esModule').sort()),
           sameObjects: names.every((n) => esm[n] === cjs[n]),
           defined: names.every((n) => esm[n] !== undefined),
         };
       }
       console.log(JSON.stringify(result));`,
    ]);
    const result = JSON.parse(out) as Record<string, { names: number; sameNames: boolean; sameObjects: boolean; defined: boolean }>;
    expect(Object.keys(result)).toEqual(specifiers);
    for (const specifier of specifiers) {
      expect({ specifier, ...result[specifier], names: result[specifier].names > 0 }).toEqual({
        specifier,
        names: true,
        sameNames: true,
        sameObjects: true,
        defined: true,
      });
    }
  });

  it("loads the native ES modules (what a browser bundler reads) with the CommonJS build's names", () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module';
       const require = createRequire(process.cwd() + '/');
       const dir = process.cwd() + '/node_modules/rxjs-langchain/dist/esm/';
       const result = {};
       for (const [specifier, entry] of ${JSON.stringify(entries.map((e, i) => [specifiers[i], e]))}) {
         const cjs = Object.keys(require(specifier)).filter((n) => n !== '__esModule').sort();
         const esm = Object.keys(await import(dir + entry + '.mjs')).sort();
         result[specifier] = JSON.stringify(esm) === JSON.stringify(cjs) || { esm, cjs };
       }
       console.log(JSON.stringify(result));`,
    ]);
    expect(JSON.parse(out)).toEqual(Object.fromEntries(specifiers.map((s) => [s, true])));
  });

  const stream = `
    const rx = await load('rxjs-langchain');
    const { ScriptedChatModel } = await load('rxjs-langchain/offline');
    const { lastValueFrom } = await load('rxjs');
    const text = await lastValueFrom(rx.fromRunnable(new ScriptedChatModel({ reply: '你好 🌏' }), 'q').pipe(rx.textContent(), rx.collectText()));
    console.log(JSON.stringify({ text, aborted: new rx.StreamAbortedError() instanceof rx.RxLangChainError }));
  `;

  it('streams through the embedded model with require', () => {
    const out = node(['-e', `const load = async (n) => require(n); (async () => { ${stream} })()`]);
    expect(JSON.parse(out)).toEqual({ text: '你好 🌏', aborted: true });
  });

  it('streams through the embedded model with import', () => {
    const out = node(['--input-type=module', '-e', `const load = (n) => import(n); ${stream}`]);
    expect(JSON.parse(out)).toEqual({ text: '你好 🌏', aborted: true });
  });

  it('keeps its internals private: only the exported subpaths resolve', () => {
    const out = node([
      '-e',
      `for (const p of ['rxjs-langchain/dist/cjs/internal/validate.js', 'rxjs-langchain/internal', 'rxjs-langchain/cli']) {
         try { require(p); console.log(p, 'resolved'); } catch (e) { console.log(p, e.code); }
       }`,
    ]);
    expect(out.trim().split('\n')).toEqual([
      'rxjs-langchain/dist/cjs/internal/validate.js ERR_PACKAGE_PATH_NOT_EXPORTED',
      'rxjs-langchain/internal ERR_PACKAGE_PATH_NOT_EXPORTED',
      'rxjs-langchain/cli ERR_PACKAGE_PATH_NOT_EXPORTED',
    ]);
  });

  it('works without the optional peer ws, and serveChatOverWebSocket says how to install it', () => {
    const out = node([
      '-e',
      `let ws = 'installed';
       try { require.resolve('ws'); } catch { ws = 'missing'; }
       const { serveChatOverWebSocket, FileChatMessageHistory, sendServerSentEvents } = require('rxjs-langchain/node');
       let message = 'no error';
       try { serveChatOverWebSocket(require('node:http').createServer(), { streamTurn: () => { throw new Error('unused'); } }); }
       catch (e) { message = e.constructor.name + ': ' + e.message; }
       console.log(JSON.stringify({ ws, loaded: [typeof FileChatMessageHistory, typeof sendServerSentEvents], message }));`,
    ]);
    expect(JSON.parse(out)).toEqual({
      ws: 'missing',
      loaded: ['function', 'function'],
      message: 'Error: serveChatOverWebSocket needs the optional peer dependency "ws" (>= 8.18): run `npm install ws`.',
    });
  });
});
