/**
 * Seed 8.1 — production chat: a `ChatSession` with `onChunk` / `onComplete`
 * callbacks and a result per turn (text, chunks, duration, time to first
 * chunk). History keeps the whole merged answer of each turn (a naive version
 * stored only the last chunk), so "它" in the second question has a referent.
 */
import { ChatSession, type TurnResult } from '../src';
import { createColors, createStatusLine, type StatusLine } from '../src/cli/terminal';
import { describeChatError } from '../src/cli/describeError';
import { charCount, safeText, seconds } from './lib/print';
import type { Demo } from './types';

export const TURNS = ['介绍Python', '它有什么特点？', '适合什么场景？'];

export const demo: Demo = {
  name: 'session',
  seed: '8.1',
  summary: 'ChatSession with onChunk/onComplete callbacks and a result per turn',
  async run({ model, out, color, baseURL }) {
    const c = createColors(color);
    let status: StatusLine | undefined; // TTY only: chunk count on the bottom row
    const session = new ChatSession({
      model,
      system: '你是专业的Python助手',
      maxMessages: 10,
      onChunk: (text, count) => {
        out.write(safeText(text));
        if (count % 10 === 0) status?.update(`[${count} 块]`);
      },
      onComplete: (result) => {
        status?.close();
        out.write(`\n${c.dim(`[完成: ${result.chunks}块, ${seconds(result.durationMs)}]`)}\n`);
      },
    });
    out.write('=== 生产级流式聊天 ===\n\n');
    const results: TurnResult[] = [];
    try {
      for (const question of TURNS) {
        out.write(`用户: ${question}\nAI: `);
        status = createStatusLine(out);
        const result = await session.ask(question);
        status.close(); // also after an error or a stop, when onComplete is not called
        if (result.error) out.write(`\n${c.red('✖ 错误:')} ${describeChatError(result.error, { baseURL })}\n`);
        else if (result.stopped) out.write(`\n${c.yellow('[已停止]')}\n`);
        results.push(result);
        out.write('\n');
      }
    } finally {
      session.close();
    }
    out.write('=== 每轮结果 ===\n');
    results.forEach((r, i) => {
      const first = r.firstChunkMs === null ? '-' : seconds(r.firstChunkMs);
      out.write(`第${i + 1}轮: ${charCount(r.text)} 字符, ${r.chunks} 块, 首字 ${first}, 用时 ${seconds(r.durationMs)}${r.error ? ', 出错' : ''}\n`);
    });
    const stored = await session.history.getMessages();
    out.write(`历史: ${stored.length} 条消息 (${stored.map((m) => m.getType()).join(', ')})\n\n`);
  },
};
