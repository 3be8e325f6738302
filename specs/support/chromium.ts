import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/** Flags that keep Chromium off the (closed) network and quiet in CI. */
const QUIET_FLAGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
/**
 * `@sparticuz/chromium`'s Lambda defaults we drop: they switch off the same-origin policy (which the
 * browser specs test), and `--single-process` ends the browser when its first page closes.
 */
const DROPPED_FLAGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials', '--single-process']);
const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
/** Set (to anything) to use the packaged Chromium even when a system one is installed (its spec does). */
export const FORCE_PACKAGED = 'RXJS_LANGCHAIN_PACKAGED_CHROMIUM';

export interface ChromiumExecutable {
  executablePath: string;
  args: string[];
  packaged: boolean;
  /** Environment the browser needs (the packaged one: where its fonts are). */
  env?: Record<string, string>;
}

/**
 * Which Chromium the browser specs use: `CHROMIUM_PATH`, else a system Chromium when one is
 * installed (faster to start), else the one `@sparticuz/chromium` ships inside its npm package,
 * so `npm install && npm test` needs no browser installed by hand ({@link packagedChromium}).
 */
export async function chromiumExecutable(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumExecutable> {
  const system = env[FORCE_PACKAGED] ? undefined : env.CHROMIUM_PATH ?? SYSTEM_CHROMIUMS.find((p) => existsSync(p));
  if (system) return { executablePath: system, args: ['--no-sandbox', '--disable-gpu', ...QUIET_FLAGS], packaged: false };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- its CJS build exports the class itself
  const packaged: { args: string[] } = require('@sparticuz/chromium');
  const dir = await packagedChromium(env);
  const args = packaged.args.filter((a) => !DROPPED_FLAGS.has(a));
  return { executablePath: join(dir, 'chromium'), args: [...args, ...QUIET_FLAGS], packaged: true, env: { FONTCONFIG_PATH: join(dir, 'fonts') } };
}

let unpacked: Promise<string> | undefined;

/**
 * The packaged Chromium, unpacked once into a folder of our own and then shared read-only.
 * `@sparticuz/chromium`'s own `executablePath()` unpacks into one shared `/tmp/chromium` and
 * takes the file being there as "unpacked": parallel spec files (and other projects on the
 * machine) launched a half-written binary ("Target page, context or browser has been closed").
 * Here each process unpacks into a private staging folder and renames it into place: the folder
 * appears whole or not at all, the first rename wins, a loser deletes its copy.
 */
export function packagedChromium(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return (unpacked ??= unpack(env));
}

async function unpack(env: NodeJS.ProcessEnv): Promise<string> {
  // Its exports map hides package.json: find the package folder from its entry file.
  const manifest = (dir: string): { name?: string; version: string } | undefined =>
    existsSync(join(dir, 'package.json')) ? JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) : undefined;
  let pkg = dirname(require.resolve('@sparticuz/chromium'));
  while (manifest(pkg)?.name !== '@sparticuz/chromium') pkg = dirname(pkg);
  const bin = join(pkg, 'bin');
  const version = manifest(pkg)!.version;
  const root = env.RXJS_LANGCHAIN_CHROMIUM_DIR ?? tmpdir();
  const final = join(root, `rxjs-langchain-chromium-${version}-${userInfo().uid}`);
  if (existsSync(join(final, 'chromium'))) return final;
  mkdirSync(root, { recursive: true });
  const stage = mkdtempSync(join(root, 'rxjs-langchain-chromium-stage-'));
  try {
    await pipeline(createReadStream(join(bin, 'chromium.br')), createBrotliDecompress(), createWriteStream(join(stage, 'chromium'), { mode: 0o700 }));
    for (const [archive, into] of [['fonts.tar.br', join(stage, 'fonts')], ['swiftshader.tar.br', stage]] as const) {
      mkdirSync(into, { recursive: true });
      const tar = join(stage, archive.replace(/\.br$/, ''));
      await pipeline(createReadStream(join(bin, archive)), createBrotliDecompress(), createWriteStream(tar));
      execFileSync('tar', ['-xf', tar, '-C', into]);
      rmSync(tar);
    }
    renameSync(stage, final);
  } catch (error) {
    rmSync(stage, { recursive: true, force: true });
    // Another process renamed its copy into place first: use that one.
    if (existsSync(join(final, 'chromium'))) return final;
    throw error;
  }
  return final;
}

/** Launches headless Chromium (see {@link chromiumExecutable}); extra `args` are appended. */
export async function launchChromium(options: { args?: string[] } & Omit<LaunchOptions, 'args' | 'executablePath'> = {}): Promise<Browser> {
  const { executablePath, args, env } = await chromiumExecutable();
  const { args: extra = [], ...rest } = options;
  const browser = await chromium.launch({ headless: true, ...rest, executablePath, args: [...args, ...extra], ...(env && { env: { ...process.env, ...env } as Record<string, string> }) });
  return withoutActionTimeouts(browser);
}

/**
 * Playwright gives every wait, click and navigation a 30 s timeout of its own: a wall-clock bound
 * that a loaded 2-core machine can exceed while a page is only slow. Pages and contexts of the
 * specs' browser wait without a bound; the spec's Jest timeout is the one guard against a hang,
 * and nothing in a browser spec measures time.
 */
function withoutActionTimeouts(browser: Browser): Browser {
  const newContext = browser.newContext.bind(browser);
  const newPage = browser.newPage.bind(browser);
  browser.newContext = async (...args) => {
    const context = await newContext(...args);
    context.setDefaultTimeout(0);
    context.setDefaultNavigationTimeout(0);
    return context;
  };
  browser.newPage = async (...args) => {
    const page = await newPage(...args);
    page.setDefaultTimeout(0);
    page.setDefaultNavigationTimeout(0);
    return page;
  };
  return browser;
}
