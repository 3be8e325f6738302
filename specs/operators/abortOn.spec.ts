import { from, lastValueFrom, toArray } from 'rxjs';
import { abortOn } from '../../src/operators/abortOn';
import { ForbiddenContentError, RxLangChainError } from '../../src/errors';
import { createScheduler } from '../support/marbles';

const forbidden = (pattern: string, index: number, emittedText: string): ForbiddenContentError =>
  new ForbiddenContentError(pattern, index, emittedText);

describe('abortOn', () => {
  describe('a pattern split over chunks', () => {
    it('over 2 chunks: holds "Ja", never emits it, errors at "va" and unsubscribes upstream there', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-d-|', { a: 'I like ', b: 'Ja', c: 'va and', d: ' more' });
        const expected =    '-a---#';
        const sourceSubs =  '^----!';
        expectObservable(source.pipe(abortOn(['Java']))).toBe(
          expected,
          { a: 'I like ' },
          forbidden('Java', 7, 'I like '),
        );
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('over 3 chunks', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-c-d-|', { a: 'xx J', b: 'a', c: 'va!', d: 'tail' });
        const expected =      '-a---#';
        const subs     =      '^----!';
        expectObservable(source.pipe(abortOn(['Java']))).toBe(expected, { a: 'xx ' }, forbidden('Java', 3, 'xx '));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('over many one-character chunks', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const text = 'ok forbidden!';
        const values = Object.fromEntries([...text].map((ch, i) => ['abcdefghijklm'[i], ch]));
        const source = cold('abcdefghijklm|', values);
        // 'o', 'k', ' ' pass as they come; 'f'…'e' are held; no letter of 'forbidden' gets out.
        const expected =    'abc--------#';
        const sourceSubs =  '^----------!';
        expectObservable(source.pipe(abortOn(['forbidden']))).toBe(
          expected,
          { a: 'o', b: 'k', c: ' ' },
          forbidden('forbidden', 3, 'ok '),
        );
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });
  });

  describe('overlapping patterns', () => {
    it("reports 'she' in 'ushers' (the match that ends first, the longest there), emitting only 'u'", () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-c-|', { a: 'u', b: 'sh', c: 'ers' });
        const expected =      '-a---#';
        const subs     =      '^----!';
        expectObservable(source.pipe(abortOn(['he', 'she', 'hers']))).toBe(expected, { a: 'u' }, forbidden('she', 1, 'u'));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it("holds back via the failure link: 'hi' is released once 'his' is impossible, 'he' still found", () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-c-|', { a: 'sh', b: 'i', c: ' the' });
        const expected =      '---b-#';
        const subs     =      '^----!';
        // 'sh' could start 'she' → held; 'shi' cannot → released; ' th' then 'the' contains 'he'.
        expectObservable(source.pipe(abortOn(['she', 'he']))).toBe(expected, { b: 'shi' }, forbidden('he', 5, 'shi'));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('Chinese and emoji', () => {
    it('stops at 敏感内容 split over three chunks, emitting only what precedes it', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-c-d-|', { a: '这是', b: '敏感', c: '内', d: '容吗' });
        const expected =      '-a-----#';
        const subs     =      '^------!';
        expectObservable(source.pipe(abortOn(['敏感内容', '不当词汇']))).toBe(expected, { a: '这是' }, forbidden('敏感内容', 2, '这是'));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('matches an emoji whose surrogate pair is split between chunks', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-|', { a: 'snake \uD83D', b: '\uDC0D!' });
        const expected =      '-a-#';
        const subs     =      '^--!';
        expectObservable(source.pipe(abortOn(['🐍']))).toBe(expected, { a: 'snake ' }, forbidden('🐍', 6, 'snake '));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('never emits half a surrogate pair, even when no pattern involves it', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-|', { a: 'hi \uD83D', b: '\uDE00 ok' });
        const expected =      '-a-b-|';
        const subs     =      '^----!';
        expectObservable(source.pipe(abortOn(['zz']))).toBe(expected, { a: 'hi ', b: '😀 ok' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('holds an emoji that starts a pattern and releases it when the pattern fails', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-|', { a: 'a😀', b: 'y' });
        const expected =      '-a-b-|';
        const subs     =      '^----!';
        expectObservable(source.pipe(abortOn(['😀x']))).toBe(expected, { a: 'a', b: '😀y' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('hold-back release', () => {
    it('releases held text when the source completes', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b--|', { a: 'I like ', b: 'Ja' });
        const expected =      '-a----(b|)';
        const subs     =      '^-----!';
        expectObservable(source.pipe(abortOn(['Java']))).toBe(expected, { a: 'I like ', b: 'Ja' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('does not release held text when the source errors', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-#', { a: 'x ', b: 'Ja' }, new Error('network'));
        const expected =      '-a---#';
        const subs     =      '^----!';
        expectObservable(source.pipe(abortOn(['Java']))).toBe(expected, { a: 'x ' }, new Error('network'));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe("mode: 'complete'", () => {
    it('emits the held safe text before the match, then completes, unsubscribing upstream', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-c-|', { a: 'see: ', b: 'xJ', c: 'ava' });
        const expected =      '-a-b-|';
        const subs     =      '^----!';
        // After 'xJ', 'J' is held ('x' is not); at 'ava' the match starts at 6: nothing more is safe.
        expectObservable(source.pipe(abortOn(['Java'], { mode: 'complete' }))).toBe(expected, { a: 'see: ', b: 'x' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('emits the held text between a pattern prefix and a shorter match that ends first', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-|', { a: 'ab', b: 'cd' });
        const expected =      '---(a|)';
        const subs     =      '^--!';
        expectObservable(source.pipe(abortOn(['abcde', 'bcd'], { mode: 'complete' }))).toBe(expected, { a: 'a' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('onMatch', () => {
    it('is called once with pattern, index and the emitted text, before the error', () => {
      const calls: unknown[] = [];
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-|', { a: 'hello wor', b: 'ld' });
        const expected =      '-a-#';
        const subs     =      '^--!';
        const op = abortOn(['world'], { onMatch: (m) => calls.push({ ...m }) });
        expectObservable(source.pipe(op)).toBe(expected, { a: 'hello ' }, forbidden('world', 6, 'hello '));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
      expect(calls).toEqual([{ pattern: 'world', index: 6, emittedText: 'hello ' }]);
    });

    it('errors with what onMatch throws', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-|', { a: 'bad' });
        const expected =      '-#';
        const subs     =      '^!';
        const op = abortOn(['bad'], { mode: 'complete', onMatch: () => { throw new Error('boom'); } });
        expectObservable(source.pipe(op)).toBe(expected, undefined, new Error('boom'));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('caseInsensitive', () => {
    it('matches ASCII, Greek final sigma and long s, with exact indices', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-|', { a: 'Ἀ ΣΊΣΥΦΟ', b: 'Σ and JAVA' });
        const expected =      '-a-#';
        const subs     =      '^--!';
        const op = abortOn(['σίσυφος', 'java'], { caseInsensitive: true });
        expectObservable(source.pipe(op)).toBe(expected, { a: 'Ἀ ' }, forbidden('σίσυφος', 2, 'Ἀ '));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-|', { a: 'Kiſs JaVa' });
        const expected =      '-#';
        const subs     =      '^!';
        expectObservable(source.pipe(abortOn(['KISS'], { caseInsensitive: true }))).toBe(expected, undefined, forbidden('KISS', 0, ''));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('folds an astral letter (Deseret) split across chunks', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const upper = '𐐀'; // U+10400, lower case U+10428 '𐐨'
        const source   = cold('-a-b-|', { a: 'x' + upper[0], b: upper[1] + 'y' });
        const expected =      '-a-#';
        const subs     =      '^--!';
        expectObservable(source.pipe(abortOn(['𐐨y'], { caseInsensitive: true }))).toBe(expected, { a: 'x' }, forbidden('𐐨y', 1, 'x'));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it("keeps code points whose folding changes length (İ) so indices stay exact, and is off by default", () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-|', { a: 'İstanbul java' });
        const expected =      '-#';
        const subs     =      '^!';
        expectObservable(source.pipe(abortOn(['JAVA'], { caseInsensitive: true }))).toBe(expected, undefined, forbidden('JAVA', 9, ''));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-|', { a: 'java' });
        const expected =      '-a-|';
        const subs     =      '^--!';
        expectObservable(source.pipe(abortOn(['JAVA']))).toBe(expected, { a: 'java' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('pass-through', () => {
    it('passes text unchanged for an empty pattern list', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-|', { a: 'Ja', b: 'va' });
        const expected =      '-a-b-|';
        const subs     =      '^----!';
        expectObservable(source.pipe(abortOn([]))).toBe(expected, { a: 'Ja', b: 'va' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('passes upstream errors through', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-#', { a: 'fine' }, new Error('429'));
        const expected =      '-a-#';
        const subs     =      '^--!';
        expectObservable(source.pipe(abortOn(['x']))).toBe(expected, { a: 'fine' }, new Error('429'));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('unsubscribes upstream when downstream unsubscribes', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-|', { a: 'a', b: 'b', c: 'c' });
        const expected =    '-a-';
        const subs =        '^--!';
        const unsub =       '^--!';
        expectObservable(source.pipe(abortOn(['x'])), unsub).toBe(expected, { a: 'a' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('synchronous sources', () => {
    it('stops a synchronous source at the match and reports a typed error', async () => {
      const seen: string[] = [];
      const source = from(['one ', 'tw', 'o three', ' four']);
      const run = lastValueFrom(source.pipe(abortOn(['two']), toArray()));
      await expect(run).rejects.toBeInstanceOf(ForbiddenContentError);
      await expect(run).rejects.toBeInstanceOf(RxLangChainError);
      await expect(run).rejects.toMatchObject({ code: 'FORBIDDEN_CONTENT', pattern: 'two', index: 4, emittedText: 'one ' });
      source.pipe(abortOn(['two'], { mode: 'complete' })).subscribe((t) => seen.push(t));
      expect(seen).toEqual(['one ']);
    });

    it('agrees with a naive search for random texts split at random places', () => {
      let seed = 42;
      const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
      const alphabet = ['a', 'b', 'ab', '你', '😀', ' '];
      const patterns = ['aab', 'ba', '你😀', 'b你', 'abab', '😀 a'];
      for (let round = 0; round < 300; round++) {
        let text = '';
        const len = 1 + rand(12);
        for (let i = 0; i < len; i++) text += alphabet[rand(alphabet.length)];
        const chunks: string[] = [];
        for (let i = 0; i < text.length; ) {
          const n = 1 + rand(4);
          chunks.push(text.slice(i, i + n));
          i += n;
        }
        // Naive: the first match by end position, the longest among those.
        let expected: { pattern: string; index: number } | undefined;
        for (let end = 1; end <= text.length && !expected; end++) {
          const hits = patterns.filter((p) => text.slice(0, end).endsWith(p)).sort((x, y) => y.length - x.length);
          if (hits.length) expected = { pattern: hits[0], index: end - hits[0].length };
        }
        const out: string[] = [];
        let error: ForbiddenContentError | undefined;
        from(chunks).pipe(abortOn(patterns)).subscribe({ next: (t) => out.push(t), error: (e: ForbiddenContentError) => (error = e) });
        const emitted = out.join('');
        if (expected) {
          expect(error).toMatchObject(expected);
          expect(text.startsWith(emitted)).toBe(true);
          expect(emitted.length).toBeLessThanOrEqual(expected.index);
          expect(error!.emittedText).toBe(emitted);
        } else {
          expect(error).toBeUndefined();
          expect(emitted).toBe(text);
        }
        for (const piece of out) expect(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/.test(piece)).toBe(false);
      }
    });
  });

  describe('bad input', () => {
    it('throws TypeErrors at call time that say what to fix', () => {
      expect(() => abortOn('Java' as never)).toThrow(new TypeError('abortOn: patterns must be an array of non-empty strings, got the string "Java".'));
      expect(() => abortOn(['ok', 3 as never])).toThrow(new TypeError('abortOn: patterns[1] must be a string, got the number 3.'));
      expect(() => abortOn(['ok', ''])).toThrow(new TypeError("abortOn: patterns[1] is the empty string, which would match everywhere; remove it."));
      expect(() => abortOn(['x'], 'error' as never)).toThrow(new TypeError('abortOn: options must be an object, got the string "error".'));
      expect(() => abortOn(['x'], { mode: 'stop' as never })).toThrow(new TypeError("abortOn: options.mode must be 'error' or 'complete', got the string \"stop\"."));
      expect(() => abortOn(['x'], { caseInsensitive: 'yes' as never })).toThrow(new TypeError('abortOn: options.caseInsensitive must be a boolean, got the string "yes".'));
      expect(() => abortOn(['x'], { onMatch: 1 as never })).toThrow(new TypeError('abortOn: options.onMatch must be a function, got the number 1.'));
    });

    it('errors with a TypeError on a non-string chunk and unsubscribes upstream', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-|', { a: 'ok', b: { content: 'x' } as never });
        const expected =    '-a-#';
        const sourceSubs =  '^--!';
        expectObservable(source.pipe(abortOn(['zz']))).toBe(
          expected,
          { a: 'ok' },
          new TypeError('abortOn: expected a string chunk (put textContent() before abortOn), got an object (Object).'),
        );
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });
  });
});
