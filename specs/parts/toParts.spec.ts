import { from, Observable, take, toArray } from 'rxjs';
import { AIMessage, AIMessageChunk, HumanMessage, ToolMessage, type UsageMetadata } from '@langchain/core/messages';
import { toParts } from '../../src/parts/toParts';
import type { PartSourceValue, StreamPart, ToolCallPart } from '../../src/parts/types';
import { createScheduler } from '../support/marbles';

/** Parts of a synchronous source. */
function partsOf(values: readonly unknown[]): StreamPart[] {
  let out: StreamPart[] = [];
  let failed: { error: unknown } | undefined;
  from(values as PartSourceValue[])
    .pipe(toParts(), toArray())
    .subscribe({ next: (parts) => (out = parts), error: (error) => (failed = { error }) });
  if (failed) throw failed.error;
  return out;
}

const tc = (index: number | undefined, args: string | undefined, id?: string, name?: string): AIMessageChunk =>
  new AIMessageChunk({ content: '', tool_call_chunks: [{ index, args, id, name, type: 'tool_call_chunk' }] });
const finish = (reason: string, usage?: { input_tokens: number; output_tokens: number }): AIMessageChunk =>
  new AIMessageChunk({
    content: '',
    response_metadata: { finish_reason: reason },
    ...(usage && { usage_metadata: { ...usage, total_tokens: usage.input_tokens + usage.output_tokens } }),
  });
const calls = (parts: StreamPart[]): ToolCallPart[] => parts.filter((p): p is ToolCallPart => p.type === 'tool-call');
const types = (parts: StreamPart[]): string[] => parts.map((p) => p.type);

describe('toParts', () => {
  describe('AIMessageChunk streams', () => {
    it('text chunks become a step of text parts, then finish (marbles)', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c|', {
          a: new AIMessageChunk({ content: '', id: 'm' }), // the role chunk: opens the step, no text
          b: new AIMessageChunk({ content: '你好', id: 'm' }),
          c: new AIMessageChunk({ content: ' 🌏', id: 'm', response_metadata: { finish_reason: 'stop' } }),
        });
        const expected =    '-a-b-c(de|)';
        const sourceSubs =  '^-----!';
        expectObservable(source.pipe(toParts())).toBe(expected, {
          a: { type: 'step-start', step: 0 },
          b: { type: 'text', text: '你好' },
          c: { type: 'text', text: ' 🌏' },
          d: { type: 'step-finish', step: 0, finishReason: 'stop' },
          e: { type: 'finish', finishReason: 'stop' },
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('reasoning (reasoning_content and content blocks) comes as reasoning parts, apart from the text', () => {
      const parts = partsOf([
        new AIMessageChunk({ content: '', additional_kwargs: { reasoning_content: '先想' } }),
        new AIMessageChunk({ content: [{ type: 'thinking', thinking: '一想' }] }),
        new AIMessageChunk({ content: [{ type: 'reasoning', reasoning: '。' }, { type: 'text', text: '答' }, { type: 'tool_use', id: 'x', name: 'y', input: '' }] }),
        new AIMessageChunk({ content: '案' }),
      ]);
      expect(parts.filter((p) => p.type === 'reasoning').map((p) => (p as { text: string }).text).join('')).toBe('先想一想。');
      expect(parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('')).toBe('答案');
      expect(calls(parts)).toEqual([]); // a tool_use content block repeats tool_call_chunks: not a call of its own
    });

    it('matches tool-call chunks without an id by index, and emits each call once its arguments are whole', () => {
      const parts = partsOf([
        tc(0, '', 'call_a', 'add'),
        tc(0, '{"a":2'),
        tc(0, '008,"b":16}'),
        tc(1, '{"version"', 'call_b', 'python_release'),
        tc(1, ':"3.0"}'),
        finish('tool_calls'),
      ]);
      expect(types(parts)).toEqual([
        'step-start',
        'tool-call-start', 'tool-call-delta', 'tool-call-delta',
        'tool-call', // complete as soon as the next index starts
        'tool-call-start', 'tool-call-delta', 'tool-call-delta',
        'tool-call', // complete when the message ends (finish reason)
        'step-finish', 'finish',
      ]);
      expect(calls(parts)).toEqual([
        { type: 'tool-call', id: 'call_a', name: 'add', args: { a: 2008, b: 16 } },
        { type: 'tool-call', id: 'call_b', name: 'python_release', args: { version: '3.0' } },
      ]);
      expect(parts.at(-2)).toEqual({ type: 'step-finish', step: 0, finishReason: 'tool_calls' });
    });

    it('assembles calls interleaved by index, each from its own fragments', () => {
      const parts = partsOf([
        new AIMessageChunk({
          content: '',
          tool_call_chunks: [
            { index: 0, id: 'c0', name: 'search', args: '', type: 'tool_call_chunk' },
            { index: 1, id: 'c1', name: 'search', args: '', type: 'tool_call_chunk' },
          ],
        }),
        tc(1, '{"q":"狗'),
        tc(0, '{"q":"猫'),
        tc(1, '"}'),
        tc(0, '"}'),
        finish('tool_calls'),
      ]);
      expect(calls(parts).map((c) => [c.id, c.args])).toEqual([
        ['c0', { q: '猫' }],
        ['c1', { q: '狗' }],
      ]);
      const deltas = (id: string): string =>
        parts.filter((p) => p.type === 'tool-call-delta' && p.id === id).map((p) => (p as { argsText: string }).argsText).join('');
      expect([deltas('c0'), deltas('c1')]).toEqual(['{"q":"猫"}', '{"q":"狗"}']);
    });

    it('a call whose index is missing continues the last call; a call with only an id is found by id', () => {
      const parts = partsOf([tc(undefined, '{"a":', 'x', 'f'), tc(undefined, '1}'), finish('tool_calls')]);
      expect(calls(parts)).toEqual([{ type: 'tool-call', id: 'x', name: 'f', args: { a: 1 } }]);
      const byId = partsOf([tc(undefined, '{"a":', 'x', 'f'), tc(undefined, '2}', 'x'), finish('tool_calls')]);
      expect(calls(byId)).toEqual([{ type: 'tool-call', id: 'x', name: 'f', args: { a: 2 } }]);
    });

    it('a zero-argument tool gets {} whether its arguments are "", "{}" or never sent', () => {
      const parts = partsOf([tc(0, '', 'c0', 'now'), tc(1, '{}', 'c1', 'today'), tc(2, undefined, 'c2', 'ping'), finish('tool_calls')]);
      expect(calls(parts).map((c) => [c.name, c.args, c.invalid])).toEqual([
        ['today', {}, undefined], // "{}" parses: complete when the next call starts
        ['now', {}, undefined],
        ['ping', {}, undefined],
      ]);
    });

    it('an early empty-args chunk is not a complete call: it waits for its arguments (interleaved starts)', () => {
      const parts = partsOf([tc(0, '', 'c0', 'f'), tc(1, '', 'c1', 'g'), tc(0, '{"x":1}'), tc(1, '{"y":2}'), finish('tool_calls')]);
      expect(calls(parts).map((c) => c.args)).toEqual([{ x: 1 }, { y: 2 }]);
    });

    it('arguments that never parse: invalid with the raw text, never a crash', () => {
      const parts = partsOf([tc(0, '{"a":1,', 'c0', 'f'), tc(0, 'oops'), tc(1, '[1,2]', 'c1', 'g'), finish('tool_calls')]);
      expect(calls(parts)).toEqual([
        { type: 'tool-call', id: 'c0', name: 'f', args: {}, invalid: true, argsText: '{"a":1,oops' },
        { type: 'tool-call', id: 'c1', name: 'g', args: {}, invalid: true, argsText: '[1,2]' }, // not an object
      ]);
    });

    it('a call without a name is invalid; one without an id gets a made-up id used by every part', () => {
      const parts = partsOf([tc(0, '{}'), tc(1, '{"a":1}', undefined, 'f'), finish('tool_calls')]);
      expect(calls(parts)).toEqual([
        { type: 'tool-call', id: 'tool-call-0-0', name: '', args: {}, invalid: true, argsText: '{}' },
        { type: 'tool-call', id: 'tool-call-0-1', name: 'f', args: { a: 1 } },
      ]);
      expect(parts.filter((p) => p.type === 'tool-call-start').map((p) => (p as { id: string }).id)).toEqual(['tool-call-0-0', 'tool-call-0-1']);
    });

    it('usage after the finish reason stays in the step; the run sums the usage of its steps', () => {
      const parts = partsOf([
        new AIMessageChunk({ content: 'a', id: 'one' }),
        finish('stop'),
        new AIMessageChunk({ content: '', id: 'one', usage_metadata: { input_tokens: 3, output_tokens: 1, total_tokens: 4 } }),
        new AIMessageChunk({ content: 'b', id: 'two', usage_metadata: { input_tokens: 5, output_tokens: 2, total_tokens: 7 } }),
      ]);
      expect(parts.filter((p) => p.type === 'step-finish')).toEqual([
        { type: 'step-finish', step: 0, finishReason: 'stop', usage: { input_tokens: 3, output_tokens: 1, total_tokens: 4 } },
        { type: 'step-finish', step: 1, usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 } },
      ]);
      expect(parts.filter((p) => p.type === 'usage')).toHaveLength(2);
      // The run's finish reason is its last step's: 'two' reported none, so it may have been cut.
      expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'unknown', usage: { input_tokens: 8, output_tokens: 3, total_tokens: 11 } });
    });

    it("the run's usage keeps token details only where a step reported some (summed like LangChain's mergeUsageMetadata)", () => {
      const usage = (input: number, output: number, details?: Pick<UsageMetadata, 'input_token_details' | 'output_token_details'>): AIMessageChunk =>
        new AIMessageChunk({ content: 'x', id: `m${input}`, usage_metadata: { input_tokens: input, output_tokens: output, total_tokens: input + output, ...details } });
      const runUsage = (chunks: AIMessageChunk[]) => (partsOf(chunks).at(-1) as { usage?: UsageMetadata }).usage;
      const plain = runUsage([usage(1, 2), usage(3, 4)]);
      expect(plain).toEqual({ input_tokens: 4, output_tokens: 6, total_tokens: 10 });
      expect(Object.keys(plain!)).toEqual(['input_tokens', 'output_tokens', 'total_tokens']); // no empty detail objects
      expect(runUsage([usage(1, 2, { input_token_details: { cache_read: 1 } }), usage(3, 4), usage(5, 6, { input_token_details: { cache_read: 2 }, output_token_details: { reasoning: 3 } })])).toEqual({
        input_tokens: 9, output_tokens: 12, total_tokens: 21, input_token_details: { cache_read: 3 }, output_token_details: { reasoning: 3 },
      });
    });

    it('a stream that never reports a finish reason finishes as unknown (it may have been cut)', () => {
      expect(partsOf(['Hel', 'lo']).at(-1)).toEqual({ type: 'finish', finishReason: 'unknown' });
    });

    it('nothing in, nothing out', () => {
      expect(partsOf([])).toEqual([]);
    });
  });

  describe('whole messages and tool messages', () => {
    it('a whole AIMessage is one step: text, its tool calls (arguments as one delta), a finish reason', () => {
      const parts = partsOf([
        new AIMessage({ content: '我查一下', tool_calls: [{ id: 'c1', name: 'python_release', args: { version: '3.0' } }] }),
        new ToolMessage({ content: '{"released":"2008-12-03"}', tool_call_id: 'c1' }),
        new AIMessage({ content: '2008 年', response_metadata: { finish_reason: 'stop' } }),
      ]);
      expect(parts).toEqual([
        { type: 'step-start', step: 0 },
        { type: 'text', text: '我查一下' },
        { type: 'tool-call-start', id: 'c1', name: 'python_release', index: 0 },
        { type: 'tool-call-delta', id: 'c1', argsText: '{"version":"3.0"}' },
        { type: 'tool-call', id: 'c1', name: 'python_release', args: { version: '3.0' } },
        { type: 'step-finish', step: 0, finishReason: 'tool_calls' },
        { type: 'tool-result', id: 'c1', name: 'python_release', content: '{"released":"2008-12-03"}', isError: false },
        { type: 'step-start', step: 1 },
        { type: 'text', text: '2008 年' },
        { type: 'step-finish', step: 1, finishReason: 'stop' },
        { type: 'finish', finishReason: 'stop' },
      ]);
    });

    it('a tool message ends the step that called it and reports errors; human messages are not output', () => {
      const parts = partsOf([
        new HumanMessage('hi'),
        tc(0, '{}', 'c1', 'boom'),
        new ToolMessage({ content: 'Error: boom', tool_call_id: 'c1', status: 'error' }),
      ]);
      expect(types(parts)).toEqual(['step-start', 'tool-call-start', 'tool-call-delta', 'tool-call', 'step-finish', 'tool-result', 'finish']);
      expect(parts[5]).toEqual({ type: 'tool-result', id: 'c1', name: 'boom', content: 'Error: boom', isError: true });
    });

    it('parts pass through unchanged, with no second finish', () => {
      const input: StreamPart[] = [
        { type: 'step-start', step: 0 },
        { type: 'text', text: 'x', node: 'model' },
        { type: 'step-finish', step: 0 },
        { type: 'finish', finishReason: 'stop' },
      ];
      expect(partsOf(input)).toEqual(input);
      expect(partsOf(partsOf(['a', 'b']))).toEqual(partsOf(['a', 'b']));
    });
  });

  describe('LangGraph tuples', () => {
    const meta = (node: string): Record<string, unknown> => ({ langgraph_node: node, langgraph_step: 1 });

    it('[message, metadata] pairs carry the node; the same message in updates counts once', () => {
      const parts = partsOf([
        [new AIMessageChunk({ content: 'Hi', id: 'run-1' }), meta('model')],
        [new AIMessageChunk({ content: '!', id: 'run-1' }), meta('model')],
      ]);
      expect(parts.filter((p) => p.type === 'text').map((p) => p.node)).toEqual(['model', 'model']);

      const multi = partsOf([
        ['messages', [new AIMessageChunk({ content: 'Hi', id: 'run-1' }), meta('model')]],
        ['updates', { model: { messages: [new AIMessage({ content: 'Hi', id: 'run-1', tool_calls: [] })] } }],
        ['custom', { progress: 0.5 }],
        ['values', { messages: [] }],
      ]);
      expect(multi).toEqual([
        { type: 'step-start', step: 0, node: 'model' },
        { type: 'text', text: 'Hi', node: 'model' },
        // The whole message in updates ends the step, but proves no finish: LangGraph sends it whole after a clean cut too.
        { type: 'step-finish', step: 0, node: 'model' },
        { type: 'custom', data: { progress: 0.5 } },
        { type: 'finish', finishReason: 'unknown' },
      ]);
      const reported = partsOf([
        ['messages', [new AIMessageChunk({ content: 'Hi', id: 'run-1', response_metadata: { finish_reason: 'stop' } }), meta('model')]],
        ['updates', { model: { messages: [new AIMessage({ content: 'Hi', id: 'run-1' })] } }],
      ]);
      expect(reported.filter((p) => p.type === 'step-finish' || p.type === 'finish')).toEqual([
        { type: 'step-finish', step: 0, finishReason: 'stop', node: 'model' },
        { type: 'finish', finishReason: 'stop' },
      ]);
      // A message that never streamed (a model that does not stream) is its own proof.
      const unstreamed = partsOf([['updates', { model: { messages: [new AIMessage({ content: 'Hi', id: 'run-2' })] } }]]);
      expect(unstreamed.filter((p) => p.type === 'step-finish')).toEqual([{ type: 'step-finish', step: 0, finishReason: 'stop', node: 'model' }]);
    });

    it('subgraph tuples [namespace, mode, data] carry the namespace', () => {
      const ns = ['researcher:7b1c'];
      const parts = partsOf([
        [ns, 'messages', [new AIMessageChunk({ content: '查', id: 'r1' }), meta('model')]],
        [ns, 'messages', [tc(0, '{}', 't1', 'calc'), meta('model')]],
        [ns, 'updates', { tools: { messages: [new ToolMessage({ content: '42', tool_call_id: 't1', name: 'calc' })] } }],
        [[], 'custom', 'top-level'],
      ]);
      expect(parts).toEqual([
        { type: 'step-start', step: 0, node: 'model', namespace: ns },
        { type: 'text', text: '查', node: 'model', namespace: ns },
        { type: 'tool-call-start', id: 't1', name: 'calc', index: 0, node: 'model', namespace: ns },
        { type: 'tool-call-delta', id: 't1', argsText: '{}', node: 'model', namespace: ns },
        { type: 'tool-call', id: 't1', name: 'calc', args: {}, node: 'model', namespace: ns },
        { type: 'step-finish', step: 0, node: 'model', namespace: ns }, // the tool's result ends the step that called it
        { type: 'tool-result', id: 't1', name: 'calc', content: '42', isError: false, node: 'tools', namespace: ns },
        { type: 'custom', data: 'top-level' },
        { type: 'finish', finishReason: 'unknown' },
      ]);
    });

    it('a tool result seen in both messages and updates counts once', () => {
      const result = new ToolMessage({ content: '3', tool_call_id: 'c1', name: 'add' });
      const parts = partsOf([
        ['messages', [result, meta('tools')]],
        ['updates', { tools: { messages: [result] } }],
      ]);
      expect(parts.filter((p) => p.type === 'tool-result')).toHaveLength(1);
    });

    it('steps of two nodes streaming at once stay apart', () => {
      const parts = partsOf([
        ['messages', [new AIMessageChunk({ content: 'A1', id: 'a' }), meta('left')]],
        ['messages', [new AIMessageChunk({ content: 'B1', id: 'b' }), meta('right')]],
        ['messages', [new AIMessageChunk({ content: 'A2', id: 'a' }), meta('left')]],
        ['updates', { left: { messages: [new AIMessage({ content: 'A1A2', id: 'a' })] } }],
        ['updates', { right: { messages: [new AIMessage({ content: 'B1', id: 'b' })] } }],
      ]);
      expect(parts.filter((p) => p.type === 'step-start' || p.type === 'step-finish').map((p) => `${p.type}:${p.step}:${p.node}`)).toEqual([
        'step-start:0:left',
        'step-start:1:right',
        'step-finish:0:left',
        'step-finish:1:right',
      ]);
    });
  });

  describe('content-block events (model.streamEvents() without version)', () => {
    it('text, reasoning and an interleaved tool call; message-finish closes the step with reason and usage', () => {
      const parts = partsOf([
        { event: 'message-start', id: 'msg_1' },
        { event: 'content-block-start', index: 0, content: { type: 'reasoning', reasoning: '' } },
        { event: 'content-block-delta', index: 0, delta: { type: 'reasoning-delta', reasoning: '想' } },
        { event: 'content-block-start', index: 1, content: { type: 'text', text: '' } },
        { event: 'content-block-delta', index: 1, delta: { type: 'text-delta', text: '好的' } },
        { event: 'content-block-start', index: 2, content: { type: 'tool_call_chunk', id: 'c1', name: 'add', args: '', index: 0 } },
        { event: 'content-block-delta', index: 2, delta: { type: 'tool-call-delta', args: '{"a":1,' } },
        { event: 'content-block-delta', index: 1, delta: { type: 'text-delta', text: '。' } },
        { event: 'content-block-delta', index: 2, delta: { type: 'tool-call-delta', args: '"b":2}' } },
        { event: 'usage', usage: { input_tokens: 4, output_tokens: 6, total_tokens: 10 } },
        { event: 'content-block-finish', index: 2, content: { type: 'tool_call', id: 'c1', name: 'add', args: { a: 1, b: 2 } } },
        { event: 'provider', provider: 'openai', name: 'x', payload: {} },
        { event: 'content-block-finish', index: 1, content: { type: 'text', text: '好的。' } },
        { event: 'message-finish', reason: 'tool_use', usage: { input_tokens: 4, output_tokens: 7, total_tokens: 11 } },
      ]);
      expect(parts).toEqual([
        { type: 'step-start', step: 0 },
        { type: 'reasoning', text: '想' },
        { type: 'text', text: '好的' },
        { type: 'tool-call-start', id: 'c1', name: 'add', index: 0 },
        { type: 'tool-call-delta', id: 'c1', argsText: '{"a":1,' },
        { type: 'text', text: '。' },
        { type: 'tool-call-delta', id: 'c1', argsText: '"b":2}' },
        { type: 'tool-call', id: 'c1', name: 'add', args: { a: 1, b: 2 } }, // as soon as its block finishes
        { type: 'usage', usage: { input_tokens: 4, output_tokens: 7, total_tokens: 11 } },
        { type: 'step-finish', step: 0, finishReason: 'tool_use', usage: { input_tokens: 4, output_tokens: 7, total_tokens: 11 } },
        { type: 'finish', finishReason: 'tool_use', usage: { input_tokens: 4, output_tokens: 7, total_tokens: 11 } },
      ]);
    });

    it('a zero-argument call that core finalised as invalid_tool_call (args "") is a valid call with {}', () => {
      // @langchain/core's compat layer parses "" with JSON.parse (langchainjs #11311).
      const parts = partsOf([
        { event: 'message-start' },
        { event: 'content-block-start', index: 0, content: { type: 'tool_call_chunk', id: 'c1', name: 'now', args: '' } },
        { event: 'content-block-finish', index: 0, content: { type: 'invalid_tool_call', id: 'c1', name: 'now', args: '', error: 'x' } },
        { event: 'message-finish', reason: 'stop' },
      ]);
      expect(calls(parts)).toEqual([{ type: 'tool-call', id: 'c1', name: 'now', args: {} }]);
    });

    it('a tool block whose arguments stream as block-delta snapshots, and a block that arrives whole', () => {
      const parts = partsOf([
        { event: 'content-block-start', index: 0, content: { type: 'tool_call_chunk', id: 'c1', name: 'f' } },
        { event: 'content-block-delta', index: 0, delta: { type: 'block-delta', fields: { type: 'tool_call_chunk', args: '{"q":"wea' } } },
        { event: 'content-block-delta', index: 0, delta: { type: 'block-delta', fields: { type: 'tool_call_chunk', args: '{"q":"weather"}' } } },
        { event: 'content-block-finish', index: 1, content: { type: 'tool_call', id: 'c2', name: 'g', args: { z: true } } },
        { event: 'content-block-finish', index: 0, content: { type: 'tool_call', id: 'c1', name: 'f', args: { q: 'weather' } } },
        { event: 'message-finish' },
      ]);
      expect(parts.filter((p) => p.type === 'tool-call-delta' && p.id === 'c1').map((p) => (p as { argsText: string }).argsText)).toEqual([
        '{"q":"wea',
        'ther"}',
      ]);
      expect(calls(parts).map((c) => [c.id, c.args])).toEqual([
        ['c1', { q: 'weather' }], // its snapshot already parses when the next call starts
        ['c2', { z: true }],
      ]);
    });

    it('an error event errors the stream; v2 events are refused with a hint', () => {
      const errors: unknown[] = [];
      from([{ event: 'message-start' }, { event: 'error', message: 'overloaded', code: '529' }])
        .pipe(toParts())
        .subscribe({ error: (e) => errors.push(e) });
      expect(errors).toEqual([expect.objectContaining({ message: 'The model stream reported an error: overloaded', code: '529' })]);
      expect(() => partsOf([{ event: 'on_chat_model_stream', data: {} }])).toThrow(/not a content-block event.*fromModelEvents/);
    });
  });

  describe('bad input and unsubscription', () => {
    it('errors with a TypeError naming a value of no known shape', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold<PartSourceValue>('-a---b-|', { a: 'ok', b: 42 as unknown as string });
        const expected =                     '-(ab)#';
        const sourceSubs =                   '^----!';
        expectObservable(source.pipe(toParts())).toBe(
          expected,
          { a: { type: 'step-start', step: 0 }, b: { type: 'text', text: 'ok' } },
          new TypeError(
            'toParts: cannot turn the number 42 into parts; expected a string, a message chunk or message, a content-block event ' +
              '(model.streamEvents() without version), a LangGraph [message, metadata] pair or [mode, data] tuple, or a part.',
          ),
        );
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('a downstream take stops an infinite synchronous source', () => {
      let produced = 0;
      const infinite = new Observable<string>((subscriber) => {
        while (!subscriber.closed) {
          produced++;
          subscriber.next('字');
        }
      });
      let got: StreamPart[] = [];
      infinite.pipe(toParts(), take(3), toArray()).subscribe((parts) => (got = parts));
      expect(got.map((p) => p.type)).toEqual(['step-start', 'text', 'text']);
      expect(produced).toBe(2);
    });

    it('an error on an infinite synchronous source stops it', () => {
      let produced = 0;
      const infinite = new Observable<PartSourceValue>((subscriber) => {
        while (!subscriber.closed) subscriber.next(produced++ === 3 ? (Symbol('bad') as unknown as string) : 'x');
      });
      const errors: unknown[] = [];
      infinite.pipe(toParts()).subscribe({ error: (e) => errors.push(e) });
      expect(errors).toHaveLength(1);
      expect(produced).toBe(4);
    });
  });

  describe('property: tool calls split anywhere', () => {
    // A small deterministic PRNG, so a failure reproduces.
    let seed = 20240607;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)];
    const WORDS = ['猫', 'Python 3.0', '🐍', '👩🏽‍💻', 'a"b', 'back\\slash', 'line\nbreak', 'tab\t', 'é', '日本語', '', '{"nested":[1]}', 'ok'];
    const randomArgs = (): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      const n = rand(4); // 0 … 3 fields: zero-argument tools too
      for (let i = 0; i < n; i++) out[pick(['q', 'version', '名字', 'emoji😀', 'n'])] = rand(3) === 0 ? rand(10_000) - 5000 : pick(WORDS);
      return out;
    };
    /** JSON with some characters as \u escapes (incl. surrogate pairs), so splits land mid-escape. */
    const toJson = (args: Record<string, unknown>): string =>
      JSON.stringify(args).replace(/[^\x20-\x7e]/g, (c) => (rand(2) === 0 ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
    /** Splits anywhere (UTF-16 units: between surrogate halves, inside \u escapes and \" pairs). */
    const split = (text: string): string[] => {
      const pieces: string[] = [];
      let at = 0;
      while (at < text.length) {
        const n = 1 + rand(6);
        pieces.push(text.slice(at, at + n));
        at += n;
      }
      return pieces.length > 0 ? pieces : [''];
    };

    it('300 random runs: every call is assembled exactly, in time, whatever the split and interleaving', () => {
      for (let run = 0; run < 300; run++) {
        const count = 1 + rand(3);
        const interleave = rand(2) === 0;
        const expected = Array.from({ length: count }, (_, i) => ({ id: `call_${run}_${i}`, name: `tool${i}`, args: randomArgs() }));
        const json = expected.map((c) => (Object.keys(c.args).length === 0 && rand(2) === 0 ? '' : toJson(c.args)));
        const fragments = json.map(split);
        const chunks: AIMessageChunk[] = [new AIMessageChunk({ content: '想一想 🤔', id: `m${run}` })];
        // The first chunk of a call carries its id and name (as OpenAI does); the rest only the index.
        const queues = fragments.map((f, i) => f.map((args, k) => (k === 0 ? tc(i, args, expected[i].id, expected[i].name) : tc(i, args))));
        if (interleave) {
          let left = queues.reduce((n, q) => n + q.length, 0);
          const next = queues.map(() => 0);
          while (left > 0) {
            // Calls start in index order; after that their fragments interleave at random.
            const open = queues.map((q, i) => i).filter((i) => next[i] < queues[i].length && (i === 0 || next[i - 1] > 0));
            const i = pick(open);
            chunks.push(queues[i][next[i]++]);
            left--;
          }
        } else {
          for (const q of queues) chunks.push(...q);
        }
        chunks.push(finish('tool_calls', { input_tokens: 1, output_tokens: chunks.length }));

        const parts = partsOf(chunks);
        const got = calls(parts);
        expect(got.map(({ id, name, args, invalid }) => ({ id, name, args, invalid }))).toEqual(
          expect.arrayContaining(expected.map((c) => ({ ...c, invalid: undefined }))),
        );
        expect(got).toHaveLength(count);
        for (const [i, call] of expected.entries()) {
          const deltas = parts.filter((p) => p.type === 'tool-call-delta' && p.id === call.id).map((p) => (p as { argsText: string }).argsText);
          expect(deltas.join('')).toBe(json[i]);
          const at = parts.findIndex((p) => p.type === 'tool-call' && p.id === call.id);
          const lastDelta = parts.map((p) => p.type === 'tool-call-delta' && p.id === call.id).lastIndexOf(true);
          expect(at).toBeGreaterThan(lastDelta);
          if (!interleave && i + 1 < count && json[i] !== '') {
            // Sequential calls: complete before the next call starts.
            const nextStart = parts.findIndex((p) => p.type === 'tool-call-start' && p.id === expected[i + 1].id);
            expect(at).toBeLessThan(nextStart);
          }
        }
        expect(parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('')).toBe('想一想 🤔');
        expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
      }
    });
  });
});
