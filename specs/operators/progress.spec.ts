import { from, lastValueFrom, toArray } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import { progress, type ProgressEvent } from '../../src/operators/progress';
import { tapProgress } from '../../src/operators/tapProgress';
import { createScheduler } from '../support/marbles';
import { TextInputError } from '../../src/decode/errors';

const countWords = (text: string): number =>
  Array.from(new Intl.Segmenter(undefined, { granularity: 'word' }).segment(text)).filter((s) => s.isWordLike).length;

describe('progress', () => {
  describe('threshold crossing', () => {
    it('reports when everyChars is crossed, not only when the count hits a multiple exactly', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        // char counts: 4, 8, 12 (crosses 10), 16, 21 (crosses 20), then done.
        const source = cold('-a-b-c-d-e-|', { a: 'abcd', b: 'efgh', c: 'ijkl', d: 'mnop', e: 'qrstu' });
        const expected =    '-----x---y-(z|)';
        const sourceSubs =  '^----------!';
        expectObservable(source.pipe(progress({ everyChars: 10, scheduler }))).toBe(expected, {
          x: { chunks: 3, chars: 12, words: 1, elapsedMs: 5, firstChunkMs: 1, charsPerSecond: 2400, done: false },
          y: { chunks: 5, chars: 21, words: 1, elapsedMs: 9, firstChunkMs: 1, charsPerSecond: (21 * 1000) / 9, done: false },
          z: { chunks: 5, chars: 21, words: 1, elapsedMs: 11, firstChunkMs: 1, charsPerSecond: (21 * 1000) / 11, done: true },
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('reports once for a chunk that crosses several multiples', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-|', { a: 'x'.repeat(35), b: 'y'.repeat(3) });
        const expected =    '-a---(b|)';
        const sourceSubs =  '^----!';
        expectObservable(source.pipe(progress({ everyChars: 10, scheduler }))).toBe(expected, {
          a: expect.objectContaining({ chars: 35, done: false }),
          b: expect.objectContaining({ chars: 38, done: true }),
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('reports every N chunks and on the first chunk after each everyMs mark', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-a-a-a-a-|', { a: 'w ' });
        const expected =    '---a---b---(c|)';
        const sourceSubs =  '^----------!';
        expectObservable(source.pipe(progress({ everyChunks: 2, scheduler }))).toBe(expected, {
          a: expect.objectContaining({ chunks: 2, done: false }),
          b: expect.objectContaining({ chunks: 4, done: false }),
          c: expect.objectContaining({ chunks: 5, done: true }),
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
      const fresh = createScheduler();
      fresh.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-a---------a-|', { a: 'w ' });
        // marks at 4 ms, 8 ms, 12 ms: the chunk at 13 crossed all of them since the last report → one event.
        const expected2 =   '-------------a-(z|)';
        const sourceSubs2 = '^--------------!';
        expectObservable(source.pipe(progress({ everyMs: 4, scheduler: fresh }))).toBe(expected2, {
          a: expect.objectContaining({ chunks: 3, elapsedMs: 13, done: false }),
          z: expect.objectContaining({ chunks: 3, elapsedMs: 15, done: true }),
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs2);
      });
    });

    it('reports every chunk when no threshold is given, and skips chunks without text', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-|', { a: new AIMessageChunk(''), b: new AIMessageChunk('Hi'), c: 'there' });
        const expected =    '---b-c-(z|)';
        const sourceSubs =  '^------!';
        expectObservable(source.pipe(progress({ scheduler }))).toBe(expected, {
          b: { chunks: 1, chars: 2, words: 1, elapsedMs: 3, firstChunkMs: 3, charsPerSecond: 2000 / 3, done: false },
          c: { chunks: 2, chars: 7, words: 1, elapsedMs: 5, firstChunkMs: 3, charsPerSecond: 1400, done: false },
          z: { chunks: 2, chars: 7, words: 1, elapsedMs: 7, firstChunkMs: 3, charsPerSecond: 1000, done: true },
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });
  });

  describe('final event', () => {
    it('emits one done event for an empty stream, with firstChunkMs null', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold<string>('---|');
        const expected =            '---(z|)';
        const sourceSubs =          '^--!';
        expectObservable(source.pipe(progress({ scheduler }))).toBe(expected, {
          z: { chunks: 0, chars: 0, words: 0, elapsedMs: 3, firstChunkMs: null, charsPerSecond: 0, done: true },
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('emits no done event when the source errors', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-#', { a: 'x' }, new Error('503'));
        const expected =      '---#';
        const subs     =      '^--!';
        expectObservable(source.pipe(progress({ everyChars: 100, scheduler }))).toBe(expected, undefined, new Error('503'));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('first chunk and lazy words', () => {
    it('counts chunks with content: a tool-call delta sets firstChunkMs with 0 chars; a role-only chunk reports nothing', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const role = new AIMessageChunk({ content: '' });
        const tool = new AIMessageChunk({ content: '', tool_call_chunks: [{ name: 'f', args: '{', index: 0, type: 'tool_call_chunk' }] });
        const source = cold('-r-t-a-|', { r: role, t: tool, a: new AIMessageChunk('hi') });
        const expected =    '---t-a-(z|)';
        const sourceSubs =  '^------!';
        expectObservable(source.pipe(progress({ scheduler }))).toBe(expected, {
          t: { chunks: 1, chars: 0, words: 0, elapsedMs: 3, firstChunkMs: 3, charsPerSecond: 0, done: false },
          a: { chunks: 2, chars: 2, words: 1, elapsedMs: 5, firstChunkMs: 3, charsPerSecond: 400, done: false },
          z: { chunks: 2, chars: 2, words: 1, elapsedMs: 7, firstChunkMs: 3, charsPerSecond: 2000 / 7, done: true },
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('segments nothing when no event’s words is read, and every event still reports its own words when read later, in any order', async () => {
      const segment = jest.spyOn(Intl.Segmenter.prototype, 'segment');
      try {
        const chunks = ['Hello ', 'big ', 'wide ', '世界', '，再见 ', 'now'];
        const chars: number[] = [];
        const events: ProgressEvent[] = [];
        await lastValueFrom(from(chunks).pipe(tapProgress((p) => { chars.push(p.chars); events.push(p); })));
        expect(chars).toEqual([6, 10, 15, 17, 21, 24, 24]);
        expect(segment).not.toHaveBeenCalled(); // a callback that reads only chars costs no segmentation
        const prefixes = chunks.map((_, i) => chunks.slice(0, i + 1).join(''));
        const expected = [...prefixes, prefixes.at(-1)!].map(countWords);
        expect([events[3].words, events[0].words, events[6].words]).toEqual([expected[3], expected[0], expected[6]]);
        expect(events.map((e) => e.words)).toEqual(expected);
        expect({ ...events[2] }).toMatchObject({ chars: 15, words: expected[2] }); // an own, enumerable property
      } finally {
        segment.mockRestore();
      }
    });
  });

  describe('Chinese and emoji', () => {
    it('counts code points and Intl.Segmenter words: 你好世界 is 2 words, 😀 is 1 char', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-|', { a: '你好', b: '世界 \uD83D', c: '\uDE00!' });
        const expected =    '-a-b-c-(z|)';
        const sourceSubs =  '^------!';
        expectObservable(source.pipe(progress({ scheduler }))).toBe(expected, {
          a: expect.objectContaining({ chars: 2, words: 1 }),
          b: expect.objectContaining({ chars: 6, words: 2 }),
          c: expect.objectContaining({ chars: 7, words: 2 }),
          z: expect.objectContaining({ chars: 7, words: 2, done: true }),
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('counts words incrementally exactly like segmenting the whole text, for every split', async () => {
      const texts = [
        "Python's history: version 3.12 isn't 2.7, e.g. U.S.A. — 我们今天学习流式输出。",
        'LangChain 是一个用于开发由语言模型驱动的应用程序的框架 👩‍💻🇨🇳 ok',
        '  multiple   spaces\nand\tnewlines, 3.14159 and can’t stop',
      ];
      for (const text of texts) {
        const whole = countWords(text);
        for (const size of [1, 2, 3, 5, 7]) {
          const chunks: string[] = [];
          for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
          for (const options of [undefined, { everyChars: 16 }]) {
            const events = await lastValueFrom(from(chunks).pipe(progress(options), toArray()));
            expect(events[events.length - 1]).toMatchObject({ done: true, words: whole, chars: [...text].length, chunks: chunks.length });
          }
        }
      }
    });
    it('reports at exactly the crossings of code points, not UTF-16 units, and each event its own words, when pairs are split across chunks', async () => {
      // Emoji-dense: the UTF-16 units run ahead of the code points (the stats count units per chunk and code points only near a threshold).
      const text = '😀你好😀😀 ok 👩‍💻世界😀\uD83D\uDE00 end '.repeat(40);
      for (const size of [1, 2, 3, 5]) {
        const chunks: string[] = [];
        for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
        for (const every of [3, 7, 50]) {
          // The reference: count every prefix in full.
          const expected: Array<{ chunks: number; chars: number }> = [];
          let next = every;
          chunks.forEach((_, i) => {
            const chars = [...chunks.slice(0, i + 1).join('')].length;
            if (chars >= next) {
              expected.push({ chunks: i + 1, chars });
              next = (Math.floor(chars / every) + 1) * every;
            }
          });
          const events: ProgressEvent[] = [];
          await lastValueFrom(from(chunks).pipe(tapProgress((p) => events.push(p), { everyChars: every })));
          expect(events.map(({ chunks, chars }) => ({ chunks, chars }))).toEqual([...expected, { chunks: chunks.length, chars: [...text].length }]);
          const prefixWords = events.map((e) => countWords(chunks.slice(0, e.chunks).join('')));
          expect(events.map((e) => e.words).reverse()).toEqual(prefixWords.reverse()); // read last first
        }
      }
    });

    it('keeps exact counts past thousands of chunks without an event (everyMs never crossed)', async () => {
      const chunks = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? '😀' : i % 3 === 1 ? '流式 ' : 'ab'));
      const events = await lastValueFrom(from(chunks).pipe(progress({ everyMs: 1e9 }), toArray()));
      expect(events).toHaveLength(1);
      const whole = chunks.join('');
      expect(events[0]).toMatchObject({ done: true, chunks: 10_000, chars: [...whole].length, words: countWords(whole) });
    });
  });

  describe('bad input', () => {
    it('throws at call time with messages that say what to fix', () => {
      expect(() => progress(5 as never)).toThrow(new TypeError('progress: options must be an object, got the number 5.'));
      expect(() => progress({ everyChars: 0 })).toThrow(new RangeError('progress: options.everyChars must be an integer >= 1, got the number 0.'));
      expect(() => progress({ everyChunks: 1.5 })).toThrow(new RangeError('progress: options.everyChunks must be an integer >= 1, got the number 1.5.'));
      expect(() => progress({ everyMs: -1 })).toThrow(new RangeError('progress: options.everyMs must be a finite number > 0 (ms), got the number -1.'));
      expect(() => progress({ everyMs: Infinity })).toThrow(RangeError);
      expect(() => progress({ scheduler: {} as never })).toThrow(new TypeError('progress: options.scheduler must be an RxJS scheduler, got an object (Object).'));
      expect(() => tapProgress(undefined as never)).toThrow(new TypeError('tapProgress: callback must be a function, got undefined.'));
      expect(() => tapProgress(() => undefined, { everyChars: 'x' as never })).toThrow(
        new RangeError('tapProgress: options.everyChars must be an integer >= 1, got the string "x".'),
      );
    });

    it('errors on a value without text', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-|', { a: 7 as never });
        const expected =      '-#';
        const subs     =      '^!';
        expectObservable(source.pipe(progress({ scheduler }))).toBe(expected, undefined, new TextInputError('progress', 7));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });
});

describe('tapProgress', () => {
  describe('pass-through with callbacks', () => {
    it('passes the values through unchanged and calls back at crossings and on completion, before completing', () => {
      const scheduler = createScheduler();
      const calls: Array<[number, ProgressEvent]> = [];
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const a = new AIMessageChunk('Hello ');
        const source   = cold('-a-b-c-|', { a, b: 'wonderful ', c: 'world' });
        const expected =      '-a-b-c-|';
        const subs     =      '^------!';
        const piped = source.pipe(tapProgress((e) => calls.push([scheduler.now(), e]), { everyChars: 10, scheduler }));
        expectObservable(piped).toBe(expected, { a, b: 'wonderful ', c: 'world' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
      expect(calls).toEqual([
        [3, expect.objectContaining({ chars: 16, words: 2, done: false })],
        [5, expect.objectContaining({ chars: 21, words: 3, done: false })],
        [7, expect.objectContaining({ chars: 21, words: 3, done: true })],
      ]);
    });

    it('errors and unsubscribes upstream when the callback throws', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-|', { a: 'x', b: 'y' });
        const expected =      '-#';
        const subs     =      '^!';
        const piped = source.pipe(tapProgress(() => { throw new Error('ui gone'); }, { scheduler }));
        expectObservable(piped).toBe(expected, undefined, new Error('ui gone'));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('keeps separate counts per subscription', async () => {
      const finals: number[] = [];
      const op = tapProgress<string>((e) => e.done && finals.push(e.chars));
      const source = from(['ab', 'c']);
      await lastValueFrom(source.pipe(op));
      await lastValueFrom(source.pipe(op));
      expect(finals).toEqual([3, 3]);
    });
  });
});
