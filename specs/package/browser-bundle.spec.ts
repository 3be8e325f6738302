// The root entry in a browser: a page's TypeScript importing `rxjs-langchain` (from the packed
// package) type-checks with DOM types and no @types/node, bundles with esbuild for the browser, and
// runs an operator pipeline over a LangChain chat model in headless Chromium.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { installedPackage, type InstalledPackage } from '../support/packedPackage';

const PAGE_SOURCE = `
import { lastValueFrom, toArray } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import { FakeStreamingChatModel } from '@langchain/core/utils/testing';
import { fromRunnable, textContent, abortOn, collectText, smooth, streamMetrics, toServerSentEvents } from 'rxjs-langchain';

declare global {
  interface Window {
    runPipelines(): Promise<unknown>;
  }
}

window.runPipelines = async () => {
  const pieces = ['Python 比 ', 'Ja', 'va 简单 🐍', '。'];
  const model = new FakeStreamingChatModel({ chunks: pieces.map((content) => new AIMessageChunk({ content })) });
  let aborted = false;
  const signalled = {
    stream: (input: string, options?: { signal?: AbortSignal }) => {
      options?.signal?.addEventListener('abort', () => (aborted = true));
      return model.stream(input, options);
    },
  };
  const safe = await lastValueFrom(fromRunnable(signalled, '比较Python和Java').pipe(textContent(), abortOn(['Java'], { mode: 'complete' }), collectText()));
  const words = await lastValueFrom(fromRunnable(model, 'hi').pipe(textContent(), smooth({ chunking: 'word' }), toArray()));
  const metrics = await lastValueFrom(fromRunnable(model, 'hi').pipe(textContent(), streamMetrics()));
  const frames = await lastValueFrom(fromRunnable(model, 'hi').pipe(textContent(), toServerSentEvents(), toArray()));
  return { safe, aborted, words, chunks: metrics.chunks, frames: frames.length, userAgent: navigator.userAgent.includes('Chrome') };
};
`;

let pkg: InstalledPackage;
let dir: string;
let browser: Browser | undefined;
beforeAll(() => {
  pkg = installedPackage();
  dir = mkdtempSync(join(pkg.root, 'browser-'));
  writeFileSync(join(dir, 'page.ts'), PAGE_SOURCE);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'browser-page', private: true, type: 'module' }));
}, 600_000);
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('type-checks against DOM types only: the root declarations need no @types/node (strict, no skipLibCheck)', () => {
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      // ESNext: @langchain/core's declarations use Symbol.asyncDispose.
      compilerOptions: { target: 'ES2022', lib: ['ESNext', 'DOM', 'DOM.Iterable'], module: 'esnext', moduleResolution: 'bundler', strict: true, noEmit: true, types: [] },
      files: ['page.ts'],
    }),
  );
  const tsc = join(pkg.root, 'node_modules/typescript/bin/tsc');
  let output = '';
  try {
    output = execFileSync(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  expect(output).toBe('');
}, 300_000);

it('bundles for the browser with esbuild and runs operator pipelines in Chromium', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a dev dependency of this repository
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: dir,
    entryPoints: ['page.ts'],
    outfile: 'out/page.js',
    bundle: true,
    platform: 'browser', // a Node builtin anywhere in the graph fails the build
    format: 'iife',
    target: 'es2022',
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((i) => i.includes('node_modules/rxjs-langchain/dist/'))).toBe(true);
  expect(inputs.filter((i) => /^node:|[\\/]node_modules[\\/]ws[\\/]/.test(i))).toEqual([]);

  browser = await launchChromium();
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.setContent('<!doctype html><meta charset="utf-8"><title>rxjs-langchain</title>');
  await page.addScriptTag({ content: readFileSync(join(dir, 'out/page.js'), 'utf8') });
  const outcome = await page.evaluate(() => window.runPipelines());
  expect(errors).toEqual([]);
  expect((outcome as { words: string[] }).words.join('')).toBe('Python 比 Java 简单 🐍。');
  expect(outcome).toEqual({
    safe: 'Python 比 ',
    aborted: true, // abortOn's match aborted the model's signal
    // smooth re-chunks the text into words with Chromium's Intl.Segmenter: nothing lost or split.
    words: expect.arrayContaining(['Python ', '比 ', 'Java ']),
    chunks: 4,
    frames: 5, // four chunks and the final `done` event
    userAgent: true,
  });
}, 300_000);

declare global {
  interface Window {
    runPipelines(): Promise<unknown>;
  }
}
