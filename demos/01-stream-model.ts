/**
 * Seed 1.1 — stream a model. Tokens are written as they arrive
 * (process.stdout.write: no buffering, like Python's `print(..., flush=True)`).
 */
import { HumanMessage } from '@langchain/core/messages';
import { fromRunnable, textContent } from '../src';
import { writeAll } from './lib/print';
import type { Demo } from './types';

export const demo: Demo = {
  name: 'stream',
  seed: '1.1',
  summary: 'stream a model reply chunk by chunk',
  async run({ model, out }) {
    out.write('=== 流式输出 ===\nAI: ');
    await writeAll(out, fromRunnable(model, [new HumanMessage('讲一个关于Python的笑话')]).pipe(textContent()));
    out.write('\n\n');
  },
};
