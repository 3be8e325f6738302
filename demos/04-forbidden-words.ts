/**
 * Seed 2.2 — filter-and-abort. `abortOn` watches the text with one linear pass
 * (no rescanning the whole reply per chunk), holds back anything that could be
 * the start of a forbidden word, and on a match unsubscribes upstream, which
 * aborts the model request. So not even "J", "Ja" or "Jav" reaches the screen,
 * unlike a per-chunk `if 'Java' in chunk` check, which prints the first half of a word split over chunks.
 */
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { finalize, tap } from 'rxjs';
import { abortOn, ForbiddenContentError, fromRunnable, textContent } from '../src';
import { charCount, writeAll } from './lib/print';
import type { Demo } from './types';

export const FORBIDDEN = ['Java'];

export const demo: Demo = {
  name: 'filter',
  seed: '2.2',
  summary: 'stop the stream (and abort the request) at a forbidden word',
  async run({ model, out, color }, args) {
    const forbidden = args.length > 0 ? args : FORBIDDEN;
    const chain = ChatPromptTemplate.fromMessages([
      ['system', '你是助手'],
      ['human', '{question}'],
    ]).pipe(model);
    out.write(`=== 带内容检测的流式输出 (禁用词: ${forbidden.join(', ')}) ===\nAI: `);
    let chunks = 0;
    let torndown = false;
    let response = '';
    try {
      await writeAll(
        out,
        fromRunnable(chain, { question: '介绍一下Python' }).pipe(
          tap(() => chunks++),
          finalize(() => (torndown = true)),
          textContent(),
          abortOn(forbidden),
          tap((text) => (response += text)),
        ),
      );
    } catch (err) {
      if (!(err instanceof ForbiddenContentError)) throw err;
      const red = (s: string): string => (color ? `\x1b[31m${s}\x1b[39m` : s);
      out.write(`\n\n${red(`[检测到敏感内容: ${err.pattern}，停止输出]`)}\n`);
      out.write(`已输出 ${charCount(err.emittedText)} 字符；收到 ${chunks} 个块后模型请求${torndown ? '已中止' : '仍在进行'}。\n\n`);
      return;
    }
    out.write(`\n\n输出完成，共 ${charCount(response)} 字符\n\n`);
  },
};
