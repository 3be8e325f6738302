import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { smooth } from '../../src/operators/smooth';
import { createScheduler } from '../support/marbles';

describe('smooth', () => {
  describe("chunking: 'word' (default)", () => {
    it('re-chunks into words with their trailing spaces and punctuation, flushing the rest on completion', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-----b-----c-|', { a: 'Hello, wo', b: 'rld! How ar', c: 'e you' });
        const expected =    '-a-----(bc)--d-(e|)';
        const sourceSubs =  '^--------------!';
        expectObservable(source.pipe(smooth())).toBe(expected, {
          a: 'Hello, ',
          b: 'world! ',
          c: 'How ',
          d: 'are ',
          e: 'you',
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
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
        const expected =    '-a-----------(bc)--(d|)';
        const sourceSubs =  '^------------------!';
        expectObservable(source.pipe(smooth({ chunking: 'line' }))).toBe(expected, {
          a: 'line 1\n',
          b: 'line 2\n',
          c: '\n',
          d: 'last',
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
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
        const expected =    '-a--b--c------------d--(e|)';
        const sourceSubs =  '^---------------------!';
        expectObservable(source.pipe(smooth({ delayMs: 3, scheduler }))).toBe(expected, {
          a: 'a ',
          b: 'b ',
          c: 'c ',
          d: 'd ',
          e: 'e',
        });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
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

  describe('lines without a newline', () => {
    /** True when `piece` starts or ends inside a grapheme (a lone surrogate half, a mark, a ZWJ, a skin tone). */
    const splitsAGrapheme = (piece: string): boolean => /^[\uDC00-\uDFFF\u0301\u200d\u{1F3FB}-\u{1F3FF}]|[\uD800-\uDBFF\u200d]$/u.test(piece);

    it('streams 50,000 chunks of one endless line of Chinese and emoji in pieces of about 4,096 units, segmenting each unit a bounded number of times', () => {
      const unit = '你好世界，👍🏽🇯🇵e\u0301👩‍💻 '; // 21 units: surrogate pairs, a flag, a skin tone, a mark and a ZWJ fall across chunks
      const chunks: string[] = [];
      const run = unit.repeat(Math.ceil((50_000 * 3) / unit.length));
      for (let i = 0; i < run.length; i += 3) chunks.push(run.slice(i, i + 3));
      const segment = jest.spyOn(Intl.Segmenter.prototype, 'segment');
      try {
        const source = new Subject<string>();
        const pieces: string[] = [];
        let emitted = 0;
        source.pipe(smooth({ chunking: 'line' })).subscribe((p) => {
          pieces.push(p);
          emitted += p.length;
        });
        let received = 0;
        let mostHeld = 0; // units received but not yet emitted, after each chunk
        for (const c of chunks) {
          source.next(c);
          received += c.length;
          mostHeld = Math.max(mostHeld, received - emitted);
        }
        const beforeEnd = pieces.length;
        source.complete();
        expect(chunks.length).toBeGreaterThanOrEqual(50_000);
        expect(pieces.join('')).toBe(run);
        // The line kept streaming in bounded pieces: the held text never grows past the cap plus a chunk.
        expect(mostHeld).toBeLessThanOrEqual(4096 + 3);
        expect(beforeEnd).toBeGreaterThanOrEqual(Math.floor(run.length / 4096));
        for (const p of pieces) expect(p.length).toBeLessThanOrEqual(4096 + 3);
        expect(pieces.filter(splitsAGrapheme)).toEqual([]);
        // Work per chunk is bounded: a forced cut segments the held text once, not once per later chunk.
        const segmented = segment.mock.calls.reduce((n, [text]) => n + String(text).length, 0);
        expect(segmented / run.length).toBeLessThan(2);
      } finally {
        segment.mockRestore();
      }
    });
    it('still emits a line of up to 4,096 units whole, and the lines after a cut long line as lines', async () => {
      const long = '长'.repeat(5000);
      const text = `${'是'.repeat(4095)}\n${long}\n👍🏽\nend`;
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += 7) chunks.push(text.slice(i, i + 7));
      const pieces = await lastValueFrom(from(chunks).pipe(smooth({ chunking: 'line' }), toArray()));
      expect(pieces.join('')).toBe(text);
      expect(pieces[0]).toBe(`${'是'.repeat(4095)}\n`);
      expect(pieces.slice(-2)).toEqual(['👍🏽\n', 'end']);
      const middle = pieces.slice(1, -2);
      expect(middle.join('')).toBe(`${long}\n`);
      expect(middle.length).toBe(2); // cut once past the cap, the rest of the line at its newline
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
