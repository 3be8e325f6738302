/**
 * Chat turns over agent runs: chatTurns(streamAgentTurn(agent)) and ChatSession({ agent }) with the
 * offline agent (ScriptedChatModel + createOfflineTools), and chatTurns over a bound marble model's
 * parts in virtual time. What the user saw (the events) and what the history holds afterwards: the
 * whole run when it finished, never a tool call without its result, nothing cut saved as complete.
 */
import { from, lastValueFrom, Subject, takeWhile, tap, toArray, type Observable } from 'rxjs';
import { createAgent } from 'langchain';
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { chatTurns } from '../../src/history/chatTurns';
import { ChatSession } from '../../src/history/ChatSession';
import { streamAgentTurn } from '../../src/history/streamAgentTurn';
import { SyncInMemoryChatMessageHistory } from '../../src/history/SyncInMemoryChatMessageHistory';
import { ScriptedChatModel } from '../../src/offline/ScriptedChatModel';
import { createOfflineTools } from '../../src/offline/agentTools';
import { fromAgent } from '../../src/sources/fromAgent';
import { fromRunnable } from '../../src/sources/fromRunnable';
import { toParts } from '../../src/parts/toParts';
import { StreamInterruptedError } from '../../src/errors';
import { marbleChatModel } from '../../src/testing/marbleChatModel';
import { chunk, toolCallChunk } from '../../src/testing/marbleChunks';
import type { StreamPart } from '../../src/parts/types';
import type { TurnEvent, TurnFailedEvent, TurnInput } from '../../src/history/types';
import { createScheduler } from '../support/marbles';

const Q1 = 'Python 3.0 是哪一年发布的？再过 16 年是哪一年？';
const A1 = 'Python 3.0 于 2008 年 12 月 3 日发布。2008 + 16 = 2024，所以再过 16 年是 2024 年。 🐍';
const Q2 = 'Python 2.0 和 3.0 相隔几年？';
const RELEASE_30 = '{"version":"3.0","released":"2008-12-03"}';

/** [type, text, tool call names, tool_call_id] per message. */
const dump = (messages: readonly BaseMessage[]) =>
  messages.map((m) => [
    m.getType(),
    m.text,
    (m as AIMessage).tool_calls?.map((c) => c.name) ?? [],
    (m as ToolMessage).tool_call_id ?? '',
  ]);
const types = (events: TurnEvent[]) => events.map((e) => (e.type === 'chunk' ? e.part?.type : e.type)).filter((t) => t !== 'reasoning' && t !== 'text' && t !== 'tool-call-delta');
/** Every tool call id in `messages` is answered by a later ToolMessage. */
const unanswered = (messages: readonly BaseMessage[]) => {
  const answered = new Set(messages.filter((m) => m instanceof ToolMessage).map((m) => (m as ToolMessage).tool_call_id));
  return messages.flatMap((m) => [...((m as AIMessage).tool_calls ?? []), ...((m as AIMessage).invalid_tool_calls ?? [])]).filter((c) => !answered.has(c.id!));
};

/** Runs the questions through chatTurns, calling `onEvent` for each event as it arrives. */
function runTurns(
  questions: string[], streamTurn: (input: TurnInput) => Observable<StreamPart>, options: Parameters<typeof chatTurns>[1], onEvent: (e: TurnEvent) => void = () => undefined,
): Promise<TurnEvent[]> {
  return lastValueFrom(from(questions).pipe(chatTurns(streamTurn, options), tap(onEvent), toArray()));
}

function offlineAgent() {
  const prompts: BaseMessage[][] = [];
  const model = new ScriptedChatModel({ firstChunkDelayMs: 0, chunkDelayMs: 0, onRequest: (messages) => prompts.push(messages) });
  return { agent: createAgent({ model, tools: createOfflineTools() }), prompts };
}

describe('chatTurns over agent runs (offline agent)', () => {
  it('saves the whole run: the AIMessages with their tool calls, the ToolMessages, the answer; the next turn sees them', async () => {
    const { agent, prompts } = offlineAgent();
    const history = new SyncInMemoryChatMessageHistory();
    const events = await lastValueFrom(from([Q1, Q2]).pipe(chatTurns(streamAgentTurn(agent), { history }), toArray()));
    const first = events.filter((e) => e.turn === 0);
    expect(types(first)).toEqual([
      'step-start', 'tool-call-start', 'tool-call', 'usage', 'step-finish', 'tool-result',
      'step-start', 'tool-call-start', 'tool-call', 'usage', 'step-finish', 'tool-result',
      'step-start', 'usage', 'step-finish', 'finish', 'done',
    ]);
    // The text the user saw is the answer; arguments stream as parts, with text ''.
    expect(first.filter((e) => e.type === 'chunk').map((e) => (e as { text: string }).text).join('')).toBe(A1);
    const args = first.flatMap((e) => (e.type === 'chunk' && e.part?.type === 'tool-call-delta' ? [e.part.argsText] : [])).join('');
    expect(args).toBe('{"version":"3.0"}{"a":2008,"b":16}');
    const done = first.at(-1)!;
    expect(done).toMatchObject({ type: 'done', text: A1, message: { text: A1 } });

    const saved = history.getMessagesSync();
    expect(dump(saved.slice(0, 6))).toEqual([
      ['human', Q1, [], ''],
      ['ai', '', ['python_release'], ''],
      ['tool', RELEASE_30, [], 'call_1_0'],
      ['ai', '', ['add'], ''],
      ['tool', '2024', [], 'call_3_0'],
      ['ai', A1, [], ''],
    ]);
    expect(done.type === 'done' && done.messages).toEqual(saved.slice(1, 6));
    expect((saved[5] as AIMessage).response_metadata).toMatchObject({ finish_reason: 'stop' });
    expect((saved[1] as AIMessage).response_metadata).toMatchObject({ finish_reason: 'tool_calls' });
    // Turn 1: the model's first prompt is the whole earlier run, then the new question.
    const turn1 = prompts[3];
    expect(dump(turn1)).toEqual([...dump(saved.slice(0, 6)), ['human', Q2, [], '']]);
    expect(events.at(-1)).toMatchObject({ type: 'done', turn: 1 });
    expect(unanswered(history.getMessagesSync())).toEqual([]);
  });

  it.each([
    ['after the first tool result', (p: StreamPart) => p.type === 'tool-result', [
      ['human', Q1, [], ''], ['ai', '', ['python_release'], ''], ['tool', RELEASE_30, [], 'call_1_0'], ['ai', '', [], ''],
    ]],
    ['while the second step\'s tool call waits for its result', (p: StreamPart) => p.type === 'step-finish' && p.step === 1, [
      ['human', Q1, [], ''], ['ai', '', ['python_release'], ''], ['tool', RELEASE_30, [], 'call_1_0'], ['ai', '', [], ''],
    ]],
    ['in the answer', (p: StreamPart) => p.type === 'text', [
      ['human', Q1, [], ''], ['ai', '', ['python_release'], ''], ['tool', RELEASE_30, [], 'call_1_0'], ['ai', '', ['add'], ''], ['tool', '2024', [], 'call_3_0'], ['ai', 'Python', [], ''],
    ]],
  ])("stopped %s: 'discard' saves nothing; 'keep-partial' saves the run so far without an unanswered tool call, the last message partial", async (_when, at, expected) => {
    for (const onIncomplete of ['discard', 'keep-partial'] as const) {
      const { agent } = offlineAgent();
      const history = new SyncInMemoryChatMessageHistory();
      const stop$ = new Subject<void>();
      const seen: StreamPart[] = [];
      const all = await runTurns([Q1], streamAgentTurn(agent), { history, stop$, onIncomplete }, (e) => {
        if (e.type !== 'chunk') return;
        seen.push(e.part!);
        if (at(e.part!)) stop$.next(); // from inside the event stream, at that part
      });
      const last = all.at(-1) as TurnFailedEvent;
      expect(last).toMatchObject({ type: 'stopped', saved: onIncomplete === 'keep-partial' });
      expect(at(seen.at(-1)!)).toBe(true); // nothing reached the user after the stop
      const saved = history.getMessagesSync();
      if (onIncomplete === 'discard') {
        expect(saved).toEqual([]);
        continue;
      }
      expect(dump(saved)).toEqual(expected);
      expect(unanswered(saved)).toEqual([]);
      const partial = saved.at(-1) as AIMessage;
      expect(partial.response_metadata).toMatchObject({ partial: true, partial_reason: 'stop' });
      expect(partial.response_metadata.finish_reason).toBeUndefined();
      // The finished steps before it keep their finish reason and are not marked partial.
      expect((saved[1] as AIMessage).response_metadata).toEqual({ finish_reason: 'tool_calls' });
    }
  });

  it('a run cut cleanly (the part stream completes inside a step): error event with StreamInterruptedError, nothing saved as complete', async () => {
    const { agent, prompts } = offlineAgent();
    const history = new SyncInMemoryChatMessageHistory();
    // The stream ends cleanly inside step 1 (its tool call streamed, no step-finish): what a dropped run looks like.
    const cut = (input: TurnInput) => fromAgent(agent, { messages: [...input.history, new HumanMessage(input.question)] })
      .pipe(takeWhile((p) => !(p.type === 'step-finish' && p.step === 1)));
    let turn = 0;
    const events = await runTurns([Q1, Q2], (input) => (turn++ === 0 ? cut(input) : streamAgentTurn(agent)(input)), { history });
    const failed = events.find((e) => e.type === 'error') as TurnFailedEvent;
    expect(failed).toMatchObject({ turn: 0, saved: false, partialText: '' });
    expect(failed.error).toBeInstanceOf(StreamInterruptedError);
    expect(failed.error).toMatchObject({ reason: 'no-finish' });
    const saved = history.getMessagesSync();
    expect(saved.filter((m) => m.getType() === 'human').map((m) => m.text)).toEqual([Q2]); // only turn 1 is saved
    expect(saved[0].text).toBe(Q2);
    expect(events.at(-1)).toMatchObject({ type: 'done', turn: 1 });
    expect(prompts[2].map((m) => m.text)).toEqual([Q2]); // turn 1's first prompt holds nothing of the cut run
  });

  it("'keep-partial' saves a cut run like a stopped one, marked partial_reason 'cut'", async () => {
    const { agent } = offlineAgent();
    const history = new SyncInMemoryChatMessageHistory();
    const cut = (input: TurnInput) => fromAgent(agent, { messages: [new HumanMessage(input.question)] })
      .pipe(takeWhile((p) => !(p.type === 'step-finish' && p.step === 1)));
    const [, ...rest] = await runTurns([Q1], cut, { history, onIncomplete: 'keep-partial' });
    expect(rest.at(-1)).toMatchObject({ type: 'error', saved: true });
    const saved = history.getMessagesSync();
    expect(dump(saved)).toEqual([
      ['human', Q1, [], ''], ['ai', '', ['python_release'], ''], ['tool', RELEASE_30, [], 'call_1_0'], ['ai', '', [], ''],
    ]);
    expect((saved[3] as AIMessage).response_metadata).toMatchObject({ partial: true, partial_reason: 'cut' });
  });

  it('a turn streams message chunks or parts, never both: a TypeError event says so', async () => {
    const mixed = () => from<unknown[]>([{ type: 'step-start', step: 0 }, chunk('x')]) as Observable<StreamPart>;
    const [, event] = await runTurns(['q'], mixed, {});
    expect(event).toMatchObject({ type: 'error', saved: false });
    expect((event as TurnFailedEvent).error).toEqual(
      new TypeError('chatTurns: streamTurn emitted parts, then an object (AIMessageChunk); an agent turn streams parts only (pipe raw values through toParts()).'),
    );
  });

  it('streamAgentTurn checks its arguments at call time', () => {
    expect(() => streamAgentTurn({} as never)).toThrow(
      new TypeError('streamAgentTurn: agent must be a createAgent agent or a compiled LangGraph graph (something with stream()), got an object (Object).'),
    );
    expect(() => streamAgentTurn(offlineAgent().agent, 'x' as never)).toThrow(new TypeError('streamAgentTurn: config must be an object, got the string "x".'));
  });
});

describe('ChatSession({ agent }) (offline agent)', () => {
  it('ask() resolves with the answer and the saved run; onChunk sees every part with content; the next turn sees the run', async () => {
    const { agent, prompts } = offlineAgent();
    const shown: string[] = [];
    const session = new ChatSession({ agent, onChunk: (text, _n, e) => shown.push(e.part?.type === 'text' ? text : `<${e.part?.type}>`) });
    const first = await session.ask(Q1);
    expect(first).toMatchObject({ text: A1, message: { text: A1 } });
    expect(dump(first.messages!).map(([type, , calls]) => [type, calls])).toEqual([
      ['ai', ['python_release']], ['tool', []], ['ai', ['add']], ['tool', []], ['ai', []],
    ]);
    expect(shown.filter((s) => !s.startsWith('<')).join('')).toBe(A1);
    expect(shown).toContain('<tool-call-start>');
    expect(shown).not.toContain('<tool-result>'); // a tool's answer is no content of the model
    expect(first.chunks).toBe(shown.length);
    await session.ask(Q2);
    expect(prompts[3].map((m) => m.getType())).toEqual(['human', 'ai', 'tool', 'ai', 'tool', 'ai', 'human']);
    expect(await session.history.getMessages()).toHaveLength(6 + 7); // turn 1 looks up two versions at once
    session.close();
  });

  it('stop() while a tool runs: the turn is stopped, the tool aborted, nothing saved', async () => {
    const model = new ScriptedChatModel({ firstChunkDelayMs: 0, chunkDelayMs: 0 });
    const agent = createAgent({ model, tools: createOfflineTools({ delayMs: 60_000 }) });
    const session = new ChatSession({ agent });
    session.events$.subscribe({ next: (e) => e.type === 'chunk' && e.part?.type === 'step-finish' && session.stop(), error: () => undefined });
    const result = await session.ask(Q1); // settles only because the running tool stopped at the abort
    expect(result).toMatchObject({ stopped: true, text: '' });
    expect(await session.history.getMessages()).toEqual([]);
    session.close();
  });

  it('checks its options', () => {
    const { agent } = offlineAgent();
    const model = new ScriptedChatModel();
    expect(() => new ChatSession({ agent, model })).toThrow(/exactly one of options.model .* or options.runnable .* or options.agent/);
    expect(() => new ChatSession({ agent: {} as never })).toThrow(
      new TypeError('ChatSession: options.agent must be a createAgent agent or a compiled LangGraph graph (with stream()), got an object (Object).'),
    );
    expect(() => new ChatSession({ agent, system: 'x' })).toThrow(/give the agent its system prompt \(createAgent\(\{ systemPrompt \}\)\)/);
    expect(() => new ChatSession({ model, agentConfig: {} })).toThrow(new TypeError('ChatSession: options.agentConfig applies to options.agent only.'));
  });
});

describe('chatTurns over the parts of a bound marble model (virtual time)', () => {
  const tools = () => createOfflineTools();
  const values = {
    a: toolCallChunk({ name: 'add', id: 'call_1', args: '{"a":20' }),
    b: toolCallChunk({ args: '08,"b":' }),
    c: toolCallChunk({ args: '16}' }),
    f: chunk('', { response_metadata: { finish_reason: 'tool_calls' } }),
  };

  it('a tool-call stream cut before its finish reason: the parts the user saw, then an error event; nothing saved', () => {
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel(['-a------b|'], values);
      const history = new SyncInMemoryChatMessageHistory();
      const questions = hot('-q|', { q: '2008+16?' });
      const expected =      '--(sab)--c(deFE|)';
      const modelSubs =     '-^--------!';
      const turns = questions.pipe(
        chatTurns(({ question }) => fromRunnable(model.bindTools(tools()), question).pipe(toParts()), { history }),
      );
      const part = (p: StreamPart, text = '') => ({ type: 'chunk', turn: 0, question: '2008+16?', part: p, text });
      expectObservable(turns).toBe(expected, {
        s: part({ type: 'step-start', step: 0 }),
        a: part({ type: 'tool-call-start', id: 'call_1', name: 'add', index: 0 }),
        b: part({ type: 'tool-call-delta', id: 'call_1', argsText: '{"a":20' }),
        c: part({ type: 'tool-call-delta', id: 'call_1', argsText: '08,"b":' }),
        d: part({ type: 'tool-call', id: 'call_1', name: 'add', args: {}, invalid: true, argsText: '{"a":2008,"b":' }),
        e: part({ type: 'step-finish', step: 0 }),
        F: part({ type: 'finish', finishReason: 'unknown' }),
        E: expect.objectContaining({ type: 'error', turn: 0, saved: false, chunks: 4, error: expect.any(StreamInterruptedError) }),
      });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
      expect(history.getMessagesSync()).toEqual([]);
    });
  });
});
