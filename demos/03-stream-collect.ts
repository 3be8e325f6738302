/**
 * Seed 2.1 — stream and collect: write tokens as they arrive and get the whole
 * reply at the end, from the same single request. `collectMessage()` merges the
 * chunks with LangChain's `concat`, so the full message keeps `usage_metadata`.
 */
import { ChatPromptTemplate } from '@langchain/core/prompts';
import type { AIMessageChunk } from '@langchain/core/messages';
import { lastValueFrom, tap } from 'rxjs';
import { collectMessage, fromRunnable } from '../src';
import { charCount, safeText } from './lib/print';
import type { Demo } from './types';

export const demo: Demo = {
  name: 'collect',
  seed: '2.1',
  summary: 'stream a reply and collect the whole text (length in characters)',
  async run({ model, out }) {
    const chain = ChatPromptTemplate.fromMessages([
      ['system', '你是助手'],
      ['human', '{question}'],
    ]).pipe(model);
    out.write('=== 流式输出并收集 ===\nAI: ');
    const message = await lastValueFrom(
      fromRunnable(chain, { question: 'Python的特点是什么？' }).pipe(
        tap((chunk) => out.write(safeText(chunk.text))),
        collectMessage<AIMessageChunk>(),
      ),
    );
    const response = message.text;
    out.write('\n\n');
    out.write(`完整响应长度: ${charCount(response)} 字符\n`);
    const usage = message.usage_metadata;
    if (usage) out.write(`用量: 输入 ${usage.input_tokens} tokens, 输出 ${usage.output_tokens} tokens\n`);
    out.write('\n');
  },
};
