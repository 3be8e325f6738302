/**
 * Seed 4.2 — three questions streamed concurrently with `mergeStreams`. Each
 * event carries the index of its stream, so the answers are shown as labelled
 * lanes: redrawn in place on a TTY, whole labelled lines when piped (the
 * prints of concurrent streams interleave mid-line). Then the statistics, in
 * question order, from `collectResults`.
 */
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { from, lastValueFrom, tap } from 'rxjs';
import { collectResults, fromRunnable, mergeStreams, textContent } from '../src';
import { createColors, createLanes } from '../src/cli/terminal';
import { describeChatError } from '../src/cli/describeError';
import { charCount, safeText, seconds } from './lib/print';
import type { Demo } from './types';

export const QUESTIONS = ['什么是Python？', '什么是JavaScript？', '什么是Rust？'];

export const demo: Demo = {
  name: 'concurrent',
  seed: '4.2',
  summary: 'three questions streamed at once as labelled lanes, then statistics',
  async run({ model, out, color, baseURL }) {
    const c = createColors(color);
    const chain = ChatPromptTemplate.fromMessages([
      ['system', '你是助手，回答要简洁'],
      ['human', '{question}'],
    ]).pipe(model);
    out.write('=== 并发流式输出 ===\n');
    QUESTIONS.forEach((q, i) => out.write(`[问题${i + 1}] ${q}\n`));
    out.write('\n');

    const lanes = createLanes(out, QUESTIONS.map((_, i) => `[回答${i + 1}]`), { labelStyle: c.cyan });
    const start = performance.now();
    const timing = QUESTIONS.map(() => ({ firstMs: null as number | null, totalMs: 0 }));
    const results = await lastValueFrom(
      from(QUESTIONS).pipe(
        mergeStreams((question) => fromRunnable(chain, { question }).pipe(textContent())),
        tap((event) => {
          const t = timing[event.index];
          if (event.type === 'value') {
            t.firstMs ??= performance.now() - start;
            lanes.append(event.index, event.value);
          } else {
            t.totalMs = performance.now() - start;
            lanes.finish(event.index, event.type === 'error' ? c.red('✖ 出错') : c.dim('✓'));
          }
        }),
        collectResults(),
      ),
    );
    lanes.close();
    const wall = performance.now() - start;
    if (lanes.mode === 'redraw') {
      // The live lanes showed only the latest text of each answer; now the answers in full.
      results.forEach((r) => out.write(`\n${c.cyan(`[回答${r.index + 1}]`)} ${safeText(r.values.join(''))}\n`));
    }

    out.write('\n=== 完成统计 ===\n');
    for (const r of results) {
      const text = r.values.join('');
      const t = timing[r.index];
      const status = r.status === 'complete' ? '' : ` (${r.status}: ${describeChatError(r.error, { baseURL })})`;
      out.write(`问题${r.index + 1}: ${charCount(text)} 字符, 首字 ${t.firstMs === null ? '-' : seconds(t.firstMs)}, 用时 ${seconds(t.totalMs)}${status}\n`);
    }
    const serial = timing.reduce((sum, t) => sum + t.totalMs, 0);
    out.write(`总用时 ${seconds(wall)} (三个请求同时进行; 各自用时之和 ${seconds(serial)})\n\n`);
  },
};
