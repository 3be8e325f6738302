// The browser bundle of issue 26: a program importing `fromServerSentEvents`,
// `decodeUIMessageStream`, `textContent` and `abortOn` from the packed package, bundled the way an
// application bundles it (esbuild, minified, platform browser, rxjs included), stays at most 40 KB
// gzipped and carries no @langchain/core, zod or langsmith (decision 0150). npm run bench reports
// the same figure from the sources.
import { BROWSER_BUNDLE_GOAL_BYTES, browserProgram, bundleBrowserProgram, type BundleFigure } from '../../bench/browserBundle';
import { installedPackage } from '../support/packedPackage';

let figure: BundleFigure;
beforeAll(async () => {
  const pkg = installedPackage();
  figure = await bundleBrowserProgram(browserProgram('rxjs-langchain'), pkg.root);
}, 600_000);

it('bundles from the native ES modules (dist/esm), not the CommonJS build', () => {
  const ours = figure.byPackage.filter(([k]) => k.startsWith('rxjs-langchain: ')).map(([k]) => k.slice('rxjs-langchain: '.length));
  expect(ours).toEqual(expect.arrayContaining(['sources/fromServerSentEvents.mjs', 'operators/abortOn.mjs']));
  expect(ours.filter((f) => !f.endsWith('.mjs'))).toEqual([]);
});

it('carries no @langchain/core, zod or langsmith: the modules the program reaches import none at run time', () => {
  expect(figure.heavy).toEqual([]);
  expect(figure.byPackage.map(([k]) => k)).toEqual(expect.arrayContaining(['rxjs']));
});

it('is at most 40 KB gzipped, rxjs included', () => {
  expect(figure.gzip).toBeLessThanOrEqual(BROWSER_BUNDLE_GOAL_BYTES);
  expect(figure.gzip).toBeGreaterThan(5 * 1024); // rxjs alone is ≈ 5 KB: a much smaller figure measured nothing
});
