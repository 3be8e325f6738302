import { AIMessageChunk } from '@langchain/core/messages';
import { streamMetrics } from '../../src/operators/streamMetrics';
import { createScheduler } from '../support/marbles';
import { TextInputError } from '../../src/decode/errors';

describe('streamMetrics', () => {
  describe('completion', () => {
    it('emits first-chunk time, total time, chunks and code-point chars once, on completion', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('--a-b--c-|', { a: new AIMessageChunk(''), b: new AIMessageChunk('你好'), c: ' 😀!' });
        const expected =    '---------(m|)';
        const sourceSubs =  '^--------!';
        expectObservable(source.pipe(streamMetrics({ scheduler }))).toBe(expected, {
          m: { firstChunkMs: 4, totalMs: 9, chunks: 2, chars: 5 },
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('counts the first chunk with content: a tool-call delta is one (no chars), a role-only chunk is not', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const role = new AIMessageChunk({ content: '' });
        const tool = new AIMessageChunk({ content: '', tool_call_chunks: [{ name: 'search', args: '{"q":', index: 0, type: 'tool_call_chunk' }] });
        const source   = cold('-r--t-a-|', { r: role, t: tool, a: new AIMessageChunk('好') });
        const expected =      '--------(m|)';
        const subs     =      '^-------!';
        expectObservable(source.pipe(streamMetrics({ scheduler }))).toBe(expected, { m: { firstChunkMs: 4, totalMs: 8, chunks: 2, chars: 1 } });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('counts an emoji split across two chunks once, as progress does (one chunk count, ChunkStats)', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const [high, low] = ['😀'.charCodeAt(0), '😀'.charCodeAt(1)].map((unit) => String.fromCharCode(unit));
        const source   = cold('-a-b-|', { a: `猫${high}`, b: `${low}!` });
        const expected =      '-----(m|)';
        const subs     =      '^----!';
        expectObservable(source.pipe(streamMetrics({ scheduler }))).toBe(expected, { m: { firstChunkMs: 1, totalMs: 5, chunks: 2, chars: 3 } });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('reports firstChunkMs null for a stream without text', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold<string>('----|');
        const expected =              '----(m|)';
        const subs     =              '^---!';
        expectObservable(source.pipe(streamMetrics({ scheduler }))).toBe(expected, { m: { firstChunkMs: null, totalMs: 4, chunks: 0, chars: 0 } });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('measures from each subscription, not from the operator call', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-|', { a: 'x' });
        const expected =    '------(m|)';
        const subs =        '---^--!';
        const unsub =       '---^';
        const op = streamMetrics({ scheduler });
        expectObservable(source.pipe(op), unsub).toBe(expected, { m: { firstChunkMs: 1, totalMs: 3, chunks: 1, chars: 1 } });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('errors', () => {
    it('emits nothing when the source errors', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-#', { a: 'x' }, new Error('reset'));
        const expected =      '---#';
        const subs     =      '^--!';
        expectObservable(source.pipe(streamMetrics({ scheduler }))).toBe(expected, undefined, new Error('reset'));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('bad input', () => {
    it('throws at call time and errors on values without text', () => {
      expect(() => streamMetrics('fast' as never)).toThrow(new TypeError('streamMetrics: options must be an object, got the string "fast".'));
      expect(() => streamMetrics({ scheduler: null as never })).toThrow(new TypeError('streamMetrics: options.scheduler must be an RxJS scheduler, got null.'));
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-|', { a: true as never });
        const expected =      '-#';
        const subs     =      '^!';
        expectObservable(source.pipe(streamMetrics({ scheduler }))).toBe(expected, undefined, new TextInputError('streamMetrics', true));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });
});
