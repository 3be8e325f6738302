import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { smooth } from '../../src/operators/smooth';
import { createScheduler } from '../support/marbles';

describe('smooth', () => {
  describe("chunking: 'word' (default)", () => {
    it('re-chunks into words with their trailing spaces and punctuation, flushing the rest on completion', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-----b-----c-|', { a: 'Hello, wo', b: 'rld! How ar', c: 'e you' });
        expectObservable(source.pipe(smooth())).toBe('-a-----(bc)--d-(e|)', {
          a: 'Hello, ',
          b: 'world! ',
          c: 'How ',
          d: 'are ',
          e: 'you',
        });
        expectSubscriptions(source.subscriptions).toBe('^--------------!');
      });
    });

    it('cuts Chinese into words (no spaces needed) and keeps emoji whole', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-----b-|', { a: '你好世', b: '界。再见 👩‍💻' });
        const expected =      '-a-----b-(c|)';
        const subs     =      '^--------!';
        expectObservable(source.pipe(smooth())).toBe(expected, { a: '你好', b: '世界。', c: '再见 👩‍💻' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe("chunking: 'line'", () => {
    it('emits whole lines, holding a partial line until its newline or completion', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-----b-----c-----|', { a: 'line 1\nli', b: 'ne 2', c: '\n\nlast' });
        expectObservable(source.pipe(smooth({ chunking: 'line' }))).toBe('-a-----------(bc)--(d|)', {
          a: 'line 1\n',
          b: 'line 2\n',
          c: '\n',
          d: 'last',
        });
        expectSubscriptions(source.subscriptions).toBe('^------------------!');
      });
    });
  });

  describe("chunking: 'grapheme'", () => {
    it('never splits a surrogate pair, a ZWJ sequence, a flag or a combining mark split across chunks', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const family = '👨‍👩‍👧';
        const source   = cold('-a-b-c-|', { a: 'e', b: '\u0301' + family.slice(0, 3), c: family.slice(3) + '🇨🇳' });
        const expected =      '---a-b-(c|)';
        const subs     =      '^------!';
        expectObservable(source.pipe(smooth({ chunking: 'grapheme' }))).toBe(expected, { a: 'e\u0301', b: family, c: '🇨🇳' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('chunking: RegExp and Intl.Segmenter', () => {
    it('cuts after each RegExp match (Vercel-style /\\S+\\s+/), ignoring a g flag', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-----b-|', { a: 'one two th', b: 'ree' });
        const expected =      '-(ab)----(c|)';
        const subs     =      '^--------!';
        expectObservable(source.pipe(smooth({ chunking: /\S+\s+/g }))).toBe(expected, { a: 'one ', b: 'two ', c: 'three' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('moves a RegExp cut that falls inside a grapheme to its end', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-----|', { a: 'ae\u0301b' });
        const expected =      '-(ab)--(c|)';
        const subs     =      '^------!';
        expectObservable(source.pipe(smooth({ chunking: /./ }))).toBe(expected, { a: 'a', b: 'e\u0301', c: 'b' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('uses the segments of a given Intl.Segmenter', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const sentences = new Intl.Segmenter('en', { granularity: 'sentence' });
        const source   = cold('-a-----b-|', { a: 'First one. Sec', b: 'ond one? Third' });
        const expected =      '-a-----b-(c|)';
        const subs     =      '^--------!';
        expectObservable(source.pipe(smooth({ chunking: sentences }))).toBe(expected, { a: 'First one. ', b: 'Second one? ', c: 'Third' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('delayMs', () => {
    it('paces pieces delayMs apart on the scheduler; a piece that arrives later than that passes at once', () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a------------------b-|', { a: 'a b c d', b: ' e' });
        expectObservable(source.pipe(smooth({ delayMs: 3, scheduler }))).toBe('-a--b--c------------d--(e|)', {
          a: 'a ',
          b: 'b ',
          c: 'c ',
          d: 'd ',
          e: 'e',
        });
        expectSubscriptions(source.subscriptions).toBe('^---------------------!');
      });
    });
  });

  describe('errors and concatenation', () => {
    it('passes errors through without flushing and reassembles the exact text', async () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-#', { a: 'held' }, new Error('x'));
        const expected =      '---#';
        const subs     =      '^--!';
        expectObservable(source.pipe(smooth())).toBe(expected, undefined, new Error('x'));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
      const text = 'Python 是一种编程语言。It\'s 3.12 now!\n🇯🇵 e\u0301 👍🏽 end';
      for (const chunking of ['word', 'line', 'grapheme', /\s+/] as const) {
        for (const size of [1, 2, 5]) {
          const chunks: string[] = [];
          for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
          const pieces = await lastValueFrom(from(chunks).pipe(smooth({ chunking }), toArray()));
          expect(pieces.join('')).toBe(text);
          for (const p of pieces) expect([String(chunking), size, p, /^[\uDC00-\uDFFF\u0301\u200d\u{1F3FB}-\u{1F3FF}]|[\uD800-\uDBFF\u200d]$/u.test(p)]).toEqual([String(chunking), size, p, false]);
        }
      }
    });
  });

  describe('runs without a word boundary', () => {
    it('streams 8 KB of emoji or `=-` in pieces of at most ~256 units while the run goes on, segmenting each unit a bounded number of times', async () => {
      const segment = jest.spyOn(Intl.Segmenter.prototype, 'segment');
      try {
        for (const unit of ['😀', '=-', '👍🏽']) {
          const run = 'Go ' + unit.repeat(Math.ceil(8192 / unit.length));
          const chunks: string[] = [];
          for (let i = 0; i < run.length; i += 3) chunks.push(run.slice(i, i + 3));
          segment.mockClear();
          const source = new Subject<string>();
          const pieces: string[] = [];
          source.pipe(smooth()).subscribe((p) => pieces.push(p));
          for (const c of chunks) source.next(c);
          const beforeEnd = pieces.length;
          source.complete();
          expect(pieces.join('')).toBe(run);
          expect(beforeEnd).toBeGreaterThan(8192 / 300); // the text kept streaming; it was not held to the end
          for (const p of pieces) expect(p.length).toBeLessThanOrEqual(256 + 8);
          // Work per chunk is bounded: each unit is segmented a few times, not once per later chunk.
          const segmented = segment.mock.calls.reduce((n, [text]) => n + String(text).length, 0);
          expect(segmented / run.length).toBeLessThan(20);
        }
      } finally {
        segment.mockRestore();
      }
    });
  });

  describe('bad input', () => {
    it('throws at call time with messages that say what to fix', () => {
      expect(() => smooth([] as never)).toThrow(new TypeError('smooth: options must be an object, got an array.'));
      expect(() => smooth({ chunking: 'sentence' as never })).toThrow(
        new TypeError("smooth: options.chunking must be 'word', 'line', 'grapheme', a RegExp or an Intl.Segmenter, got the string \"sentence\"."),
      );
      expect(() => smooth({ delayMs: -1 })).toThrow(new RangeError('smooth: options.delayMs must be a number >= 0, got the number -1.'));
      expect(() => smooth({ scheduler: 'async' as never })).toThrow(new TypeError('smooth: options.scheduler must be an RxJS scheduler, got the string "async".'));
    });
  });
});
