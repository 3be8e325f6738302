import { lastValueFrom, toArray } from 'rxjs';
import { ChatOpenAI } from '@langchain/openai';
import { createAgent } from 'langchain';
import { fromRunnable } from '../../src/sources/fromRunnable';
import { fromModelEvents } from '../../src/sources/fromModelEvents';
import { fromAgent } from '../../src/sources/fromAgent';
import { toParts } from '../../src/parts/toParts';
import { collectRun } from '../../src/parts/collectRun';
import { createOfflineTools } from '../../src/offline/agentTools';
import { startFakeOpenAIServer, type FakeOpenAIServer, type FakeTurn } from '../../src/testing/fakeOpenAIServer';
import type { StreamPart, ToolCallPart } from '../../src/parts/types';

const openai = (server: FakeOpenAIServer): ChatOpenAI =>
  new ChatOpenAI({ apiKey: 'test-key', model: 'gpt-4o-mini', maxRetries: 0, streamUsage: true, configuration: { baseURL: server.baseURL } });
const calls = (parts: StreamPart[]): Array<Pick<ToolCallPart, 'name' | 'args' | 'invalid' | 'argsText'>> =>
  parts.filter((p): p is ToolCallPart => p.type === 'tool-call').map(({ name, args, invalid, argsText }) => ({ name, args, invalid, argsText }));
const joined = (parts: StreamPart[], type: 'text' | 'reasoning'): string =>
  parts.filter((p) => p.type === type).map((p) => (p as { text: string }).text).join('');

/** Tool calls split where it hurts: mid-escape, between the halves of a surrogate pair, inside Chinese. */
const HARD: FakeTurn = {
  reasoning: '需要查两个版本 🤔',
  toolCalls: [
    { id: 'call_a', name: 'python_release', arguments: '{"version":"3.0","note":"a\\"引号\\"😀"}', fragments: ['{"vers', 'ion":"3.', '0","note":"a\\', '"引', '号\\"\ud83d', '\ude00"}'] },
    { id: 'call_b', name: 'now', arguments: '' }, // a zero-argument tool that streams no arguments at all
    { id: 'call_c', name: 'broken', arguments: '{"x":1,,}' },
  ],
};
const EXPECTED = [
  { name: 'python_release', args: { version: '3.0', note: 'a"引号"😀' }, invalid: undefined, argsText: undefined },
  { name: 'now', args: {}, invalid: undefined, argsText: undefined },
  { name: 'broken', args: {}, invalid: true, argsText: '{"x":1,,}' },
];

describe('toParts with the real ChatOpenAI against the fake OpenAI server', () => {
  let server: FakeOpenAIServer;
  afterEach(() => server?.close());

  it('fromRunnable(model.bindTools(…)) → toParts(): reasoning, fragmented tool calls, UTF-8 split across reads', async () => {
    server = await startFakeOpenAIServer({ turn: () => HARD, writeBytes: 5 }); // 5-byte reads split 3- and 4-byte UTF-8 sequences
    const parts = await lastValueFrom(fromRunnable(openai(server).bindTools(createOfflineTools()), 'q').pipe(toParts(), toArray()));
    expect(joined(parts, 'reasoning')).toBe('需要查两个版本 🤔');
    expect(calls(parts)).toEqual(EXPECTED);
    const args = parts.filter((p) => p.type === 'tool-call-delta' && p.id === 'call_a').map((p) => (p as { argsText: string }).argsText);
    expect(args.join('')).toBe(HARD.toolCalls![0].arguments);
    // call_a is complete as soon as the next call starts, before the reply ends.
    expect(parts.findIndex((p) => p.type === 'tool-call' && p.id === 'call_a')).toBeLessThan(parts.findIndex((p) => p.type === 'tool-call-start' && p.id === 'call_b'));
    expect(parts.filter((p) => p.type === 'step-finish')).toEqual([
      { type: 'step-finish', step: 0, finishReason: 'tool_calls', usage: expect.objectContaining({ output_tokens: server.requests[0].chunksTotal }) },
    ]);
  });

  it('interleaved parallel calls assemble by index', async () => {
    server = await startFakeOpenAIServer({
      turn: () => ({ toolCalls: [{ name: 'python_release', arguments: { version: '2.0' } }, { name: 'python_release', arguments: { version: '3.0' } }], interleave: true, argsChunkChars: 2 }),
    });
    const parts = await lastValueFrom(fromRunnable(openai(server).bindTools(createOfflineTools()), 'q').pipe(toParts(), toArray()));
    expect(calls(parts).map((c) => c.args)).toEqual([{ version: '2.0' }, { version: '3.0' }]);
  });

  it('fromModelEvents (streamEvents without version) → toParts() gives the same calls', async () => {
    server = await startFakeOpenAIServer({ turn: () => HARD });
    const parts = await lastValueFrom(fromModelEvents(openai(server).bindTools(createOfflineTools()), 'q').pipe(toParts(), toArray()));
    expect(joined(parts, 'reasoning')).toBe('需要查两个版本 🤔');
    expect(calls(parts)).toEqual(EXPECTED);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool_use' });
  });

  it('createAgent on ChatOpenAI: the whole run through fromAgent, with the real tools', async () => {
    server = await startFakeOpenAIServer({
      turn: (body) =>
        body.messages.some((m) => m.role === 'tool')
          ? { text: 'Python 3.0 于 2008 年发布，再过 16 年是 2024 年。' }
          : { toolCalls: [{ name: 'python_release', arguments: { version: '3.0' } }, { name: 'add', arguments: { a: 2008, b: 16 } }] },
    });
    const run = await lastValueFrom(fromAgent(createAgent({ model: openai(server), tools: createOfflineTools() }), { messages: [{ role: 'user', content: 'q' }] }).pipe(collectRun()));
    expect(run.toolResults.map((r) => r.content)).toEqual(['{"version":"3.0","released":"2008-12-03"}', '2024']);
    expect(run.text).toBe('Python 3.0 于 2008 年发布，再过 16 年是 2024 年。');
    expect(run.messages.map((m) => m.getType())).toEqual(['ai', 'tool', 'tool', 'ai']);
    expect(run.usage?.output_tokens).toBe(server.requests[0].chunksTotal + server.requests[1].chunksTotal);
    // The second request carried the tool results back to the model.
    expect(server.requests[1].body.messages.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual(['{"version":"3.0","released":"2008-12-03"}', '2024']);
  });
});
