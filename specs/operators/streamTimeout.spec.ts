import { AIMessageChunk } from '@langchain/core/messages';
import { streamTimeout } from '../../src/operators/streamTimeout';
import { RxLangChainError, StreamTimeoutError } from '../../src/errors';
import { createScheduler } from '../support/marbles';

const role = (): AIMessageChunk => new AIMessageChunk({ content: '' });

describe('streamTimeout', () => {
  describe('first chunk', () => {
    it("errors with kind 'first-chunk' and unsubscribes upstream when nothing arrives in time", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-------a-|', { a: 'late' });
        const expected =      '-----#';
        const subs     =      '^----!';
        expectObservable(source.pipe(streamTimeout({ firstChunkMs: 5, scheduler }))).toBe(expected, undefined, new StreamTimeoutError('first-chunk', 5));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('stops the first-chunk clock at the first value (idle not set: later gaps are fine)', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('---a----------b-|', { a: 'x', b: 'y' });
        const expected =      '---a----------b-|';
        const subs     =      '^---------------!';
        expectObservable(source.pipe(streamTimeout({ firstChunkMs: 5, scheduler }))).toBe(expected, { a: 'x', b: 'y' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('the first chunk is the first with content', () => {
    const roleChunk = new AIMessageChunk({ content: '' }); // what OpenAI-compatible servers send first
    it("a role chunk (no content) does not stop the first-chunk clock: a stall after it is 'first-chunk'", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-r---------a-|', { r: roleChunk, a: new AIMessageChunk('late') });
        const expected =      '-r---#';
        const subs     =      '^----!';
        expectObservable(source.pipe(streamTimeout({ firstChunkMs: 5, idleMs: 2, scheduler }))).toBe(expected, { r: roleChunk }, new StreamTimeoutError('first-chunk', 5));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('a tool-call chunk is a first chunk; after it any value (a usage chunk too) restarts the idle clock', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const tool = new AIMessageChunk({ content: '', tool_call_chunks: [{ name: 'search', args: '{"q"', index: 0, type: 'tool_call_chunk' }] });
        const usage = new AIMessageChunk({ content: '', usage_metadata: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } });
        const source   = cold('-r-t--u--u------|', { r: roleChunk, t: tool, u: usage });
        const expected =      '-r-t--u--u---#';
        const subs     =      '^------------!';
        expectObservable(source.pipe(streamTimeout({ firstChunkMs: 4, idleMs: 4, scheduler }))).toBe(expected, { r: roleChunk, t: tool, u: usage }, new StreamTimeoutError('idle', 4, '', 1));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('partialText and chunks', () => {
    it("carry the text of the chunks with content seen before an 'idle' or 'total' timeout", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-r-a-b------|', { r: role(), a: new AIMessageChunk('你好，'), b: new AIMessageChunk('世界 👋') });
        const expected =      '-r-a-b--#';
        const subs     =      '^-------!';
        expectObservable(source.pipe(streamTimeout({ idleMs: 3, scheduler }))).toBe(expected, { r: role(), a: new AIMessageChunk('你好，'), b: new AIMessageChunk('世界 👋') }, new StreamTimeoutError('idle', 3, '你好，世界 👋', 2));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
      const e = new StreamTimeoutError('total', 9, '你好，世界 👋', 2);
      expect(e.message).toBe('Stream timeout (total): the stream did not complete within 9 ms. 2 chunk(s) and 7 character(s) of partial text had arrived (error.partialText).');
      expect(new StreamTimeoutError('first-chunk', 5)).toMatchObject({ partialText: '', chunks: 0, message: 'Stream timeout (first-chunk): no first chunk within 5 ms.' });
    });
  });

  describe('values that are not text', () => {
    it('pass through without an error, add no text and are not a first chunk (ChunkStats.countAny)', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const values = { n: 42, o: { event: 'usage', data: {} }, p: { some: 'object' }, a: '你好 👋' };
        const source    = cold('-n-o-p-----|', values);
        const expected  =      '-n-o-#';
        const subs      =      '^----!';
        expectObservable(source.pipe(streamTimeout({ firstChunkMs: 5, scheduler }))).toBe(expected, values, new StreamTimeoutError('first-chunk', 5));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it("after the first chunk they restart the idle clock; partialText keeps only the text (a split emoji counts once)", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const values = { a: '你好 \ud83d', b: '\udc4b', n: 7, p: { some: 'object' } };
        const source    = cold('-a-b-n-p------|', values);
        const expected  =      '-a-b-n-p---#';
        const subs      =      '^----------!';
        const error = new StreamTimeoutError('idle', 4, '你好 👋', 2);
        expectObservable(source.pipe(streamTimeout({ idleMs: 4, scheduler }))).toBe(expected, values, error);
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
      expect(new StreamTimeoutError('idle', 4, '你好 👋', 2).message).toContain('2 chunk(s) and 4 character(s)');
    });
  });

  describe('idle', () => {
    it("errors with kind 'idle' when the gap after a chunk is too long", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a--b-------c-|', { a: '你', b: '好', c: '😀' });
        const expected =      '-a--b---#';
        const subs     =      '^-------!';
        expectObservable(source.pipe(streamTimeout({ idleMs: 4, scheduler }))).toBe(expected, { a: '你', b: '好' }, new StreamTimeoutError('idle', 4, '你好', 2));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('does not apply idleMs before the first chunk', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('--------a-|', { a: 'x' });
        const expected =      '--------a-|';
        const subs     =      '^---------!';
        expectObservable(source.pipe(streamTimeout({ idleMs: 3, scheduler }))).toBe(expected, { a: 'x' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('total', () => {
    it("errors with kind 'total' even while chunks keep coming", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-a-a-a-a-|', { a: '字' });
        const expected =      '-a-a-a#';
        const subs     =      '^-----!';
        const limited = source.pipe(streamTimeout({ totalMs: 6, idleMs: 3, firstChunkMs: 2, scheduler }));
        expectObservable(limited).toBe(expected, { a: '字' }, new StreamTimeoutError('total', 6, '字字字', 3));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('cancels every timer on completion and on downstream unsubscribe', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-|', { a: 'x' });
        const expected =      '-a-|';
        const subs     =      '^--!';
        expectObservable(source.pipe(streamTimeout({ totalMs: 10, idleMs: 5, scheduler }))).toBe(expected, { a: 'x' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
      const fresh = createScheduler();
      fresh.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a--------|', { a: 'x' });
        const expected =    '-a-';
        const subs =        '^-!';
        const unsub =       '^-!';
        expectObservable(source.pipe(streamTimeout({ totalMs: 5, scheduler: fresh })), unsub).toBe(expected, { a: 'x' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('errors', () => {
    it('passes upstream errors through and is typed', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('--#', undefined, new Error('500'));
        const expected =      '--#';
        const subs     =      '^-!';
        expectObservable(source.pipe(streamTimeout({ firstChunkMs: 5, scheduler }))).toBe(expected, undefined, new Error('500'));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
      const e = new StreamTimeoutError('idle', 4);
      expect(e).toBeInstanceOf(RxLangChainError);
      expect(e).toMatchObject({ code: 'STREAM_TIMEOUT', kind: 'idle', ms: 4, name: 'StreamTimeoutError' });
    });
  });

  describe('bad input', () => {
    it('throws at call time with messages that say what to fix', () => {
      expect(() => streamTimeout(undefined as never)).toThrow(new TypeError('streamTimeout: options must be an object, got undefined.'));
      expect(() => streamTimeout({})).toThrow(new TypeError('streamTimeout: give at least one of options.firstChunkMs, options.idleMs, options.totalMs.'));
      expect(() => streamTimeout({ firstChunkMs: 0 })).toThrow(new RangeError('streamTimeout: options.firstChunkMs must be a finite number > 0 (ms), got the number 0.'));
      expect(() => streamTimeout({ idleMs: '5' as never })).toThrow(new RangeError('streamTimeout: options.idleMs must be a finite number > 0 (ms), got the string "5".'));
      expect(() => streamTimeout({ totalMs: Infinity })).toThrow(new RangeError('streamTimeout: options.totalMs must be a finite number > 0 (ms), got the number Infinity.'));
      expect(() => streamTimeout({ totalMs: 5, scheduler: {} as never })).toThrow(new TypeError('streamTimeout: options.scheduler must be an RxJS scheduler, got an object (Object).'));
    });
  });
});
