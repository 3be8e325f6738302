/**
 * Seed 1.1 — stream a model. Tokens are written as they arrive
 * (process.stdout.write: no buffering, the `flush=True` of the tutorial).
 */
import { HumanMessage } from '@langchain/core/messages';
import { lastValueFrom, tap, defaultIfEmpty } from 'rxjs';
import { fromRunnable, textContent } from '../src';
import type { Demo } from './types';

export const demo: Demo = {
  name: 'stream',
  seed: '1.1',
  summary: 'stream a model reply token by token',
  async run({ model, out }) {
    out.write('=== 流式输出 ===\nAI: ');
    await lastValueFrom(
      fromRunnable(model, [new HumanMessage('讲一个关于Python的笑话')]).pipe(
        textContent(),
        tap((text) => out.write(text)),
        defaultIfEmpty(''),
      ),
    );
    out.write('\n\n');
  },
};
