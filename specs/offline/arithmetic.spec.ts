/**
 * The offline agent uses `add` for arithmetic questions (Chinese and English), and no
 * reply of the offline model, canned or generated, says the same sentence twice.
 */
import { lastValueFrom } from 'rxjs';
import { createAgent } from 'langchain';
import { ScriptedChatModel } from '../../src/offline/ScriptedChatModel';
import { createOfflineTools } from '../../src/offline/agentTools';
import { CANNED_REPLIES, replyTo } from '../../src/offline/cannedReplies';
import { fromAgent } from '../../src/sources/fromAgent';
import { collectRun } from '../../src/parts/collectRun';

const ask = (content: string) => ({ messages: [{ role: 'user', content }] });
const agent = () => createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });

describe('the offline agent does arithmetic with add', () => {
  test.each([
    ['123 加 456 等于多少？', { a: 123, b: 456 }, '123 + 456 = 579'],
    ['123加上456是多少', { a: 123, b: 456 }, '123 + 456 = 579'],
    ['1000 减 1 等于几？', { a: 1000, b: -1 }, '1000 - 1 = 999'],
    ['计算 2.5 + 0.25', { a: 2.5, b: 0.25 }, '2.5 + 0.25 = 2.75'],
    ['What is 12 plus 30?', { a: 12, b: 30 }, '12 + 30 = 42'],
    ["what's 100 minus 58", { a: 100, b: -58 }, '100 - 58 = 42'],
    ['7 + 8 = ?', { a: 7, b: 8 }, '7 + 8 = 15'],
    ['-5 + 12', { a: -5, b: 12 }, '-5 + 12 = 7'],
  ])('%s → add %o, then the answer', async (question, args, answer) => {
    const run = await lastValueFrom(fromAgent(agent(), ask(question)).pipe(collectRun()));
    expect(run.toolCalls.map((c) => [c.name, c.args])).toEqual([['add', args]]);
    expect(run.toolResults.map((r) => r.isError)).toEqual([false]);
    expect(run.text).toContain(answer);
  });

  test.each(['讲一个关于Python的笑话', 'Python 3.0 是哪年发布的？', '介绍Python', '1991-02-20 那天发生了什么', '请给我 3 个建议'])(
    '%s: no arithmetic, so no add',
    async (question) => {
      const run = await lastValueFrom(fromAgent(agent(), ask(question)).pipe(collectRun()));
      expect(run.toolCalls.filter((c) => c.name === 'add')).toEqual([]);
    },
  );

  test('without tools bound, an arithmetic question gets a plain reply (no tool calls)', async () => {
    const message = await new ScriptedChatModel().invoke('123 加 456 等于多少？');
    expect(message.tool_calls ?? []).toEqual([]);
    expect(message.text).toBe(replyTo('123 加 456 等于多少？'));
  });
});

/** Sentences: split after 。！？!? and line ends, and after an English full stop followed by a space. */
const sentences = (text: string): string[] =>
  text.split(/(?<=[。！？!?\n])|(?<=\.)\s+/u).map((s) => s.trim()).filter((s) => s.length > 1);

describe('no reply of the offline model repeats a sentence', () => {
  const questions = [
    '你好，请介绍一下你自己', '你好', '介绍Python', '它有什么特点？', '适合什么场景？', '讲一个笑话', '讲一个故事',
    '详细介绍Python的历史和发展', '什么是 Rust', '今天天气怎么样', '推荐几本书', '如何学习编程？', 'RxJS 是什么',
    'Tell me about yourself', 'How do I cancel a stream?', 'What is the weather like?', 'Recommend a book', 'hello there',
    '', '?', '为什么', 'why', 'a', '中', '🐍', 'こんにちは', '안녕하세요',
    ...Array.from({ length: 200 }, (_, i) => `问题 ${i}`), ...Array.from({ length: 200 }, (_, i) => `question ${i}`),
  ];
  test.each(CANNED_REPLIES.map((c, i): [number, string] => [i, c.reply]))('canned reply %i', (_i, reply) => {
    const all = sentences(reply);
    expect(all.filter((s, i) => all.indexOf(s) !== i)).toEqual([]);
  });

  test(`generated replies to ${questions.length} questions`, () => {
    const repeated = questions.flatMap((q) => {
      const all = sentences(replyTo(q));
      return all.filter((s, i) => all.indexOf(s) !== i).map((s) => `${q} → ${s}`);
    });
    expect(repeated).toEqual([]);
  });
});
