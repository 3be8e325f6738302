import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/** Flags that keep Chromium off the (closed) network and quiet in CI. */
const QUIET_FLAGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
/**
 * `@sparticuz/chromium`'s Lambda defaults we drop: they switch off the same-origin policy (which the
 * browser specs test), and `--single-process` ends the browser when its first page closes.
 */
const DROPPED_FLAGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials', '--single-process']);
const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Which Chromium the browser specs use: `CHROMIUM_PATH`, else a system Chromium when one is
 * installed (faster to start), else the one `@sparticuz/chromium` ships inside its npm package,
 * so `npm install && npm test` needs no browser installed by hand.
 */
export async function chromiumExecutable(): Promise<{ executablePath: string; args: string[]; packaged: boolean }> {
  const system = process.env.CHROMIUM_PATH ?? SYSTEM_CHROMIUMS.find((p) => existsSync(p));
  if (system) return { executablePath: system, args: ['--no-sandbox', '--disable-gpu', ...QUIET_FLAGS], packaged: false };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- its CJS build exports the class itself
  const packaged: { args: string[]; executablePath(): Promise<string> } = require('@sparticuz/chromium');
  const args = packaged.args.filter((a) => !DROPPED_FLAGS.has(a));
  return { executablePath: await packaged.executablePath(), args: [...args, ...QUIET_FLAGS], packaged: true };
}

/** Launches headless Chromium (see {@link chromiumExecutable}); extra `args` are appended. */
export async function launchChromium(options: { args?: string[] } & Omit<LaunchOptions, 'args' | 'executablePath'> = {}): Promise<Browser> {
  const { executablePath, args } = await chromiumExecutable();
  const { args: extra = [], ...rest } = options;
  return chromium.launch({ headless: true, ...rest, executablePath, args: [...args, ...extra] });
}
