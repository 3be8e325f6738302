/**
 * Nothing cut is saved as complete, for agent turns too: chatTurns(streamAgentTurn(agent)) over
 * createAgent with the real ChatOpenAI and the fake OpenAI server streaming tool calls in fragments
 * (`turn`). A cut mid tool call and a cut in the final answer: the events the user saw and the
 * history afterwards (and what the next turn's request holds).
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { createAgent } from 'langchain';
import { ChatOpenAI } from '@langchain/openai';
import type { AIMessage, BaseMessage, ToolMessage } from '@langchain/core/messages';
import { chatTurns, streamAgentTurn, type TurnEvent, type TurnFailedEvent } from '../../src';
import { StreamInterruptedError } from '../../src/errors';
import { createOfflineTools } from '../../src/offline';
import { SyncInMemoryChatMessageHistory, startFakeOpenAIServer, type FakeChatRequest, type FakeFault, type FakeOpenAIServer } from '../../src/testing';

const ANSWER = '答案是 2024 年 🎉';
const ARGS = '{"a":2008,"b":16}';

/** Tool call first (args in 4-character fragments: `{"a"`, `:200`, …), the answer once a tool result is in the request. */
const turn = (body: FakeChatRequest) =>
  (body.messages as Array<{ role: string }>).some((m) => m.role === 'tool')
    ? { text: ANSWER }
    : { toolCalls: [{ id: 'call_add', name: 'add', arguments: ARGS }] };

let server: FakeOpenAIServer;
afterEach(() => server?.close());

const dump = (messages: readonly BaseMessage[]) =>
  messages.map((m) => [m.getType(), m.text, (m as AIMessage).tool_calls?.map((c) => c.id) ?? [], (m as ToolMessage).tool_call_id ?? '']);

/** Turn 0 meets the faults (one per model request), turn 1 is healthy. */
async function twoTurns(faults: Array<FakeFault | null>, onIncomplete?: 'keep-partial') {
  server = await startFakeOpenAIServer({ turn, faults });
  const model = new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', maxRetries: 0, streamUsage: true, configuration: { baseURL: server.baseURL } });
  const agent = createAgent({ model, tools: createOfflineTools() });
  const history = new SyncInMemoryChatMessageHistory();
  const events = await lastValueFrom(from(['q-fault', 'q-ok']).pipe(chatTurns(streamAgentTurn(agent), { history, onIncomplete }), toArray()));
  const first = events.filter((e) => e.turn === 0);
  const parts = first.flatMap((e) => (e.type === 'chunk' ? [e.part!] : []));
  const failed = first.at(-1) as TurnFailedEvent;
  const ok = events.at(-1) as Extract<TurnEvent, { type: 'done' }>;
  const args = parts.flatMap((p) => (p.type === 'tool-call-delta' ? [p.argsText] : [])).join('');
  const shown = parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');
  return { history, failed, ok, parts, args, shown, requests: server.requests };
}

describe('agent turns over the real ChatOpenAI (fake OpenAI server)', () => {
  it('a clean cut mid tool call: LangChain runs the tool with the cut arguments and the agent answers, yet the run is a cut; nothing saved', async () => {
    const { history, failed, ok, parts, args, shown, requests } = await twoTurns([{ type: 'end-early', afterChunks: 3 }]);
    // Chunk 1 names the call, chunks 2 and 3 are the first argument fragments; then the response ends.
    expect(parts.slice(0, 2)).toEqual([
      { type: 'step-start', step: 0, node: 'model_request' },
      { type: 'tool-call-start', id: 'call_add', name: 'add', index: 0, node: 'model_request' },
    ]);
    expect(args).toBe('{"a":200');
    expect(parts.find((p) => p.type === 'tool-call')).toMatchObject({ invalid: true, argsText: '{"a":200' });
    // LangChain's partial-JSON parser made {"a":200 a call with { a: 200 }: the tool ran and failed, then the model answered.
    expect(parts.filter((p) => p.type === 'tool-result')).toEqual([expect.objectContaining({ id: 'call_add', isError: true })]);
    expect(shown).toBe(ANSWER);
    // Step 0 never showed a finish reason, so the run is not finished although step 1 is.
    expect(parts.filter((p) => p.type === 'step-finish').map((p) => (p as { finishReason?: string }).finishReason)).toEqual([undefined, 'stop']);
    expect(failed).toMatchObject({ type: 'error', turn: 0, saved: false, partialText: ANSWER });
    expect(failed.error).toBeInstanceOf(StreamInterruptedError);
    expect(failed.error).toMatchObject({ reason: 'no-finish' });
    expect(ok).toMatchObject({ type: 'done', turn: 1, text: ANSWER });
    expect(dump(history.getMessagesSync())).toEqual([
      ['human', 'q-ok', [], ''], ['ai', '', ['call_add'], ''], ['tool', '2024', [], 'call_add'], ['ai', ANSWER, [], ''],
    ]);
    // Turn 1's first request holds nothing of the cut run.
    expect(requests[2].body.messages).toEqual([{ role: 'user', content: 'q-ok' }]);
  });

  it("'keep-partial' after a cut mid tool call: the cut call and the result that answered it are left out, the answer saved partial", async () => {
    const { history, failed, requests } = await twoTurns([{ type: 'end-early', afterChunks: 3 }], 'keep-partial');
    expect(failed).toMatchObject({ type: 'error', saved: true });
    const saved = history.getMessagesSync();
    expect(dump(saved.slice(0, 3))).toEqual([['human', 'q-fault', [], ''], ['ai', '', [], ''], ['ai', ANSWER, [], '']]);
    expect((saved[1] as AIMessage).invalid_tool_calls).toEqual([]);
    expect((saved[2] as AIMessage).response_metadata).toMatchObject({ partial: true, partial_reason: 'cut' });
    // The next request is valid for OpenAI: no tool_calls to answer, no tool message without its call.
    expect(requests[2].body.messages).toEqual([
      { role: 'user', content: 'q-fault' }, { role: 'assistant', content: '' }, { role: 'assistant', content: ANSWER }, { role: 'user', content: 'q-ok' },
    ]);
  });

  it('a socket destroyed mid tool call: error event (StreamInterruptedError, reason error), nothing saved', async () => {
    const { history, failed, args } = await twoTurns([{ type: 'drop', afterChunks: 2 }]);
    expect(args).toBe('{"a"');
    expect(failed).toMatchObject({ type: 'error', saved: false });
    expect(failed.error).toBeInstanceOf(StreamInterruptedError);
    expect(failed.error).toMatchObject({ reason: 'error' });
    expect(dump(history.getMessagesSync()).map(([type]) => type)).toEqual(['human', 'ai', 'tool', 'ai']);
    expect(history.getMessagesSync()[0].text).toBe('q-ok');
  });

  it('a clean cut in the final answer (after the tool ran): error event with the partial answer, nothing saved', async () => {
    const { history, failed, parts, shown, requests } = await twoTurns([null, { type: 'end-early', afterChunks: 2 }]);
    expect(parts.filter((p) => p.type === 'tool-result')).toEqual([
      { type: 'tool-result', id: 'call_add', name: 'add', content: '2024', isError: false, node: 'tools' },
    ]);
    expect(shown).toBe('答案是');
    expect(parts.filter((p) => p.type === 'step-finish').map((p) => (p as { finishReason?: string }).finishReason)).toEqual(['tool_calls', undefined]);
    expect(failed).toMatchObject({ type: 'error', saved: false, partialText: '答案是' });
    expect(failed.error).toMatchObject({ reason: 'no-finish', partialText: '答案是' });
    expect(history.getMessagesSync()[0].text).toBe('q-ok');
    expect(requests[2].body.messages).toEqual([{ role: 'user', content: 'q-ok' }]);
  });

  it("'keep-partial' after a cut in the final answer: the tool call with its result, then the partial answer", async () => {
    const { history, failed, requests } = await twoTurns([null, { type: 'end-early', afterChunks: 2 }], 'keep-partial');
    expect(failed).toMatchObject({ type: 'error', saved: true });
    const saved = history.getMessagesSync();
    expect(dump(saved.slice(0, 4))).toEqual([
      ['human', 'q-fault', [], ''], ['ai', '', ['call_add'], ''], ['tool', '2024', [], 'call_add'], ['ai', '答案是', [], ''],
    ]);
    expect((saved[1] as AIMessage).response_metadata).toEqual({ finish_reason: 'tool_calls' });
    expect((saved[3] as AIMessage).response_metadata).toMatchObject({ partial: true, partial_reason: 'cut' });
    expect((saved[3] as AIMessage).response_metadata.finish_reason).toBeUndefined();
    // The next request carries the answered call and its result, as OpenAI requires.
    const next = requests[2].body.messages as Array<{ role: string; tool_calls?: Array<{ id: string }>; tool_call_id?: string }>;
    expect(next.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    expect(next[1].tool_calls?.map((c) => c.id)).toEqual(['call_add']);
    expect(next[2].tool_call_id).toBe('call_add');
  });
});
