/** Seed 1.2 — stream a prompt → model chain. */
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { fromRunnable, textContent } from '../src';
import { writeAll } from './lib/print';
import type { Demo } from './types';

export const demo: Demo = {
  name: 'chain',
  seed: '1.2',
  summary: 'stream a prompt → model chain',
  async run({ model, out }) {
    const template = ChatPromptTemplate.fromMessages([
      ['system', '你是{role}'],
      ['human', '{question}'],
    ]);
    const chain = template.pipe(model);
    out.write('=== 链式流式输出 ===\nAI: ');
    await writeAll(out, fromRunnable(chain, { role: '故事讲述者', question: '讲一个关于程序员的故事' }).pipe(textContent()));
    out.write('\n\n');
  },
};
