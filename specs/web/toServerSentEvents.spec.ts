import { AIMessageChunk } from '@langchain/core/messages';
import { asyncScheduler, from, map, range, take, type SchedulerLike } from 'rxjs';
import { createScheduler } from '../support/marbles';
import { encodeServerSentEvent, SSE_HEARTBEAT } from '../../src/web/serverSentEventFrame';
import { toServerSentEvents, RxLangChainError } from '../../src';

const ev = (event: string, id: number, data: unknown): string => encodeServerSentEvent({ event, id, data: JSON.stringify(data) });

describe('toServerSentEvents', () => {
  describe('events, ids and the final done event', () => {
    it('numbers events from 1 and ends with one done event carrying the chunk count', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-|', { a: 'Hel', b: 'lo' });
        const expected =    '-a-b-(d|)';
        const sourceSubs =  '^----!';
        expectObservable(source.pipe(toServerSentEvents({ heartbeatMs: 100 }))).toBe(expected, {
          a: ev('chunk', 1, { text: 'Hel' }),
          b: ev('chunk', 2, { text: 'lo' }),
          d: ev('done', 3, { chunks: 2 }),
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('sends only a done event for an empty stream', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('---|');
        const expected =      '---(d|)';
        const subs     =      '^--!';
        expectObservable(source.pipe(toServerSentEvents({ heartbeatMs: 0 }))).toBe(expected, { d: ev('done', 1, { chunks: 0 }) });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('takes the text of message chunks, Chinese and emoji included', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-|', { a: new AIMessageChunk({ content: '你好😀' }) });
        const expected =    '-a-(d|)';
        const sourceSubs =  '^--!';
        expectObservable(source.pipe(toServerSentEvents())).toBe(expected, {
          a: ev('chunk', 1, { text: '你好😀' }),
          d: ev('done', 2, { chunks: 1 }),
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('JSON-encodes content so newlines, CRLF, blank lines and data: lines stay inside one data line', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const text = 'a\n\ndata: x\r\nevent: done\rb';
        const source = cold('-a|', { a: text });
        const expected =    '-a(d|)';
        const sourceSubs =  '^-!';
        expectObservable(source.pipe(toServerSentEvents({ heartbeatMs: 0 }))).toBe(expected, {
          a: `event: chunk\nid: 1\ndata: ${JSON.stringify({ text })}\n\n`,
          d: ev('done', 2, { chunks: 1 }),
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });
  });

  describe('heartbeats', () => {
    it('sends a ping comment after each heartbeatMs window without an event', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-------b|', { a: 'x', b: 'y' });
        // windows end at 3 (a came: no ping), 6 (silent: ping), 9 (b came: no ping)
        const expected =    '-a----p--b(d|)';
        const sourceSubs =  '^---------!';
        expectObservable(source.pipe(toServerSentEvents({ heartbeatMs: 3 }))).toBe(expected, {
          a: ev('chunk', 1, { text: 'x' }),
          b: ev('chunk', 2, { text: 'y' }),
          d: ev('done', 3, { chunks: 2 }),
          p: SSE_HEARTBEAT,
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('pings before the first token and stops pinging when the subscriber leaves', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-------a-|', { a: 'x' });
        const expected =    '--p-p-';
        const subs =        '^----!';
        const unsub =       '^----!';
        expectObservable(source.pipe(toServerSentEvents({ heartbeatMs: 2 })), unsub).toBe(expected, { p: SSE_HEARTBEAT });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('schedules one heartbeat action per idle period, not one timer per frame (1,000 frames: 1 action, not 1,000)', () => {
      const scheduled: number[] = [];
      const counting: SchedulerLike = {
        now: () => asyncScheduler.now(),
        schedule: (work, delay, state) => (scheduled.push(delay ?? 0), asyncScheduler.schedule(work as never, delay, state)),
      };
      const frames: string[] = [];
      range(0, 1000).pipe(map(String), toServerSentEvents({ heartbeatMs: 15_000, scheduler: counting })).subscribe((f) => frames.push(f));
      expect(frames).toHaveLength(1001);
      expect(scheduled).toEqual([15_000]);
    });

    it('stops an infinite synchronous source at a downstream take, heartbeat on', () => {
      let pulled = 0;
      function* forever(): Generator<string> {
        for (;;) {
          if (++pulled > 1e5) throw new Error('not stopped');
          yield 'x';
        }
      }
      const got: string[] = [];
      from(forever()).pipe(toServerSentEvents({ heartbeatMs: 1000 }), take(2)).subscribe((f) => got.push(f));
      expect(got).toHaveLength(2);
      expect(pulled).toBe(2);
    });

    it('sends no heartbeat with heartbeatMs: 0', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('----------a|', { a: 'x' });
        const expected =    '----------a(d|)';
        const sourceSubs =  '^----------!';
        expectObservable(source.pipe(toServerSentEvents({ heartbeatMs: 0 }))).toBe(expected, {
          a: ev('chunk', 1, { text: 'x' }),
          d: ev('done', 2, { chunks: 1 }),
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });
  });

  describe('errors', () => {
    it('turns a source error into a final error event and completes', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-#', { a: 'x' }, new RxLangChainError('BOOM', 'model failed'));
        const expected =    '-a-(e|)';
        const sourceSubs =  '^--!';
        expectObservable(source.pipe(toServerSentEvents({ heartbeatMs: 100 }))).toBe(expected, {
          a: ev('chunk', 1, { text: 'x' }),
          e: ev('error', 2, { name: 'RxLangChainError', message: 'model failed', code: 'BOOM' }),
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('lets errorData redact the message', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('--#', undefined, new Error('secret upstream detail'));
        const expected =      '--(e|)';
        const subs     =      '^-!';
        const redacted = toServerSentEvents({ errorData: () => ({ message: 'Something went wrong.' }) });
        expectObservable(source.pipe(redacted)).toBe(expected, { e: ev('error', 1, { message: 'Something went wrong.' }) });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('reports a value that cannot be JSON-encoded as an error event and unsubscribes', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-|', { a: { n: 1 }, b: { n: 10n } as never });
        const expected =    '-a-(e|)';
        const sourceSubs =  '^--!';
        expectObservable(source.pipe(toServerSentEvents())).toBe(expected, {
          a: ev('chunk', 1, { n: 1 }),
          e: ev('error', 2, { name: 'TypeError', message: 'Do not know how to serialize a BigInt' }),
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });
  });

  describe('options', () => {
    it('classifies progress values, renames events, starts ids at firstId and writes retry once', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        type V = string | { type: 'progress'; chars: number };
        const source = cold<V>('-a-p-|', { a: 'hi', p: { type: 'progress', chars: 2 } });
        const expected =       '-a-p-(d|)';
        const sourceSubs =     '^----!';
        const op = toServerSentEvents<V>({
          classify: (v) => (typeof v === 'string' ? 'chunk' : 'progress'),
          eventNames: { chunk: 'token', done: 'end' },
          firstId: 10,
          retryMs: 2000,
          heartbeatMs: 0,
        });
        expectObservable(source.pipe(op)).toBe(expected, {
          a: 'event: token\nid: 10\nretry: 2000\ndata: {"text":"hi"}\n\n',
          p: ev('progress', 11, { type: 'progress', chars: 2 }),
          d: ev('end', 12, { chunks: 1 }),
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('rejects bad options at call time with messages that say what to fix', () => {
      expect(() => toServerSentEvents({ heartbeatMs: -1 })).toThrow(new RangeError('toServerSentEvents: heartbeatMs must be a number >= 0, got the number -1.'));
      expect(() => toServerSentEvents({ eventNames: { chunk: 'a\nb' } })).toThrow(TypeError);
      expect(() => toServerSentEvents({ eventNames: { nope: 'x' } as never })).toThrow(/eventNames keys are chunk, progress, done and error/);
      expect(() => toServerSentEvents({ classify: 'chunk' as never })).toThrow(/classify must be a function/);
      expect(() => toServerSentEvents({ firstId: 1.5 })).toThrow(RangeError);
    });
  });
});

describe('encodeServerSentEvent', () => {
  it('splits multi-line data into data lines and refuses line breaks in event and id', () => {
    expect(encodeServerSentEvent({ data: 'a\r\nb\rc\nd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
    expect(() => encodeServerSentEvent({ event: 'x\ny' })).toThrow(TypeError);
    expect(() => encodeServerSentEvent({ id: 'x\r' })).toThrow(TypeError);
  });
});
