/**
 * The browser program of issue 26, bundled the way an application bundles it (esbuild, minified,
 * platform browser, rxjs included): one shared helper for bench/bundle.bench.ts (from `src`) and
 * specs/package/browser-size.spec.ts (from the packed package's ES modules).
 */
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/** The goal: the four-import program at most this many gzipped bytes, rxjs included. */
export const BROWSER_BUNDLE_GOAL_BYTES = 40 * 1024;

/** Packages that must not reach a browser program's output (the issue measured 336 KB with them). */
export const HEAVY_PACKAGES = /[\\/]node_modules[\\/](@langchain[\\/]core|zod|langsmith)[\\/]/;

/** The program: reads a UI message stream over SSE and shows its text, stopped at a forbidden word. */
export const browserProgram = (from: string): string => `
import { fromServerSentEvents, decodeUIMessageStream, textContent, abortOn } from ${JSON.stringify(from)};
export function show(url, element) {
  return fromServerSentEvents(url)
    .pipe(decodeUIMessageStream(), textContent(), abortOn(['Java']))
    .subscribe({ next: (text) => (element.textContent += text), error: (e) => (element.title = String(e)) });
}
`;

export interface BundleFigure {
  /** Minified bytes, and gzipped. */
  raw: number;
  gzip: number;
  /** Bytes in the output by package (or by file of ours), largest first. */
  byPackage: Array<[string, number]>;
  /** Inputs that put bytes in the output from a HEAVY_PACKAGES package. */
  heavy: string[];
}

/** Bundles `source` (an ES module) in a temporary directory under `dir`, so `node_modules` resolves from there. */
export async function bundleBrowserProgram(source: string, dir: string): Promise<BundleFigure> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a dev dependency
  const esbuild = require('esbuild') as typeof import('esbuild');
  const work = mkdtempSync(join(dir ?? tmpdir(), 'browser-program-'));
  try {
    writeFileSync(join(work, 'program.mjs'), source);
    const result = await esbuild.build({
      absWorkingDir: work,
      entryPoints: ['program.mjs'],
      outfile: 'out.js',
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].contents;
    const inputs = Object.values(result.metafile.outputs)[0].inputs;
    const byPackage = new Map<string, number>();
    const heavy: string[] = [];
    for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
      if (bytesInOutput === 0) continue;
      if (HEAVY_PACKAGES.test(path)) heavy.push(path);
      const m = /node_modules[\\/](@[^\\/]+[\\/][^\\/]+|[^\\/]+)/.exec(path);
      const key = m && m[1] !== 'rxjs-langchain' ? m[1] : `rxjs-langchain: ${path.replace(/^.*?(dist[\\/]esm|src)[\\/]/, '')}`;
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
    return { raw: code.byteLength, gzip: gzipSync(code).byteLength, byPackage: [...byPackage].sort((a, b) => b[1] - a[1]), heavy };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
