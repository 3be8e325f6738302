import { lastValueFrom, toArray } from 'rxjs';
import { AIMessageChunk, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { createAgent } from 'langchain';
import { ScriptedChatModel, type ScriptedReplyContext } from '../../src/offline/ScriptedChatModel';
import { createOfflineTools } from '../../src/offline/agentTools';
import { PYTHON_RELEASES } from '../../src/offline/agentScript';
import { replyTo } from '../../src/offline/cannedReplies';
import { fromRunnable } from '../../src/sources/fromRunnable';
import { fromAgent } from '../../src/sources/fromAgent';
import { toParts } from '../../src/parts/toParts';
import { collectRun } from '../../src/parts/collectRun';
import { collectMessage } from '../../src/operators/collectMessage';

const ask = (content: string) => ({ messages: [{ role: 'user', content }] });

describe('ScriptedChatModel with tools', () => {
  it('bindTools returns a copy that knows the tool names; the reply function sees them', async () => {
    const contexts: ScriptedReplyContext[] = [];
    const model = new ScriptedChatModel({
      reply: (_messages, context) => {
        contexts.push(context);
        return { toolCalls: [{ name: 'add', args: { a: 1, b: 2 } }] };
      },
    });
    const bound = model.bindTools(createOfflineTools());
    expect(bound).toBeInstanceOf(ScriptedChatModel);
    expect(model.tools).toEqual([]);
    const message = await lastValueFrom(fromRunnable(bound, 'q').pipe(collectMessage()));
    expect(contexts).toEqual([{ tools: ['add', 'python_release'] }]);
    expect(message.tool_calls).toEqual([{ name: 'add', args: { a: 1, b: 2 }, id: 'call_1_0', type: 'tool_call' }]);
    expect(message.response_metadata.finish_reason).toBe('tool_calls');
  });

  it('streams a scripted reply OpenAI-style: reasoning, text, then each call (id and name, then argument fragments)', async () => {
    const model = new ScriptedChatModel({
      reply: { reasoning: '想一想', text: '好的', toolCalls: [{ id: 'c1', name: 'python_release', args: { version: '3.0', 注: '😀' } }] },
    });
    const chunks = await lastValueFrom(fromRunnable(model, 'q').pipe(toArray()));
    const reasoning = chunks.map((c) => (c as AIMessageChunk).additional_kwargs.reasoning_content ?? '').join('');
    expect(reasoning).toBe('想一想');
    const toolChunks = chunks.flatMap((c) => (c as AIMessageChunk).tool_call_chunks ?? []);
    expect(toolChunks[0]).toEqual({ index: 0, id: 'c1', name: 'python_release', args: '', type: 'tool_call_chunk' });
    expect(toolChunks.slice(1).every((t) => t.id === undefined && t.index === 0)).toBe(true);
    expect(toolChunks.map((t) => t.args).join('')).toBe(JSON.stringify({ version: '3.0', 注: '😀' }));
    expect(toolChunks.length).toBeGreaterThan(4); // fragments
    expect(chunks.at(-1)?.usage_metadata?.output_tokens).toBe(chunks.length);
    const parts = await lastValueFrom(fromRunnable(model, 'q').pipe(toParts(), toArray()));
    expect(parts.filter((p) => p.type === 'tool-call')).toEqual([{ type: 'tool-call', id: 'c1', name: 'python_release', args: { version: '3.0', 注: '😀' } }]);
  });

  it('without tools it answers as before (canned replies), also with the offline tools for an unrelated question', async () => {
    const plain = await lastValueFrom(fromRunnable(new ScriptedChatModel(), '讲一个关于Python的笑话').pipe(collectMessage()));
    expect(plain.content).toBe(replyTo('讲一个关于Python的笑话'));
    const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
    const run = await lastValueFrom(fromAgent(agent, ask('讲一个关于Python的笑话')).pipe(collectRun()));
    expect(run.toolCalls).toEqual([]);
    expect(run.text).toBe(replyTo('讲一个关于Python的笑话'));
  });

  it('the offline agent looks up both versions in parallel, then subtracts with add, then answers', async () => {
    const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
    const run = await lastValueFrom(fromAgent(agent, ask('Python 2.0 和 3.0 相隔几年？')).pipe(collectRun()));
    expect(run.toolCalls.map((c) => [c.name, c.args])).toEqual([
      ['python_release', { version: '2.0' }],
      ['python_release', { version: '3.0' }],
      ['add', { a: 2008, b: -2000 }],
    ]);
    expect(run.text).toBe('Python 2.0 于 2000 年 10 月 16 日发布，Python 3.0 于 2008 年 12 月 3 日发布。两个版本相隔 8 年。 🐍');
    expect(run.messages.filter((m) => m.getType() === 'ai')[0].additional_kwargs.reasoning_content).toContain('先查 Python 2.0、3.0 的发布日期');
  });

  it('an unknown version is a tool error, and the answer says so', async () => {
    const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
    const run = await lastValueFrom(fromAgent(agent, ask('Python 9.9 是哪年发布的？')).pipe(collectRun()));
    expect(run.toolResults).toEqual([expect.objectContaining({ name: 'python_release', isError: true })]);
    expect(run.text).toBe('没有查到 Python 9.9 的发布日期。 🐍');
  });

  it('the offline tools: add sums, python_release knows every version it lists', async () => {
    const [add, release] = createOfflineTools();
    expect(await add.invoke({ a: 2008, b: 16 })).toBe('2024');
    for (const [version, released] of Object.entries(PYTHON_RELEASES)) {
      expect(JSON.parse(await release.invoke({ version }))).toEqual({ version, released });
    }
    await expect(release.invoke({ version: '9.9' })).rejects.toThrow(/Unknown Python version "9.9"/);
  });

  it('a tool with delayMs stops at once when its run is aborted', async () => {
    const [add] = createOfflineTools({ delayMs: 10_000 });
    const controller = new AbortController();
    const pending = add.invoke({ a: 1, b: 2 }, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow();
  });

  it('a reply function returning something else is a TypeError naming it', async () => {
    const model = new ScriptedChatModel({ reply: (() => 42) as never });
    await expect(model.invoke([new HumanMessage('q')])).rejects.toThrow(
      new TypeError('ScriptedChatModel: reply() must return a string or { text, reasoning, toolCalls }, got the number 42.'),
    );
  });

  it('scriptFor: the tool results after the last question decide the next step', () => {
    const model = new ScriptedChatModel().bindTools(createOfflineTools());
    const history: BaseMessage[] = [new HumanMessage('Python 3.12 哪年发布？再过 2 年呢？')];
    expect(model.scriptFor(history).toolCalls).toEqual([{ name: 'python_release', args: { version: '3.12' } }]);
    history.push(new ToolMessage({ content: JSON.stringify({ version: '3.12', released: '2023-10-02' }), tool_call_id: 'a', name: 'python_release' }));
    expect(model.scriptFor(history).toolCalls).toEqual([{ name: 'add', args: { a: 2023, b: 2 } }]);
    history.push(new ToolMessage({ content: '2025', tool_call_id: 'b', name: 'add' }));
    expect(model.scriptFor(history)).toEqual({ text: 'Python 3.12 于 2023 年 10 月 2 日发布。2023 + 2 = 2025，所以再过 2 年是 2025 年。 🐍' });
  });
});
