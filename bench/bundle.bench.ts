/**
 * The browser bundle: the four-import program of issue 26 (`fromServerSentEvents`,
 * `decodeUIMessageStream`, `textContent`, `abortOn`) bundled with esbuild (minified, platform
 * browser, rxjs included) from this repository's sources, against the same job done with the
 * AI SDK's `DefaultChatTransport` + `readUIMessageStream`. Goal: ≤ 40 KB gzipped.
 * specs/package/browser-size.spec.ts guards the same figure on the packed package.
 */
import { join } from 'node:path';
import { BROWSER_BUNDLE_GOAL_BYTES, browserProgram, bundleBrowserProgram } from './browserBundle';
import { kb, verdict } from './measure';

const AI_SDK_PROGRAM = `
import { DefaultChatTransport, readUIMessageStream } from 'ai';
export { DefaultChatTransport, readUIMessageStream };
`;

export async function run(): Promise<void> {
  const root = join(__dirname, '..');
  const ours = await bundleBrowserProgram(browserProgram(join(root, 'src/index.ts')), root);
  const aiSdk = await bundleBrowserProgram(AI_SDK_PROGRAM, root);
  console.log(
    `browser program (4 imports, esbuild --minify, rxjs included): ${kb(ours.gzip)} gzipped (${kb(ours.raw)} minified); ` +
      `goal ≤ ${kb(BROWSER_BUNDLE_GOAL_BYTES)}: ${verdict(ours.gzip, BROWSER_BUNDLE_GOAL_BYTES)}; ` +
      `AI SDK DefaultChatTransport + readUIMessageStream: ${kb(aiSdk.gzip)} gzipped (${(aiSdk.gzip / ours.gzip).toFixed(1)}× ours)`,
  );
  console.log(`  largest parts: ${ours.byPackage.slice(0, 6).map(([k, n]) => `${k} ${kb(n)}`).join(', ')}`);
  if (ours.heavy.length > 0) console.log(`  MISSED: @langchain/core, zod or langsmith in the output: ${ours.heavy.join(', ')}`);
}
