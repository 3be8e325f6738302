/**
 * `ai` 7 for the specs that verify the wire with its client: it declares Node >= 22 (it runs on
 * Node 20), so it is never a dependency of this repository (its `npm install` stays free of
 * EBADENGINE warnings); it is installed once, for the specs, into a cache folder under the OS temp
 * directory, as the consumer specs install the packed package (specs/support/packedPackage.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { npmEnv } from './packedPackage';

/** The `ai` 7 release the facts were checked with. */
export const AI_7_VERSION = '7.0.185';

/** The file URL of `ai` 7's ESM entry, installing it first when needed; or why it is not available. */
export function ai7Entry(): { entry: string } | { skip: string } {
  const dir = join(tmpdir(), 'rxjs-langchain-specs', `ai-${AI_7_VERSION}`);
  const entry = join(dir, 'node_modules', 'ai', 'dist', 'index.js');
  const lock = `${dir}.lock`;
  mkdirSync(join(tmpdir(), 'rxjs-langchain-specs'), { recursive: true });
  for (;;) {
    if (existsSync(join(dir, 'ready'))) return { entry: pathToFileURL(entry).href };
    try {
      mkdirSync(lock);
    } catch {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250); // another worker installs it
      continue;
    }
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ai7-client', private: true, dependencies: { ai: AI_7_VERSION } }));
      execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', '--loglevel=error'], {
        cwd: dir, env: npmEnv(), stdio: 'pipe', timeout: 300_000,
      });
      writeFileSync(join(dir, 'ready'), AI_7_VERSION);
    } catch (error) {
      return { skip: `ai@${AI_7_VERSION} could not be installed into ${dir}: ${(error as Error).message.split('\n')[0]}` };
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}
