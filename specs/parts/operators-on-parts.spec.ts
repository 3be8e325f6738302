import { defer, from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { AIMessageChunk, ToolMessage } from '@langchain/core/messages';
import { hasContent } from '../../src/decode/content';
import { textContent } from '../../src/operators/textContent';
import { collectText } from '../../src/operators/collectText';
import { abortOn } from '../../src/operators/abortOn';
import { progress } from '../../src/operators/progress';
import { streamMetrics } from '../../src/operators/streamMetrics';
import { streamTimeout } from '../../src/operators/streamTimeout';
import { retryBeforeFirstChunk } from '../../src/operators/retryBeforeFirstChunk';
import { StreamTimeoutError } from '../../src/errors';
import { TextInputError } from '../../src/decode/errors';
import type { TextLike } from '../../src/decode/text';
import type { StreamPart } from '../../src/parts/types';
import { toParts } from '../../src/parts/toParts';
import { createScheduler } from '../support/marbles';

/** One agent step as parts: a role-only start, reasoning, a tool call, then text. */
const P: Record<string, StreamPart> = {
  s: { type: 'step-start', step: 0, node: 'model' },
  r: { type: 'reasoning', text: '想一想' },
  c: { type: 'tool-call-start', id: 'c1', name: 'add', index: 0 },
  d: { type: 'tool-call-delta', id: 'c1', argsText: '{"a":1}' },
  k: { type: 'tool-call', id: 'c1', name: 'add', args: { a: 1 } },
  t: { type: 'text', text: '你好' },
  u: { type: 'text', text: ' 🌏' },
  f: { type: 'step-finish', step: 0, finishReason: 'stop' },
  x: { type: 'tool-result', id: 'c1', name: 'add', content: 'not text', isError: false },
  z: { type: 'finish', finishReason: 'stop' },
};

describe('the existing operators on part streams', () => {
  describe('hasContent: the one definition of the first chunk', () => {
    it('text, reasoning and tool-call parts have content; step, usage, finish, custom parts and tool results do not', () => {
      expect(Object.fromEntries(Object.entries(P).map(([k, p]) => [k, hasContent(p)]))).toEqual({
        s: false, r: true, c: true, d: true, k: true, t: true, u: true, f: false, x: false, z: false,
      });
      expect(hasContent({ type: 'text', text: '' })).toBe(false);
      expect(hasContent({ type: 'custom', data: 'x' })).toBe(false);
      expect(hasContent({ type: 'usage', usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } })).toBe(false);
    });

    it('content-block events: text, reasoning and tool-call deltas and starts that carry some', () => {
      expect(
        [
          { event: 'message-start', id: 'x' },
          { event: 'content-block-start', index: 0, content: { type: 'text', text: '' } },
          { event: 'content-block-start', index: 0, content: { type: 'text', text: '你' } },
          { event: 'content-block-start', index: 1, content: { type: 'tool_call_chunk', id: 'c', name: 'add', args: '' } },
          { event: 'content-block-delta', index: 0, delta: { type: 'text-delta', text: '好' } },
          { event: 'content-block-delta', index: 0, delta: { type: 'text-delta', text: '' } },
          { event: 'content-block-delta', index: 0, delta: { type: 'reasoning-delta', reasoning: '想' } },
          { event: 'content-block-delta', index: 1, delta: { type: 'tool-call-delta', args: '{' } },
          { event: 'content-block-delta', index: 1, delta: { type: 'block-delta', fields: { type: 'tool_call_chunk', args: '{"a"' } } },
          { event: 'content-block-delta', index: 2, delta: { type: 'data-delta', data: 'AAAA' } },
          { event: 'content-block-finish', index: 0, content: { type: 'text', text: '你好' } },
          { event: 'usage', usage: { input_tokens: 1 } },
          { event: 'message-finish', reason: 'stop' },
        ].map(hasContent),
      ).toEqual([false, false, true, true, true, false, true, true, true, false, false, false, false]);
    });

    it('LangGraph pairs and tuples: the model message in them; tool messages and other modes have none', () => {
      const meta = { langgraph_node: 'model' };
      expect(hasContent([new AIMessageChunk({ content: '' }), meta])).toBe(false); // role-only
      expect(hasContent([new AIMessageChunk({ content: 'hi' }), meta])).toBe(true);
      expect(hasContent(['messages', [new AIMessageChunk({ content: 'hi' }), meta]])).toBe(true);
      expect(hasContent([['sub:1'], 'messages', [new AIMessageChunk({ content: 'hi' }), meta]])).toBe(true);
      expect(hasContent(['messages', [new ToolMessage({ content: '3', tool_call_id: 'c' }), meta]])).toBe(false);
      expect(hasContent(['updates', { model: { messages: [] } }])).toBe(false);
      expect(hasContent(['custom', 'x'])).toBe(false);
    });
  });

  describe('textContent', () => {
    it('takes the text parts only: no reasoning, tool arguments or tool results', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-s-r-c-d-k-t-u-f-x-z|', P);
        const expected =      '-----------t-u------|';
        const subs     =      '^-------------------!';
        expectObservable(source.pipe(textContent())).toBe(expected, { t: '你好', u: ' 🌏' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('refuses content-block events and LangGraph pairs and tuples (TextInputError); through toParts() it takes their text', async () => {
      const meta = { langgraph_node: 'model' };
      const events = [
        { event: 'message-start' },
        { event: 'content-block-start', index: 0, content: { type: 'text', text: 'Py' } },
        { event: 'content-block-delta', index: 0, delta: { type: 'text-delta', text: 'thon' } },
        { event: 'content-block-delta', index: 1, delta: { type: 'reasoning-delta', reasoning: 'no' } },
        { event: 'content-block-finish', index: 0, content: { type: 'text', text: 'Python' } },
        { event: 'message-finish', reason: 'stop' },
      ];
      await expect(lastValueFrom(from(events as unknown as TextLike[]).pipe(collectText()))).rejects.toBeInstanceOf(TextInputError);
      expect(await lastValueFrom(from(events).pipe(toParts(), collectText()))).toBe('Python');
      const graph = [
        [new AIMessageChunk({ content: '你' }), meta],
        ['messages', [new AIMessageChunk({ content: '好' }), meta]],
        ['messages', [new ToolMessage({ content: 'tool output', tool_call_id: 'c' }), { langgraph_node: 'tools' }]],
        ['updates', { model: { messages: [new AIMessageChunk({ content: '你好' })] } }], // the same text again: not counted
        [['sub:1'], 'messages', [new AIMessageChunk({ content: '！' }), meta]],
        ['custom', { progress: 1 }],
      ];
      await expect(lastValueFrom(from(graph as unknown as TextLike[]).pipe(collectText()))).rejects.toBeInstanceOf(TextInputError);
      expect(await lastValueFrom(from(graph).pipe(toParts(), collectText()))).toBe('你好！');
    });

    it('fromAgent-style parts through textContent and abortOn stop at a forbidden word', async () => {
      const parts: StreamPart[] = [P.s, { type: 'text', text: '学 Ja' }, { type: 'text', text: 'va 吧' }, P.f, P.z];
      const emitted: string[] = [];
      await expect(lastValueFrom(from(parts).pipe(textContent(), abortOn(['Java']), toArray()))).rejects.toMatchObject({
        pattern: 'Java',
        emittedText: '学 ',
      });
      from(parts).pipe(textContent(), abortOn(['Java'], { mode: 'complete' })).subscribe((t) => emitted.push(t));
      expect(emitted.join('')).toBe('学 ');
    });
  });

  describe('progress and streamMetrics count chunks with content', () => {
    it('progress: reasoning and tool-call parts count as chunks (not chars); the first chunk is the first with content', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-s--r-c-t-f|', P);
        const expected =    '----a-b-c--(d|)';
        const sourceSubs =  '^----------!';
        const events = source.pipe(progress({ scheduler }));
        expectObservable(events).toBe(expected, {
          a: { chunks: 1, chars: 0, words: 0, elapsedMs: 4, firstChunkMs: 4, charsPerSecond: 0, done: false },
          b: { chunks: 2, chars: 0, words: 0, elapsedMs: 6, firstChunkMs: 4, charsPerSecond: 0, done: false },
          c: { chunks: 3, chars: 2, words: 1, elapsedMs: 8, firstChunkMs: 4, charsPerSecond: 250, done: false },
          d: { chunks: 3, chars: 2, words: 1, elapsedMs: 11, firstChunkMs: 4, charsPerSecond: 2000 / 11, done: true },
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('streamMetrics: TTFT is the first part with content, not the step-start', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-s---t-u-x-f-z|', P);
        const expected =    '--------------(a|)';
        const sourceSubs =  '^-------------!';
        expectObservable(source.pipe(streamMetrics({ scheduler }))).toBe(expected, {
          a: { firstChunkMs: 5, totalMs: 14, chunks: 2, chars: 4 },
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });
  });

  describe('streamTimeout and retryBeforeFirstChunk wait for a part with content', () => {
    it('a step-start does not satisfy firstChunkMs: a stall after it is a first-chunk timeout', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-s---------t|', P);
        const expected =      '-s---#';
        const subs     =      '^----!';
        expectObservable(source.pipe(streamTimeout({ firstChunkMs: 5, scheduler }))).toBe(expected, { s: P.s }, new StreamTimeoutError('first-chunk', 5));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('a tool-call delta is a first chunk', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-s-d--------t|', P);
        const expected =      '-s-d--------t|';
        const subs     =      '^------------!';
        expectObservable(source.pipe(streamTimeout({ firstChunkMs: 5, scheduler }))).toBe(expected, P);
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('retries a run that failed after a step-start but before any content, not one that failed after text', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const boom = new Error('503');
        Object.assign(boom, { status: 503 });
        const first =  cold<StreamPart>('-s#', P, boom);
        const expected =                '-s--s-t#';
        const subs =                    '^-!';
        const second = cold<StreamPart>('-s-t#', P, boom);
        const secondSubs =              '---^---!';
        let n = 0;
        const attempts: Array<Observable<StreamPart>> = [first, second];
        const run = defer(() => attempts[n++]);
        expectObservable(run.pipe(retryBeforeFirstChunk({ delay: 1, scheduler }))).toBe(expected, P, boom);
        expectSubscriptions(first.subscriptions).toBe(subs);
        expectSubscriptions(second.subscriptions).toBe(secondSubs);
      });
    });
  });
});
