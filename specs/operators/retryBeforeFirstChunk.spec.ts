import * as root from '../../src';
import { defer, type Observable } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import { isRetryableError, retryAfterMsOf, retryBeforeFirstChunk } from '../../src/operators/retryBeforeFirstChunk';
import { ForbiddenContentError, StreamAbortedError, StreamTimeoutError } from '../../src/errors';
import { createScheduler } from '../support/marbles';

const httpError = (status: number, headers?: Record<string, string> | Headers): Error =>
  Object.assign(new Error(`HTTP ${status}`), { status, headers });

/** A source whose n-th subscription subscribes to `attempts[n]` (a new request each time). */
const attemptsOf = <T>(...attempts: Array<Observable<T>>): Observable<T> => {
  let n = 0;
  return defer(() => attempts[n++]);
};

describe('retryBeforeFirstChunk', () => {
  describe('errors before the first chunk', () => {
    it('resubscribes (a new request) after the delay and succeeds', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const first = cold<string>('--#', undefined, httpError(503));
        const expected =           '------a-|';
        const subs =               '^-!';
        const second =        cold('-a-|', { a: 'hi' });
        const secondSubs =         '-----^--!';
        expectObservable(attemptsOf(first, second).pipe(retryBeforeFirstChunk({ delay: 3, scheduler }))).toBe(expected, { a: 'hi' });
        expectSubscriptions(first.subscriptions).toBe(subs);
        expectSubscriptions(second.subscriptions).toBe(secondSubs);
      });
    });

    it('counts a role chunk (no content) as nothing seen: an error after it is still retried', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const role = new AIMessageChunk({ content: '' });
        const first = cold<AIMessageChunk>('-r-#', { r: role }, new StreamTimeoutError('first-chunk', 2));
        const expected =                   '-r---r-a-|';
        const subs =                       '^--!';
        const second =                cold('-r-a-|', { r: role, a: new AIMessageChunk('你好') });
        const secondSubs =                 '----^----!';
        expectObservable(attemptsOf(first, second).pipe(retryBeforeFirstChunk({ delay: 1, scheduler }))).toBe(expected, { r: role, a: new AIMessageChunk('你好') });
        expectSubscriptions(first.subscriptions).toBe(subs);
        expectSubscriptions(second.subscriptions).toBe(secondSubs);
      });
    });

    it('does not retry once a chunk with content arrived (a tool-call delta counts)', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const tool = new AIMessageChunk({ content: '', tool_call_chunks: [{ name: 'f', args: '{', index: 0, type: 'tool_call_chunk' }] });
        const first    = cold<AIMessageChunk>('-t-#', { t: tool }, httpError(503));
        const expected =                      '-t-#';
        const subs     =                      '^--!';
        const second   =                 cold('-a-|', { a: new AIMessageChunk('x') });
        expectObservable(attemptsOf(first, second).pipe(retryBeforeFirstChunk({ delay: 1, scheduler }))).toBe(expected, { t: tool }, httpError(503));
        expectSubscriptions(first.subscriptions).toBe(subs);
        expectSubscriptions(second.subscriptions).toBe([]);
      });
    });

    it('backs off with a delay function of (attempt, error) and gives up after count retries', () => {
      const scheduler = createScheduler();
      const seen: Array<[number, number]> = [];
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const e = httpError(429);
        const a = cold<string>('#', undefined, e);
        const expected =       '------#';
        const subs =           '(^!)';
        const b = cold<string>('#', undefined, e);
        const c = cold<string>('#', undefined, e);
        const bSubs =          '--(^!)';
        const cSubs =          '------(^!)';
        const delay = (attempt: number, error: unknown): number => {
          seen.push([attempt, (error as { status: number }).status]);
          return attempt * 2;
        };
        expectObservable(attemptsOf(a, b, c).pipe(retryBeforeFirstChunk({ count: 2, delay, scheduler }))).toBe(expected, undefined, e);
        expectSubscriptions(a.subscriptions).toBe(subs);
        expectSubscriptions(b.subscriptions).toBe(bSubs);
        expectSubscriptions(c.subscriptions).toBe(cSubs);
      });
      expect(seen).toEqual([[1, 429], [2, 429]]);
    });

    it('honours a Retry-After header (seconds) and a retryAfterMs hint over the computed delay', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const a = cold<string>('#', undefined, httpError(429, new Headers({ 'retry-after': '0.007' })));
        const expected =       '----------(a|)';
        const subs =           '(^!)';
        const b = cold<string>('-#', undefined, Object.assign(new Error('busy'), { status: 503, retryAfterMs: 2 }));
        const c =         cold('(a|)', { a: 'ok' });
        const bSubs =          '-------^!';
        const cSubs =          '----------(^!)';
        expectObservable(attemptsOf(a, b, c).pipe(retryBeforeFirstChunk({ delay: 100, scheduler }))).toBe(expected, { a: 'ok' });
        expectSubscriptions(a.subscriptions).toBe(subs);
        expectSubscriptions(b.subscriptions).toBe(bSubs);
        expectSubscriptions(c.subscriptions).toBe(cSubs);
      });
    });

    it('does not retry what retryIf rejects (401), passing the error through at once', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const a        = cold<string>('--#', undefined, httpError(401));
        const expected =              '--#';
        const subs     =              '^-!';
        const b        =         cold('a|', { a: 'never' });
        expectObservable(attemptsOf(a, b).pipe(retryBeforeFirstChunk({ delay: 1, scheduler }))).toBe(expected, undefined, httpError(401));
        expectSubscriptions(a.subscriptions).toBe(subs);
        expectSubscriptions(b.subscriptions).toBe([]);
      });
    });
  });

  describe('errors after the first chunk', () => {
    it('passes them through untouched, without a new request', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const a        = cold('-a-#', { a: '你好' }, httpError(503));
        const expected =      '-a-#';
        const subs     =      '^--!';
        const b        = cold('a|', { a: 'again' });
        expectObservable(attemptsOf(a, b).pipe(retryBeforeFirstChunk({ delay: 1, scheduler }))).toBe(expected, { a: '你好' }, httpError(503));
        expectSubscriptions(a.subscriptions).toBe(subs);
        expectSubscriptions(b.subscriptions).toBe([]);
      });
    });

    it('does not retry once a retried attempt has produced a chunk', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const a = cold<string>('#', undefined, httpError(500));
        const expected =       '--a-#';
        const subs =           '(^!)';
        const b =         cold('-a-#', { a: '😀' }, httpError(502));
        const c =         cold('a|', { a: 'never' });
        const bSubs =          '-^--!';
        expectObservable(attemptsOf(a, b, c).pipe(retryBeforeFirstChunk({ count: 5, delay: 1, scheduler }))).toBe(expected, { a: '😀' }, httpError(502));
        expectSubscriptions(a.subscriptions).toBe(subs);
        expectSubscriptions(b.subscriptions).toBe(bSubs);
        expectSubscriptions(c.subscriptions).toBe([]);
      });
    });
  });

  describe('isRetryableError', () => {
    it('is exported from the root entry (the documented default of retryIf)', () => {
      expect(root.isRetryableError).toBe(isRetryableError);
    });

    it('says yes to 429, 5xx, 408, network failures and our own timeouts', () => {
      for (const status of [408, 409, 429, 500, 502, 503, 504]) expect(isRetryableError(httpError(status))).toBe(true);
      expect(isRetryableError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
      expect(isRetryableError(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }) }))).toBe(true);
      expect(isRetryableError(Object.assign(new Error('Connection error.'), { name: 'APIConnectionError' }))).toBe(true);
      expect(isRetryableError(new StreamTimeoutError('first-chunk', 10))).toBe(true);
    });

    it('says no to 400/401/403/404/422, aborts, our other errors and unknowns', () => {
      for (const status of [400, 401, 403, 404, 422]) expect(isRetryableError(httpError(status))).toBe(false);
      expect(isRetryableError(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(false);
      expect(isRetryableError(new StreamAbortedError('user'))).toBe(false);
      expect(isRetryableError(new ForbiddenContentError('x', 0, ''))).toBe(false);
      expect(isRetryableError(new Error('something'))).toBe(false);
      expect(isRetryableError('string')).toBe(false);
      expect(isRetryableError(null)).toBe(false);
    });
  });

  describe('retryAfterMsOf', () => {
    it('reads retryAfterMs, retry-after-ms and retry-after (seconds or HTTP date) from Headers or a plain object', () => {
      expect(retryAfterMsOf({ retryAfterMs: 1500 })).toBe(1500);
      expect(retryAfterMsOf(httpError(429, new Headers({ 'retry-after-ms': '250' })))).toBe(250);
      expect(retryAfterMsOf(httpError(429, { 'retry-after': '3' }))).toBe(3000);
      expect(retryAfterMsOf(httpError(429, { 'Retry-After': '2' }))).toBe(2000);
      // An HTTP date counts from the clock given (no wall-clock read in the spec).
      const now = Date.parse('Tue, 01 Dec 2026 12:00:00 GMT');
      expect(retryAfterMsOf(httpError(429, { 'retry-after': 'Tue, 01 Dec 2026 12:00:10 GMT' }), now)).toBe(10_000);
      expect(retryAfterMsOf(httpError(429, { 'retry-after': 'Tue, 01 Dec 2026 11:59:00 GMT' }), now)).toBe(0);
      expect(retryAfterMsOf(httpError(429, { 'retry-after': 'soon' }))).toBeUndefined();
      expect(retryAfterMsOf(httpError(503))).toBeUndefined();
    });
  });

  describe('bad input', () => {
    it('throws at call time with messages that say what to fix', () => {
      expect(() => retryBeforeFirstChunk(3 as never)).toThrow(new TypeError('retryBeforeFirstChunk: options must be an object, got the number 3.'));
      expect(() => retryBeforeFirstChunk({ count: -1 })).toThrow(new RangeError('retryBeforeFirstChunk: options.count must be an integer >= 0, got the number -1.'));
      expect(() => retryBeforeFirstChunk({ count: 1.5 })).toThrow(RangeError);
      expect(() => retryBeforeFirstChunk({ delay: -5 })).toThrow(new RangeError('retryBeforeFirstChunk: options.delay must be a number >= 0, got the number -5.'));
      expect(() => retryBeforeFirstChunk({ delay: 'x' as never })).toThrow(RangeError);
      expect(() => retryBeforeFirstChunk({ retryIf: true as never })).toThrow(new TypeError('retryBeforeFirstChunk: options.retryIf must be a function, got boolean.'));
      expect(() => retryBeforeFirstChunk({ scheduler: 1 as never })).toThrow(new TypeError('retryBeforeFirstChunk: options.scheduler must be an RxJS scheduler, got the number 1.'));
    });

    it('errors with a RangeError when a delay function returns a bad value', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const a = cold<string>('-#', undefined, httpError(500));
        const expected =       '-#';
        const aSubs =          '^!';
        expectObservable(attemptsOf(a).pipe(retryBeforeFirstChunk({ delay: () => NaN, scheduler }))).toBe(
          expected,
          undefined,
          new RangeError('retryBeforeFirstChunk: options.delay returned the number NaN; return a number of ms >= 0.'),
        );
        expectSubscriptions(a.subscriptions).toBe(aSubs);
      });
    });
  });
});
