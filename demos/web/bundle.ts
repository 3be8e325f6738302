/**
 * Builds the web demo's browser scripts from the package with esbuild, in memory, on first use: `/app.js` (the page: RxJS pipelines over `fromServerSentEvents`, imported
 * from the package's platform-neutral root) and `/ai-chat.js` (the AI SDK's own chat client,
 * loaded by the page only in "AI SDK" mode: zod makes it ~600 KB) and `/agent-protocol.js` (the
 * 智能体协议 mode: React and `@langchain/react`'s `useStream`, loaded only in that mode).
 */
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

const SRC = join(__dirname, '..', '..', 'src');

/**
 * Marks the package's own modules free of side effects, so the unused re-exports of the root
 * (and the LangChain modules only they load) drop out of the bundle: ~45 KB instead of ~360 KB.
 * `"sideEffects": false` in package.json would do the same for every app that bundles the package.
 */
const packageIsPure: Plugin = {
  name: 'rxjs-langchain-side-effect-free',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'resolving' });
      if (resolved.errors.length > 0) return resolved;
      return { ...resolved, sideEffects: resolved.path.startsWith(SRC) ? false : resolved.sideEffects };
    });
  },
};

const ENTRIES: Readonly<Record<string, string>> = {
  '/app.js': join(__dirname, 'browser', 'app.ts'),
  '/ai-chat.js': join(__dirname, 'browser', 'aiChat.ts'),
  // The 智能体协议 mode: React, @langchain/react's useStream and the SDK, loaded only in that mode.
  '/agent-protocol.js': join(__dirname, 'browser', 'agentPage.ts'),
};

/** The routes of the scripts. */
export const BROWSER_SCRIPTS = Object.keys(ENTRIES);

const built = new Map<string, Promise<Uint8Array>>();

/**
 * The bundled script for a route (an ES module for current browsers), built on first use and
 * kept for the life of the process: a server that never serves the page never runs esbuild.
 */
export function browserScript(path: string): Promise<Uint8Array> {
  const entry = ENTRIES[path];
  if (!entry) return Promise.reject(new Error(`No browser script ${path}.`));
  let script = built.get(path);
  if (!script) {
    script = build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      write: false,
      external: ['/ai-chat.js', '/agent-protocol.js'],
      define: { 'process.env.NODE_ENV': '"production"' }, // React's production build
      plugins: [packageIsPure],
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0].contents);
    script.catch(() => built.delete(path)); // a failed build is retried by the next request
    built.set(path, script);
  }
  return script;
}
