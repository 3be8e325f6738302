/**
 * Seed 4.1 — async consumption. The stream is an Observable; `await
 * lastValueFrom(...)` consumes it from async code, and `eachValueFrom` bridges it
 * back out to `for await`, the shape of Python's `async for chunk in
 * chain.astream(...)`. Breaking out of the loop unsubscribes, which aborts the
 * request.
 */
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { lastValueFrom, tap } from 'rxjs';
import { collectText, fromRunnable, textContent } from '../src';
import { eachValueFrom } from './lib/eachValueFrom';
import { charCount, safeText } from './lib/print';
import type { Demo } from './types';

export const demo: Demo = {
  name: 'async',
  seed: '4.1',
  summary: 'consume the stream with await and with for await (Observable → async iterator)',
  async run({ model, out }) {
    const chain = ChatPromptTemplate.fromMessages([
      ['system', '你是助手'],
      ['human', '{question}'],
    ]).pipe(model);
    const question = 'Python有什么特点？';

    out.write('=== 异步流式输出 (await lastValueFrom) ===\nAI: ');
    const response = await lastValueFrom(
      fromRunnable(chain, { question }).pipe(textContent(), tap((text) => out.write(safeText(text))), collectText()),
    );
    out.write(`\n\n完成，共 ${charCount(response)} 字符\n\n`);

    out.write('=== 异步流式输出 (for await) ===\nAI: ');
    let full = '';
    for await (const text of eachValueFrom(fromRunnable(chain, { question }).pipe(textContent()))) {
      out.write(safeText(text));
      full += text;
    }
    out.write(`\n\n完成，共 ${charCount(full)} 字符\n\n`);
  },
};
