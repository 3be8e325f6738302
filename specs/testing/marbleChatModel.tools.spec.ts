import { lastValueFrom, toArray } from 'rxjs';
import { createAgent } from 'langchain';
import { marbleChatModel, MarbleChatModel } from '../../src/testing/marbleChatModel';
import { chunk, toolCallChunk } from '../../src/testing/marbleChunks';
import { fromRunnable } from '../../src/sources/fromRunnable';
import { fromAgent } from '../../src/sources/fromAgent';
import { toParts } from '../../src/parts/toParts';
import { collectRun } from '../../src/parts/collectRun';
import { createOfflineTools } from '../../src/offline/agentTools';
import { createScheduler } from '../support/marbles';

/** Call 0 streams a tool call in fragments; call 1 answers. */
const diagrams = () =>
  marbleChatModel(['-a----b-c-f|', '-x-y|'], {
    a: toolCallChunk({ name: 'add', id: 'call_1', args: '{"a":20' }),
    b: toolCallChunk({ args: '08,"b":' }),
    c: toolCallChunk({ args: '16}' }),
    f: chunk('', { response_metadata: { finish_reason: 'tool_calls' } }),
    x: '答案是 ',
    y: chunk('2024 🎉', { response_metadata: { finish_reason: 'stop' }, usage: { input_tokens: 9, output_tokens: 3 } }),
  });

describe('marbleChatModel with tools', () => {
  it('bindTools returns a copy that lists the tools and shares calls and subscriptions', () => {
    const model = diagrams();
    const tools = createOfflineTools();
    const bound = model.bindTools(tools);
    expect(bound).toBeInstanceOf(MarbleChatModel);
    expect(bound.tools).toEqual(tools);
    expect(model.tools).toEqual([]);
    expect(bound.calls).toBe(model.calls);
    expect(bound.subscriptions).toBe(model.subscriptions);
    expect(() => model.bindTools('x' as never)).toThrow(new TypeError('MarbleChatModel.bindTools: tools must be an array, got the string "x".'));
  });

  it('a bound model streams tool-call values in virtual time (marbles)', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = diagrams();
      const parts = fromRunnable(model.bindTools(createOfflineTools()), '2008+16?').pipe(toParts());
      const expected =  '-(sab)c-d-e(fz|)';
      const modelSubs = '^----------!';
      expectObservable(parts).toBe(expected, {
        s: { type: 'step-start', step: 0 },
        a: { type: 'tool-call-start', id: 'call_1', name: 'add', index: 0 },
        b: { type: 'tool-call-delta', id: 'call_1', argsText: '{"a":20' },
        c: { type: 'tool-call-delta', id: 'call_1', argsText: '08,"b":' },
        d: { type: 'tool-call-delta', id: 'call_1', argsText: '16}' },
        e: { type: 'tool-call', id: 'call_1', name: 'add', args: { a: 2008, b: 16 } }, // the finish reason ends the message
        f: { type: 'step-finish', step: 0, finishReason: 'tool_calls' },
        z: { type: 'finish', finishReason: 'tool_calls' },
      });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('createAgent({ model: marbleChatModel(...), tools }) runs deterministically outside run(), one diagram per model call', async () => {
    const run = async () => {
      const model = diagrams();
      const agent = createAgent({ model, tools: createOfflineTools() });
      const parts = await lastValueFrom(fromAgent(agent, { messages: [{ role: 'user', content: '2008+16?' }] }).pipe(toArray()));
      return { parts, model };
    };
    const first = await run();
    const second = await run();
    expect(second.parts).toEqual(first.parts);
    expect(first.parts.map((p) => p.type)).toEqual([
      'step-start', 'tool-call-start', 'tool-call-delta', 'tool-call-delta', 'tool-call-delta', 'tool-call', 'step-finish',
      'tool-result',
      'step-start', 'text', 'text', 'usage', 'step-finish', 'finish',
    ]);
    expect(first.parts.find((p) => p.type === 'tool-result')).toMatchObject({ id: 'call_1', name: 'add', content: '2024' });
    expect(first.model.calls).toHaveLength(2);
    expect(first.model.transcript(1)).toEqual([['human', '2008+16?'], ['ai', ''], ['tool', '2024']]);
  });

  it('collectRun over the marble agent: messages ready for history', async () => {
    const agent = createAgent({ model: diagrams(), tools: createOfflineTools() });
    const run = await lastValueFrom(fromAgent(agent, { messages: [{ role: 'user', content: 'q' }] }).pipe(collectRun()));
    expect(run.text).toBe('答案是 2024 🎉');
    expect(run.usage).toEqual({ input_tokens: 9, output_tokens: 3, total_tokens: 12 });
    expect(run.messages.map((m) => m.getType())).toEqual(['ai', 'tool', 'ai']);
  });
});
