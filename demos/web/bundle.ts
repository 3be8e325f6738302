/**
 * Builds the web demo's browser scripts from the package with esbuild, in memory, on first use: `/app.js` (the page: RxJS pipelines over `fromServerSentEvents`, imported
 * from the package's platform-neutral root) and `/ai-chat.js` (the AI SDK's own chat client,
 * loaded by the page only in "AI SDK" mode: zod makes it ~600 KB) and `/agent-protocol.js` (the
 * 智能体协议 mode: React and `@langchain/react`'s `useStream`, loaded only in that mode).
 */
import { join } from 'node:path';
import { build } from 'esbuild';

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
      logLevel: 'silent',
      // No plugin: package.json's `"sideEffects": false` already lets esbuild drop the package's unused
      // modules (app.js ~37 KB, not ~360 KB). A plugin that marked them so itself gave byte-identical
      // app.js and ai-chat.js, and an agent-protocol.js differing only in esbuild's Node-mode interop
      // flag for react and p-queue (same default imports), but took 4-5× as long: a JS round trip for
      // each of ~8,000 relative imports per build (docs/decisions/0390).
    }).then((result) => result.outputFiles[0].contents);
    script.catch(() => built.delete(path)); // a failed build is retried by the next request
    built.set(path, script);
  }
  return script;
}
