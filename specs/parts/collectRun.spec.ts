import { from, lastValueFrom, Observable, Subject, toArray } from 'rxjs';
import { AIMessage, AIMessageChunk, ToolMessage } from '@langchain/core/messages';
import { collectRun, type RunResult } from '../../src/parts/collectRun';
import type { StreamPart } from '../../src/parts/types';

const usage = (i: number, o: number) => ({ input_tokens: i, output_tokens: o, total_tokens: i + o });

/** A two-step agent run as parts: a reasoning + tool-call step, a tool result, an answer step. */
const RUN: StreamPart[] = [
  { type: 'step-start', step: 0, node: 'model' },
  { type: 'reasoning', text: '先查' },
  { type: 'tool-call-start', id: 'c1', name: 'python_release', index: 0 },
  { type: 'tool-call-delta', id: 'c1', argsText: '{"version":"3.0"}' },
  { type: 'tool-call', id: 'c1', name: 'python_release', args: { version: '3.0' } },
  { type: 'tool-call-start', id: 'c2', name: 'oops', index: 1 },
  { type: 'tool-call', id: 'c2', name: 'oops', args: {}, invalid: true, argsText: '{"x":' },
  { type: 'usage', usage: usage(10, 5) },
  { type: 'step-finish', step: 0, finishReason: 'tool_calls', usage: usage(10, 5) },
  { type: 'tool-result', id: 'c1', name: 'python_release', content: '{"released":"2008-12-03"}', isError: false },
  { type: 'step-start', step: 1 },
  { type: 'text', text: 'Python 3.0 于 2008 年' },
  { type: 'text', text: '发布 🐍' },
  { type: 'step-finish', step: 1, finishReason: 'stop', usage: usage(20, 7) },
  { type: 'finish', finishReason: 'stop', usage: usage(30, 12) },
];

describe('collectRun', () => {
  it('emits the run as LangChain messages, the text, the tool calls and the summed usage on completion', async () => {
    const run = await lastValueFrom(from(RUN).pipe(collectRun()));
    expect(run.text).toBe('Python 3.0 于 2008 年发布 🐍');
    expect(run.steps).toBe(2);
    expect(run.finishReason).toBe('stop');
    expect(run.usage).toEqual(usage(30, 12));
    expect(run.toolCalls.map((c) => [c.id, c.invalid])).toEqual([['c1', undefined], ['c2', true]]);
    expect(run.toolResults).toHaveLength(1);
    expect(run.messages.map((m) => m.getType())).toEqual(['ai', 'tool', 'ai']);
    const [call, result, answer] = run.messages as [AIMessage, ToolMessage, AIMessage];
    expect(call.tool_calls).toEqual([{ id: 'c1', name: 'python_release', args: { version: '3.0' }, type: 'tool_call' }]);
    expect(call.invalid_tool_calls).toEqual([expect.objectContaining({ id: 'c2', name: 'oops', args: '{"x":' })]);
    expect(call.additional_kwargs.reasoning_content).toBe('先查');
    expect(call.usage_metadata).toEqual(usage(10, 5));
    expect(call.response_metadata.finish_reason).toBe('tool_calls');
    expect(result).toBeInstanceOf(ToolMessage);
    expect([result.tool_call_id, result.name, result.status, result.content]).toEqual(['c1', 'python_release', 'success', '{"released":"2008-12-03"}']);
    expect(answer.content).toBe('Python 3.0 于 2008 年发布 🐍');
    expect(answer.tool_calls).toEqual([]);
  });

  it('also takes raw values (what toParts() recognises): chunks and tool messages', async () => {
    const run = await lastValueFrom(
      from([
        new AIMessageChunk({ content: '', tool_call_chunks: [{ index: 0, id: 'c1', name: 'add', args: '{"a":1,"b":2}', type: 'tool_call_chunk' }] }),
        new AIMessageChunk({ content: '', response_metadata: { finish_reason: 'tool_calls' }, usage_metadata: usage(3, 4) }),
        new ToolMessage({ content: '3', tool_call_id: 'c1', name: 'add' }),
        new AIMessageChunk({ content: '等于 3', id: 'next', usage_metadata: usage(5, 2), response_metadata: { finish_reason: 'stop' } }),
      ]).pipe(collectRun()),
    );
    expect(run.messages.map((m) => m.getType())).toEqual(['ai', 'tool', 'ai']);
    expect((run.messages[0] as AIMessage).tool_calls?.[0].args).toEqual({ a: 1, b: 2 });
    expect(run.usage).toEqual(usage(8, 6));
    expect(run.text).toBe('等于 3');
  });

  it('emits nothing when the run errors or is unsubscribed: a cut run is never collected', async () => {
    const failing = new Observable<StreamPart>((subscriber) => {
      RUN.slice(0, 5).forEach((p) => subscriber.next(p));
      subscriber.error(new Error('connection reset'));
    });
    const seen: RunResult[] = [];
    await expect(lastValueFrom(failing.pipe(collectRun()))).rejects.toThrow('connection reset');
    const parts = new Subject<StreamPart>();
    const subscription = parts.pipe(collectRun()).subscribe((r) => seen.push(r));
    RUN.slice(0, 9).forEach((p) => parts.next(p));
    subscription.unsubscribe();
    parts.complete();
    expect(seen).toEqual([]);
    expect(parts.observed).toBe(false);
  });

  it('an empty run has no messages and an unknown finish reason', async () => {
    expect(await lastValueFrom(from([] as StreamPart[]).pipe(collectRun(), toArray()))).toEqual([
      { messages: [], text: '', toolCalls: [], toolResults: [], usage: undefined, finishReason: 'unknown', steps: 0, approvalRequests: [] },
    ]);
  });
});
