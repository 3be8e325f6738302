/**
 * Seed 3.2 — progress display. `tapProgress` reports when a threshold is
 * *crossed* (a chunk that jumps from 48 to 53 characters reports for 50; the
 * check `count % 50 == 0` misses it) and once more with `done: true`.
 * On a TTY the progress goes to a status line on the bottom row; when piped it
 * is written inline as ` [50字]`.
 */
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { finalize } from 'rxjs';
import { createColors, createStatusLine } from '../src/cli/terminal';
import { fromRunnable, tapProgress, textContent, type ProgressEvent } from '../src';
import { writeAll } from './lib/print';
import type { Demo } from './types';

export const PROGRESS_EVERY_CHARS = 50;

export const demo: Demo = {
  name: 'progress',
  seed: '3.2',
  summary: `progress every ${PROGRESS_EVERY_CHARS} characters and a final done event`,
  async run({ model, out, color }) {
    const c = createColors(color);
    const chain = ChatPromptTemplate.fromMessages([
      ['system', '你是助手'],
      ['human', '{question}'],
    ]).pipe(model);
    out.write('=== 带进度的流式输出 ===\nAI: ');
    const status = createStatusLine(out);
    let final: ProgressEvent | undefined;
    const report = (p: ProgressEvent): void => {
      if (p.done) {
        final = p;
        return;
      }
      const line = `[${p.chars}字 · ${p.words}词 · ${(p.elapsedMs / 1000).toFixed(1)}秒]`;
      if (status.enabled) status.update(line);
      else out.write(c.dim(` [${p.chars}字]`));
    };
    await writeAll(
      out,
      fromRunnable(chain, { question: '详细介绍Python的历史和发展' }).pipe(
        textContent(),
        tapProgress(report, { everyChars: PROGRESS_EVERY_CHARS }),
        finalize(() => status.close()),
      ),
    );
    out.write(`\n\n[完成: ${final!.chars}字符, ${final!.words}词, ${final!.chunks}块, ${(final!.elapsedMs / 1000).toFixed(2)}秒]\n\n`);
  },
};
