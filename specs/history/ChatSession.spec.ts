import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { ChatSession, type TurnResult } from '../../src/history/ChatSession';
import { ChatSessionClosedError, StreamInterruptedError } from '../../src/errors';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { SyncInMemoryChatMessageHistory } from '../../src/history/SyncInMemoryChatMessageHistory';
import { ScriptedChatModel } from '../../src/offline/ScriptedChatModel';
import { textOf } from '../../src/decode/text';

const lastHuman = (messages: BaseMessage[]): string => textOf([...messages].reverse().find((m) => m.getType() === 'human')!);
/** A multi-token reply unique to the question, so a last-chunk-only history would be obvious. */
const answerTo = (question: string): string => `关于「${question}」的完整回答：第一部分，第二部分，第三部分。🐍 End.`;
const dump = (messages: BaseMessage[]): string[] => messages.map((m) => `${m.getType()}:${textOf(m)}`);

function offlineSession(options: { chunkDelayMs?: number; maxMessages?: number } = {}) {
  const prompts: BaseMessage[][] = [];
  const model = new ScriptedChatModel({
    reply: (messages) => answerTo(lastHuman(messages)),
    chunkDelayMs: options.chunkDelayMs,
    onRequest: (messages) => prompts.push(messages),
  });
  return { prompts, model };
}

describe('ChatSession (offline ScriptedChatModel)', () => {
  it('three turns: the third prompt holds the system prompt and the FULL earlier answers', async () => {
    const { prompts, model } = offlineSession();
    const session = new ChatSession({ model, system: '你是专业的Python助手 {not a template}' });
    const questions = ['介绍Python', '它有什么特点？', '适合什么场景？'];
    const results: TurnResult[] = [];
    for (const q of questions) results.push(await session.ask(q));

    expect(results.map((r) => r.text)).toEqual(questions.map(answerTo));
    expect(prompts).toHaveLength(3);
    expect(dump(prompts[2])).toEqual([
      'system:你是专业的Python助手 {not a template}',
      `human:${questions[0]}`, `ai:${answerTo(questions[0])}`,
      `human:${questions[1]}`, `ai:${answerTo(questions[1])}`,
      `human:${questions[2]}`,
    ]);
    const stored = await session.history.getMessages();
    expect(stored).toHaveLength(6);
    expect(stored[1]).toBeInstanceOf(AIMessage);
    expect((stored[1] as AIMessage).usage_metadata?.output_tokens).toBeGreaterThan(5);
    expect(results[0].chunks).toBe((stored[1] as AIMessage).usage_metadata?.output_tokens);
    session.close();
  });

  it('asks fired at once are answered one at a time, each seeing the previous turns', async () => {
    const { prompts, model } = offlineSession({ chunkDelayMs: 1 });
    const session = new ChatSession({ model, system: 'sys' });
    const results = await Promise.all(['一', '二', '三'].map((q) => session.ask(q)));
    expect(results.map((r) => r.text)).toEqual(['一', '二', '三'].map(answerTo));
    expect(prompts.map((p) => p.length)).toEqual([2, 4, 6]);
    expect(dump(prompts[2]).slice(1, 5)).toEqual(['human:一', `ai:${answerTo('一')}`, 'human:二', `ai:${answerTo('二')}`]);
    session.close();
  });

  it('maxMessages windows the history; the system prompt stays outside', async () => {
    const { prompts, model } = offlineSession();
    const session = new ChatSession({ model, maxMessages: 2 });
    for (const q of ['a', 'b', 'c']) await session.ask(q);
    expect(dump(prompts[2])).toEqual(['system:You are a helpful assistant.', 'human:b', `ai:${answerTo('b')}`, 'human:c']);
    session.close();
  });

  it('calls onChunk with running counts and onComplete with the result', async () => {
    const { model } = offlineSession();
    const chunks: [string, number][] = [];
    const completed: TurnResult[] = [];
    const session = new ChatSession({ model, onChunk: (text, n) => chunks.push([text, n]), onComplete: (r) => completed.push(r) });
    const first = await session.ask('x');
    await session.ask('y');
    expect(chunks.map(([t]) => t).join('')).toBe(answerTo('x') + answerTo('y'));
    expect(chunks.filter(([, n]) => n === 1)).toHaveLength(2); // the count restarts each turn
    expect(chunks[first.chunks - 1][1]).toBe(first.chunks);
    expect(completed.map((r) => r.text)).toEqual([answerTo('x'), answerTo('y')]);
    expect(completed[0].firstChunkMs).toBeGreaterThanOrEqual(0);
    session.close();
  });

  it('stop() ends the current reply only: stopped, nothing saved, the next turn works', async () => {
    const { prompts, model } = offlineSession({ chunkDelayMs: 2 });
    let session!: ChatSession;
    session = new ChatSession({ model, onChunk: (_text, n) => n === 3 && session.stop() });
    const stopped = await session.ask('长问题');
    expect(stopped).toMatchObject({ stopped: true, chunks: 3 });
    expect(stopped.error).toBeUndefined(); // a stop is not an error
    expect(answerTo('长问题').startsWith(stopped.text)).toBe(true);
    expect(stopped.text.length).toBeLessThan(answerTo('长问题').length);
    expect(await session.history.getMessages()).toEqual([]);

    session.stop(); // between turns: no effect on the next one
    const next = await new ChatSession({ model, history: session.history }).ask('next');
    expect(next.text).toBe(answerTo('next'));
    expect(dump(prompts[prompts.length - 1])).toEqual(['system:You are a helpful assistant.', 'human:next']);
    session.close();
  });

  it("onIncomplete 'keep-partial' keeps the stopped question and partial answer, marked partial", async () => {
    const { model } = offlineSession({ chunkDelayMs: 2 });
    let session!: ChatSession;
    session = new ChatSession({ model, onIncomplete: 'keep-partial', onChunk: (_t, n) => n === 2 && session.stop() });
    const r = await session.ask('q');
    const stored = await session.history.getMessages();
    expect(dump(stored)).toEqual(['human:q', `ai:${r.text}`]);
    expect(stored[1].response_metadata).toMatchObject({ partial: true, partial_reason: 'stop' });
    expect(stored[1].response_metadata).not.toHaveProperty('finish_reason');
    session.close();
  });

  it("LangChain's FakeListChatModel sends no finish reason: by default each reply is a cut and nothing is saved; requireCompletion: false saves it", async () => {
    const strict = new ChatSession({ model: new FakeListChatModel({ responses: ['你好 🐍'] }) });
    const cut = await strict.ask('hi');
    expect(cut.error).toBeInstanceOf(StreamInterruptedError);
    expect(cut).toMatchObject({ text: '你好 🐍', error: { reason: 'no-finish', partialText: '你好 🐍' } });
    expect(await strict.history.getMessages()).toEqual([]);
    strict.close();

    const lenient = new ChatSession({ model: new FakeListChatModel({ responses: ['你好 🐍'] }), requireCompletion: false });
    const done = await lenient.ask('hi');
    expect(done).toMatchObject({ text: '你好 🐍' });
    expect(done.error).toBeUndefined();
    expect(dump(await lenient.history.getMessages())).toEqual(['human:hi', 'ai:你好 🐍']);
    lenient.close();
  });

  it('unsubscribing from send() while queued withdraws the question: the model never sees it', async () => {
    const { prompts, model } = offlineSession({ chunkDelayMs: 1 });
    const session = new ChatSession({ model });
    const first = session.ask('first');
    session.send('withdrawn').subscribe().unsubscribe();
    const third = await session.ask('third');
    expect((await first).text).toBe(answerTo('first'));
    expect(third.text).toBe(answerTo('third'));
    expect(prompts.map(lastHuman)).toEqual(['first', 'third']);
    expect(dump(await session.history.getMessages()).filter((m) => m.startsWith('human'))).toEqual(['human:first', 'human:third']);
    session.close();
  });

  it('accepts a runnable taking { history, question } instead of a model', async () => {
    const { prompts, model } = offlineSession();
    const prompt = ChatPromptTemplate.fromMessages([['system', 'custom'], new MessagesPlaceholder('history'), ['human', '{question}']]);
    const history = new SyncInMemoryChatMessageHistory();
    const session = new ChatSession({ runnable: prompt.pipe(model), history });
    await session.ask('a');
    await session.ask('b');
    expect(dump(prompts[1])).toEqual(['system:custom', 'human:a', `ai:${answerTo('a')}`, 'human:b']);
    expect(history.getMessagesSync()).toHaveLength(4);
    session.close();
  });

  it('close() aborts the current turn, rejects pending asks, and refuses new questions', async () => {
    const { model } = offlineSession({ chunkDelayMs: 5 });
    const session = new ChatSession({ model });
    const pending = session.ask('q');
    await new Promise((r) => setTimeout(r, 12));
    session.close();
    await expect(pending).rejects.toBeInstanceOf(ChatSessionClosedError);
    expect(() => session.send('again')).toThrow(ChatSessionClosedError);
    expect(await session.history.getMessages()).toEqual([]);
  });

  it('bad input throws at call time with clear messages', () => {
    const { model } = offlineSession();
    expect(() => new ChatSession(undefined as never)).toThrow(new TypeError('ChatSession: options must be an object, got undefined.'));
    expect(() => new ChatSession({})).toThrow(
      new TypeError('ChatSession: pass exactly one of options.model (a chat model) or options.runnable (a chain taking { history, question }) or options.agent (a createAgent agent).'),
    );
    expect(() => new ChatSession({ model: {} as never })).toThrow(
      new TypeError('ChatSession: options.model must be a LangChain chat model (a Runnable), got an object (Object).'),
    );
    expect(() => new ChatSession({ runnable: model as never, system: 'x' })).toThrow(/system applies to options.model only/);
    expect(() => new ChatSession({ model, maxMessages: -2 })).toThrow(RangeError);
    expect(() => new ChatSession({ model, onChunk: 'x' as never })).toThrow(new TypeError('ChatSession: options.onChunk must be a function, got the string "x".'));
    const session = new ChatSession({ model });
    expect(() => session.send(42 as never)).toThrow(new TypeError('ChatSession.send: question must be a string, got the number 42.'));
    session.close();
  });
});
