import { AIMessageChunk } from '@langchain/core/messages';
import { Observable, take, tap, toArray, lastValueFrom } from 'rxjs';
import { createScheduler } from '../support/marbles';
import { fromRunnable, toUIMessageStream, type UIMessageChunk } from '../../src';
import type { StreamPart } from '../../src/parts/types';
import { chunk, marbleChatModel, toolCallChunk } from '../../src/testing';

const ID = { messageId: 'm1' };
const start: UIMessageChunk = { type: 'start', messageId: 'm1' };

describe('toUIMessageStream', () => {
  describe('a plain reply (message chunks)', () => {
    it('sends start at once, one step, one text block with one id, and finish with the AI SDK reason', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-------b-------c---|', {
          a: chunk('你好'),
          b: chunk('😀\n'),
          c: chunk('', { response_metadata: { finish_reason: 'stop' } }),
        });
        const expected =    's(xyz)---b-----------(def|)';
        const sourceSubs =  '^--------------------!';
        expectObservable(source.pipe(toUIMessageStream(ID))).toBe(expected, {
          s: start,
          x: { type: 'start-step' },
          y: { type: 'text-start', id: 'text-1' },
          z: { type: 'text-delta', id: 'text-1', delta: '你好' },
          b: { type: 'text-delta', id: 'text-1', delta: '😀\n' },
          d: { type: 'text-end', id: 'text-1' },
          e: { type: 'finish-step' },
          f: { type: 'finish', finishReason: 'stop' },
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('reads a marble model through fromRunnable, in virtual time', () => {
      createScheduler().run(({ expectObservable, expectSubscriptions }) => {
        const model = marbleChatModel('-a-------b---|', { a: 'Hel', b: chunk('lo', { response_metadata: { finish_reason: 'length' } }) });
        const expected =              's(abc)---d---(efg|)';
        const modelSubs =             '^------------!';
        expectObservable(fromRunnable(model, 'q').pipe(toUIMessageStream(ID))).toBe(expected, {
          s: start,
          a: { type: 'start-step' },
          b: { type: 'text-start', id: 'text-1' },
          c: { type: 'text-delta', id: 'text-1', delta: 'Hel' },
          d: { type: 'text-delta', id: 'text-1', delta: 'lo' },
          e: { type: 'text-end', id: 'text-1' },
          f: { type: 'finish-step' },
          g: { type: 'finish', finishReason: 'length' },
        });
        expectSubscriptions(model.subscriptions).toBe(modelSubs);
      });
    });

    it('accepts plain strings as text and sends finish without a reason when none came', async () => {
      const chunks = await lastValueFrom(new Observable<string>((s) => { s.next('a'); s.next(''); s.next('b'); s.complete(); }).pipe(toUIMessageStream(ID), toArray()));
      expect(chunks).toEqual([
        start,
        { type: 'start-step' },
        { type: 'text-start', id: 'text-1' },
        { type: 'text-delta', id: 'text-1', delta: 'a' },
        { type: 'text-delta', id: 'text-1', delta: 'b' },
        { type: 'text-end', id: 'text-1' },
        { type: 'finish-step' },
        { type: 'finish' },
      ]);
    });

    it('sends start and finish only for an empty reply, and a random msg- id per subscription by default', async () => {
      const op = toUIMessageStream();
      const empty = new Observable<string>((s) => s.complete());
      const [a, b] = await Promise.all([lastValueFrom(empty.pipe(op, toArray())), lastValueFrom(empty.pipe(op, toArray()))]);
      expect(a.map((c) => c.type)).toEqual(['start', 'finish']);
      const idA = (a[0] as { messageId: string }).messageId;
      expect(idA).toMatch(/^msg-[0-9a-f-]{36}$/);
      expect((b[0] as { messageId: string }).messageId).not.toBe(idA);
    });

    it('assembles streamed tool-call chunks into tool-input-start / -delta / -available', async () => {
      const source = new Observable<AIMessageChunk>((s) => {
        s.next(chunk('Let me add.'));
        s.next(toolCallChunk({ name: 'add', id: 'call_1', args: '{"a":' }));
        s.next(toolCallChunk({ args: '1,"b":2}' }));
        s.next(chunk('', { response_metadata: { finish_reason: 'tool_calls' } }));
        s.complete();
      });
      expect(await lastValueFrom(source.pipe(toUIMessageStream(ID), toArray()))).toEqual([
        start,
        { type: 'start-step' },
        { type: 'text-start', id: 'text-1' },
        { type: 'text-delta', id: 'text-1', delta: 'Let me add.' },
        { type: 'text-end', id: 'text-1' },
        { type: 'tool-input-start', toolCallId: 'call_1', toolName: 'add' },
        { type: 'tool-input-delta', toolCallId: 'call_1', inputTextDelta: '{"a":' },
        { type: 'tool-input-delta', toolCallId: 'call_1', inputTextDelta: '1,"b":2}' },
        { type: 'tool-input-available', toolCallId: 'call_1', toolName: 'add', input: { a: 1, b: 2 } },
        { type: 'finish-step' },
        { type: 'finish', finishReason: 'tool-calls' },
      ]);
    });
  });

  describe('an agent run (parts)', () => {
    const run: StreamPart[] = [
      { type: 'step-start', step: 0 },
      { type: 'reasoning', text: 'The user wants a sum.' },
      { type: 'text', text: 'Adding.' },
      { type: 'tool-call-start', id: 'c1', name: 'add', index: 0 },
      { type: 'tool-call-delta', id: 'c1', argsText: '{"a":1,"b":2}' },
      { type: 'tool-call', id: 'c1', name: 'add', args: { a: 1, b: 2 } },
      { type: 'tool-call', id: 'c2', name: 'lookup', args: {}, invalid: true, argsText: '{"q":' },
      { type: 'usage', usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 } },
      { type: 'step-finish', step: 0, finishReason: 'tool_calls' },
      { type: 'tool-result', id: 'c1', name: 'add', content: '3', isError: false },
      { type: 'tool-result', id: 'c2', name: 'lookup', content: 'bad arguments', isError: true },
      { type: 'custom', data: { status: 'searching' } },
      { type: 'step-start', step: 1 },
      { type: 'text', text: 'It is 3.' },
      { type: 'usage', usage: { input_tokens: 20, output_tokens: 4, total_tokens: 24 } },
      { type: 'step-finish', step: 1, finishReason: 'stop' },
      { type: 'finish', finishReason: 'stop' },
    ];

    it('maps steps, blocks, tool calls and results in order, each block with its own id', async () => {
      const out = await lastValueFrom(new Observable<StreamPart>((s) => { run.forEach((p) => s.next(p)); s.complete(); }).pipe(toUIMessageStream(ID), toArray()));
      expect(out).toEqual([
        start,
        { type: 'start-step' },
        { type: 'reasoning-start', id: 'reasoning-1' },
        { type: 'reasoning-delta', id: 'reasoning-1', delta: 'The user wants a sum.' },
        { type: 'reasoning-end', id: 'reasoning-1' },
        { type: 'text-start', id: 'text-2' },
        { type: 'text-delta', id: 'text-2', delta: 'Adding.' },
        { type: 'text-end', id: 'text-2' },
        { type: 'tool-input-start', toolCallId: 'c1', toolName: 'add' },
        { type: 'tool-input-delta', toolCallId: 'c1', inputTextDelta: '{"a":1,"b":2}' },
        { type: 'tool-input-available', toolCallId: 'c1', toolName: 'add', input: { a: 1, b: 2 } },
        { type: 'tool-input-error', toolCallId: 'c2', toolName: 'lookup', input: '{"q":', errorText: 'The arguments of the lookup call are not valid JSON.' },
        { type: 'finish-step' },
        { type: 'tool-output-available', toolCallId: 'c1', output: '3' },
        { type: 'tool-output-error', toolCallId: 'c2', errorText: 'bad arguments' },
        { type: 'data-custom', data: { status: 'searching' }, transient: true },
        { type: 'start-step' },
        { type: 'text-start', id: 'text-3' },
        { type: 'text-delta', id: 'text-3', delta: 'It is 3.' },
        { type: 'text-end', id: 'text-3' },
        { type: 'finish-step' },
        { type: 'finish', finishReason: 'stop' },
      ]);
    });

    it('options: no reasoning, dynamic tools, persistent custom data, metadata with summed usage and firstChunkMs', () => {
      const out: UIMessageChunk[] = [];
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const values = Object.fromEntries(run.map((p, i) => [String.fromCharCode(97 + i), p]));
        const source   = cold('--abcdefghijklmnopq|', values);
        const expected =      '-------------------(x|)';
        const subs     =      '^------------------!';
        const op = toUIMessageStream({ ...ID, sendReasoning: false, dynamicTools: true, customData: 'persistent', metadata: true });
        expectObservable(source.pipe(op, tap((c) => out.push(c)), toArray())).toBe(expected, { x: expect.any(Array) });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
      expect(out.some((c) => c.type.startsWith('reasoning'))).toBe(false);
      expect(out).toContainEqual({ type: 'tool-input-start', toolCallId: 'c1', toolName: 'add', dynamic: true });
      expect(out).toContainEqual({ type: 'tool-input-available', toolCallId: 'c1', toolName: 'add', input: { a: 1, b: 2 }, dynamic: true });
      expect(out).toContainEqual({ type: 'data-custom', data: { status: 'searching' } });
      // the reasoning part at frame 3 is the first content even when it is not sent
      expect(out.slice(-2)).toEqual([
        { type: 'message-metadata', messageMetadata: { usage: { input_tokens: 30, output_tokens: 9, total_tokens: 39, input_token_details: {}, output_token_details: {} }, firstChunkMs: 3 } },
        { type: 'finish', finishReason: 'stop' },
      ]);
    });

    it('sends transient data-progress chunks (code points, words) and a final done one', async () => {
      const out = await lastValueFrom(
        new Observable<string>((s) => { s.next('你好'); s.next('😀 ok'); s.complete(); }).pipe(toUIMessageStream({ ...ID, progress: true }), toArray()),
      );
      const progress = out.filter((c) => c.type === 'data-progress') as { data: { chars: number; done: boolean }; transient: boolean }[];
      expect(progress.map((p) => [p.data.chars, p.data.done, p.transient])).toEqual([[2, false, true], [6, false, true], [6, true, true]]);
      expect(out.indexOf(progress[2] as UIMessageChunk)).toBe(out.length - 2);
    });
  });

  describe('errors, stops and teardown', () => {
    it('ends open text and the step, sends one error chunk and completes when the source fails', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-------#', { a: 'x' }, new Error('model failed'));
        const expected =    's(abc)---(def|)';
        const sourceSubs =  '^--------!';
        expectObservable(source.pipe(toUIMessageStream(ID))).toBe(expected, {
          s: start,
          a: { type: 'start-step' },
          b: { type: 'text-start', id: 'text-1' },
          c: { type: 'text-delta', id: 'text-1', delta: 'x' },
          d: { type: 'text-end', id: 'text-1' },
          e: { type: 'finish-step' },
          f: { type: 'error', errorText: 'model failed' },
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('lets errorText redact the message, and survives a redactor that throws', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('--#', undefined, new Error('sk-secret'));
        const expected =    's-(e|)';
        const expected2 =   's-(e|)';
        const sourceSubs = ['^-!', '^-!'];
        expectObservable(source.pipe(toUIMessageStream({ ...ID, errorText: () => 'Something went wrong.' }))).toBe(expected, {
          s: start,
          e: { type: 'error', errorText: 'Something went wrong.' },
        });
        const throwing = toUIMessageStream({ ...ID, errorText: () => { throw new Error('oops'); } });
        expectObservable(source.pipe(throwing)).toBe(expected2, { s: start, e: { type: 'error', errorText: 'The stream failed.' } });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('a value it cannot read becomes an error chunk and unsubscribes the source', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-|', { a: { type: 'text-delta' } as never, b: 'x' });
        const expected =    's(e|)';
        const sourceSubs =  '^!';
        expectObservable(source.pipe(toUIMessageStream(ID))).toBe(expected, {
          s: start,
          e: { type: 'error', errorText: 'toUIMessageStream: expected StreamParts, AIMessageChunks or strings, got a value of type the string "text-delta".' },
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('a stop unsubscribes the source (aborting the model), ends open text and sends abort', () => {
      createScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-------b-------c---|', { a: 'x', b: 'y', c: 'z' });
        const stop$ =   hot('-------------s', { s: 'user pressed stop' });
        const expected =    's(abc)---d---(efg|)';
        const sourceSubs =  '^------------!';
        const stopSubs =    '^------------!';
        expectObservable(source.pipe(toUIMessageStream({ ...ID, stop$ }))).toBe(expected, {
          s: start,
          a: { type: 'start-step' },
          b: { type: 'text-start', id: 'text-1' },
          c: { type: 'text-delta', id: 'text-1', delta: 'x' },
          d: { type: 'text-delta', id: 'text-1', delta: 'y' },
          e: { type: 'text-end', id: 'text-1' },
          f: { type: 'finish-step' },
          g: { type: 'abort', reason: 'user pressed stop' },
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
        expectSubscriptions(stop$.subscriptions).toBe(stopSubs);
      });
    });

    it('unsubscribing sends nothing more and unsubscribes the source and stop$', () => {
      createScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-|', { a: 'x', b: 'y', c: 'z' });
        const stop$ =   hot('---------s');
        const expected =    's(abc)-';
        const unsub =       '^--!';
        const sourceSubs =  '^--!';
        const stopSubs =    '^--!';
        expectObservable(source.pipe(toUIMessageStream({ ...ID, stop$ })), unsub).toBe(expected, {
          s: start,
          a: { type: 'start-step' },
          b: { type: 'text-start', id: 'text-1' },
          c: { type: 'text-delta', id: 'text-1', delta: 'x' },
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
        expectSubscriptions(stop$.subscriptions).toBe(stopSubs);
      });
    });

    it('a downstream take stops an infinite synchronous source', () => {
      let produced = 0;
      const infinite = new Observable<string>((s) => {
        while (!s.closed) {
          produced++;
          s.next('t');
        }
      });
      const got: UIMessageChunk[] = [];
      infinite.pipe(toUIMessageStream(ID), take(5)).subscribe((c) => got.push(c));
      expect(got.map((c) => c.type)).toEqual(['start', 'start-step', 'text-start', 'text-delta', 'text-delta']);
      // exactly the values delivered: the one being delivered when take(5) completes is the last
      expect(produced).toBe(2);
    });

    it('rejects bad options at call time with messages that say what to fix', () => {
      expect(() => toUIMessageStream({ messageId: '' })).toThrow(new TypeError('toUIMessageStream: messageId must be a non-empty string, got the string "".'));
      expect(() => toUIMessageStream({ stop$: 'now' as never })).toThrow(/stop\$ must be an Observable/);
      expect(() => toUIMessageStream({ customData: 'keep' as never })).toThrow(/customData must be 'transient', 'persistent' or 'drop'/);
      expect(() => toUIMessageStream({ metadata: 'yes' as never })).toThrow(/metadata must be a boolean/);
      expect(() => toUIMessageStream({ progress: { everyChars: 0 } })).toThrow(RangeError);
      expect(() => toUIMessageStream({ errorText: 'x' as never })).toThrow(/errorText must be a function/);
    });
  });
});
