import { tool, type StructuredToolInterface } from '@langchain/core/tools';
import { sleep } from '../internal/sleep';
import { PYTHON_RELEASES } from './agentScript';

/** Options of {@link createOfflineTools}. */
export interface OfflineToolsOptions {
  /** How long each tool takes, ms (it stops at once when the run is aborted). Default 0. */
  delayMs?: number;
}

/**
 * The two tools of the offline agent: `add` (a calculator: `{ a, b }` → `a + b`) and
 * `python_release` (`{ version }` → `{"version":"3.0","released":"2008-12-03"}`; an
 * unknown version is a tool error). With `ScriptedChatModel` they make a `createAgent`
 * agent that runs offline; they work with any model that calls tools.
 *
 * @example
 * ```ts
 * import { createAgent } from 'langchain';
 * import { createOfflineTools, ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
 * ```
 *
 * @param options Tool latency.
 * @returns `[add, python_release]`.
 * @see ScriptedChatModel
 */
export function createOfflineTools(options: OfflineToolsOptions = {}): StructuredToolInterface[] {
  const delayMs = options.delayMs ?? 0;
  if (typeof delayMs !== 'number' || !(delayMs >= 0)) throw new RangeError(`createOfflineTools: delayMs must be a number >= 0, got ${String(delayMs)}.`);
  const add = tool(
    async ({ a, b }: { a: number; b: number }, config) => {
      if (delayMs > 0) await sleep(delayMs, config?.signal);
      return String(a + b);
    },
    {
      name: 'add',
      description: 'Adds two numbers and returns the sum. Use a negative b to subtract.',
      schema: {
        type: 'object',
        properties: { a: { type: 'number', description: 'first number' }, b: { type: 'number', description: 'second number' } },
        required: ['a', 'b'],
      },
    },
  );
  const pythonRelease = tool(
    async ({ version }: { version: string }, config) => {
      if (delayMs > 0) await sleep(delayMs, config?.signal);
      const m = /^v?(\d+)\.(\d+)/i.exec(String(version).trim());
      const released = m ? PYTHON_RELEASES[`${m[1]}.${m[2]}`] : undefined;
      if (released === undefined) throw new Error(`Unknown Python version ${JSON.stringify(version)}; known: ${Object.keys(PYTHON_RELEASES).join(', ')}.`);
      return JSON.stringify({ version, released });
    },
    {
      name: 'python_release',
      description: 'Looks up the release date (YYYY-MM-DD) of a Python version such as "3.0" or "3.12".',
      schema: {
        type: 'object',
        properties: { version: { type: 'string', description: 'major.minor, e.g. "3.0"' } },
        required: ['version'],
      },
    },
  );
  return [add, pythonRelease] as StructuredToolInterface[];
}
