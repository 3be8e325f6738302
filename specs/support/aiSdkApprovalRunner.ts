/**
 * Runs specs/support/aiSdkApprovalClient.mjs (the AI SDK's own chat client in a child process) for
 * one approval scenario, with `ai` 6 (this repository's) and `ai` 7 (a cache folder).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ai7Entry, AI_7_VERSION } from './aiSdk7';

const CLIENT = join(__dirname, 'aiSdkApprovalClient.mjs');

/** Runs one scenario of the client against `api` and resolves with what it recorded. */
export function runApprovalClient<T>(entry: string, api: string, scenario: string): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLIENT, entry, api, scenario], { maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${scenario}: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as T);
    });
  });
}

const ai7 = ai7Entry();
/** `[name, entry file URL]` of each client; the entry is undefined when `ai` 7 could not be installed (its specs skip). */
export const approvalClients: [string, string | undefined][] = [
  ['ai 6', pathToFileURL(require.resolve('ai').replace(/index\.js$/, 'index.mjs')).href],
  [`ai ${AI_7_VERSION}`, 'entry' in ai7 ? ai7.entry : undefined],
];
if ('skip' in ai7) console.log(`ai 7 client specs skip: ${ai7.skip}`);
