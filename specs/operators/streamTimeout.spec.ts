import { streamTimeout } from '../../src/operators/streamTimeout';
import { RxLangChainError, StreamTimeoutError } from '../../src/errors';
import { createScheduler } from '../support/marbles';

describe('streamTimeout', () => {
  describe('first chunk', () => {
    it("errors with kind 'first-chunk' and unsubscribes upstream when nothing arrives in time", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-------a-|', { a: 'late' });
        expectObservable(source.pipe(streamTimeout({ firstChunkMs: 5, scheduler }))).toBe('-----#', undefined, new StreamTimeoutError('first-chunk', 5));
        expectSubscriptions(source.subscriptions).toBe('^----!');
      });
    });

    it('stops the first-chunk clock at the first value (idle not set: later gaps are fine)', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('---a----------b-|', { a: 'x', b: 'y' });
        expectObservable(source.pipe(streamTimeout({ firstChunkMs: 5, scheduler }))).toBe('---a----------b-|', { a: 'x', b: 'y' });
        expectSubscriptions(source.subscriptions).toBe('^---------------!');
      });
    });
  });

  describe('idle', () => {
    it("errors with kind 'idle' when the gap after a chunk is too long", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a--b-------c-|', { a: '你', b: '好', c: '😀' });
        expectObservable(source.pipe(streamTimeout({ idleMs: 4, scheduler }))).toBe('-a--b---#', { a: '你', b: '好' }, new StreamTimeoutError('idle', 4));
        expectSubscriptions(source.subscriptions).toBe('^-------!');
      });
    });

    it('does not apply idleMs before the first chunk', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('--------a-|', { a: 'x' });
        expectObservable(source.pipe(streamTimeout({ idleMs: 3, scheduler }))).toBe('--------a-|', { a: 'x' });
        expectSubscriptions(source.subscriptions).toBe('^---------!');
      });
    });
  });

  describe('total', () => {
    it("errors with kind 'total' even while chunks keep coming", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-a-a-a-a-|', { a: 'tok' });
        expectObservable(source.pipe(streamTimeout({ totalMs: 6, idleMs: 3, firstChunkMs: 2, scheduler }))).toBe(
          '-a-a-a#',
          { a: 'tok' },
          new StreamTimeoutError('total', 6),
        );
        expectSubscriptions(source.subscriptions).toBe('^-----!');
      });
    });

    it('cancels every timer on completion and on downstream unsubscribe', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-|', { a: 'x' });
        expectObservable(source.pipe(streamTimeout({ totalMs: 10, idleMs: 5, scheduler }))).toBe('-a-|', { a: 'x' });
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
      const fresh = createScheduler();
      fresh.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a--------|', { a: 'x' });
        expectObservable(source.pipe(streamTimeout({ totalMs: 5, scheduler: fresh })), '^-!').toBe('-a-', { a: 'x' });
        expectSubscriptions(source.subscriptions).toBe('^-!');
      });
    });
  });

  describe('errors', () => {
    it('passes upstream errors through and is typed', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('--#', undefined, new Error('500'));
        expectObservable(source.pipe(streamTimeout({ firstChunkMs: 5, scheduler }))).toBe('--#', undefined, new Error('500'));
        expectSubscriptions(source.subscriptions).toBe('^-!');
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
