import { from, Subject } from 'rxjs';
import { abortOn } from '../../src/operators/abortOn';
import { automatonOf, forbiddenWords, type ForbiddenWords } from '../../src/operators/forbiddenWords';
import * as automaton from '../../src/internal/automaton';
import { ForbiddenContentError } from '../../src/errors';

/** The fold abortOn documents: per code point, upper then lower case, kept only where the UTF-16 length stays. */
const fold = (text: string): string =>
  [...text]
    .map((ch) => {
      const full = ch.toUpperCase().toLowerCase();
      if (full.length === ch.length) return full;
      const lower = ch.toLowerCase();
      return lower.length === ch.length ? lower : ch;
    })
    .join('');

/** The reference: the match that ends first, the longest among those; by plain string search. */
function naiveMatch(text: string, patterns: readonly string[], ci: boolean): { pattern: string; index: number } | undefined {
  const t = ci ? fold(text) : text;
  const ps = patterns.map((p) => (ci ? fold(p) : p));
  for (let end = 1; end <= t.length; end++) {
    let best = -1;
    ps.forEach((p, i) => {
      if (t.startsWith(p, end - p.length) && end - p.length >= 0 && (best < 0 || p.length > ps[best].length)) best = i;
    });
    if (best >= 0) return { pattern: patterns[best], index: end - ps[best].length };
  }
  return undefined;
}

const PATHS = ['dense', 'sparse'] as const;

/** `forbiddenWords(patterns)` with the automaton built in one table form (by size, it would be dense for all of these). */
function forbiddenWordsAs(form: (typeof PATHS)[number], patterns: readonly string[], caseInsensitive: boolean): ForbiddenWords {
  const build = automaton.buildAutomaton;
  const spy = jest.spyOn(automaton, 'buildAutomaton').mockImplementation((p, ci) => build(p, ci, form));
  try {
    const set = forbiddenWords(patterns, { caseInsensitive });
    expect([spy.mock.calls.length, set[automatonOf]?.kind]).toEqual([1, form]);
    return set;
  } finally {
    spy.mockRestore();
  }
}

describe('forbiddenWords: the compiled pattern set of abortOn', () => {
  describe('both automaton forms agree with a naive search', () => {
    let seed = 7;
    const rand = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
    const pieces = ['a', 'b', 'A', 'B', 'ab', '你', '好', '😀', '𐐀', '𐐨', ' ', 'Σ', 'ς', 'σ', 'ſ', 's', 'S', 'e\u0301', 'İ', 'i'];
    const patternSets: Array<[string[], boolean]> = [
      [['aab', 'ba', '你😀', 'b你', 'abab', '😀 a'], false],
      [['he', 'she', 'hers', 'his'], false],
      [['AB', 'bA', '你好', 'σς', 'ss', '𐐨a'], true],
      [['a', 'aa', 'aaa', 'b'], true],
      [['İi', 'e\u0301', '😀😀', 'Sſ'], true],
    ];

    it.each(PATHS)('%s: random texts, random chunkings, CJK, emoji, overlapping and case-insensitive patterns', (path) => {
      for (const [patterns, ci] of patternSets) {
        const set = forbiddenWordsAs(path, patterns, ci);
        for (let round = 0; round < 250; round++) {
          let text = '';
          for (let i = 0, n = 1 + rand(14); i < n; i++) text += pieces[rand(pieces.length)];
          const chunks: string[] = [];
          for (let i = 0; i < text.length; ) {
            const n = 1 + rand(4); // may cut a surrogate pair, as a misbehaving source could
            chunks.push(text.slice(i, i + n));
            i += n;
          }
          const expected = naiveMatch(text, patterns, ci);
          const out: string[] = [];
          let error: ForbiddenContentError | undefined;
          from(chunks).pipe(abortOn(set)).subscribe({ next: (t) => out.push(t), error: (e: ForbiddenContentError) => (error = e) });
          const emitted = out.join('');
          const where = { path, patterns, ci, chunks };
          if (expected) {
            expect({ ...where, match: error && { pattern: error.pattern, index: error.index } }).toEqual({ ...where, match: expected });
            expect(text.startsWith(emitted) && emitted.length <= expected.index).toBe(true);
            expect(error!.emittedText).toBe(emitted);
          } else {
            expect({ ...where, error }).toEqual({ ...where, error: undefined });
            expect(emitted).toBe(text);
          }
          for (const piece of out) expect(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/.test(piece)).toBe(false);
        }
      }
    });

    it.each(PATHS)('%s: a long text with 1,000 patterns gives the same answer as the other form', (path) => {
      const words = Array.from({ length: 1000 }, (_, i) => `w${i.toString(36)}x${'流式'[i % 2]}`);
      const text = Array.from({ length: 3000 }, (_, i) => `w${(i * 7).toString(36)}y${'流式'[i % 2]} `).join('') + words[777];
      const chunks = text.match(/[\s\S]{1,5}/gu)!;
      let error: ForbiddenContentError | undefined;
      from(chunks).pipe(abortOn(forbiddenWordsAs(path, words, false))).subscribe({ error: (e: ForbiddenContentError) => (error = e) });
      expect(error).toMatchObject(naiveMatch(text, words, false)!);
    });
  });

  describe('memory and sharing', () => {
    it("sizes the automaton by the patterns: abortOn(['Java']) holds well under 2 KB, not a 256 KiB table", () => {
      expect(forbiddenWords(['Java']).bytes).toBeLessThan(2048);
      const thousand = forbiddenWords(Array.from({ length: 1000 }, (_, i) => `word${i}`));
      expect(thousand.bytes).toBeLessThan(2 * 1024 * 1024);
      expect(thousand.bytes).toBeGreaterThan(forbiddenWords(['Java']).bytes);
    });

    it('builds once: any number of streams share one set, each with its own position and hold-back', () => {
      const build = jest.spyOn(automaton, 'buildAutomaton');
      try {
        const guard = forbiddenWords(['Java', '敏感内容']);
        const sources = Array.from({ length: 100 }, () => new Subject<string>());
        const outputs = sources.map(() => [] as string[]);
        const errors: unknown[] = [];
        sources.forEach((s, i) => s.pipe(abortOn(guard)).subscribe({ next: (t) => outputs[i].push(t), error: (e) => errors.push(e) }));
        sources.forEach((s, i) => s.next(i % 2 ? 'I like Ja' : '这是敏感'));
        sources.forEach((s, i) => s.next(i % 2 ? 'vascript' : '词汇'));
        sources.forEach((s) => s.complete());
        expect(build).toHaveBeenCalledTimes(1);
        expect(errors).toHaveLength(50);
        expect(outputs[1]).toEqual(['I like ']);
        expect(outputs[0]).toEqual(['这是', '敏感词汇']);
      } finally {
        build.mockRestore();
      }
    });

    it('is immutable and says what it holds', () => {
      const guard = forbiddenWords(['Java'], { caseInsensitive: true });
      expect(guard.patterns).toEqual(['Java']);
      expect(guard.caseInsensitive).toBe(true);
      expect(Object.isFrozen(guard) && Object.isFrozen(guard.patterns)).toBe(true);
      expect(forbiddenWords([]).bytes).toBe(0);
    });
  });

  describe('bad input', () => {
    it('throws TypeErrors at call time that say what to fix', () => {
      expect(() => forbiddenWords('Java' as never)).toThrow(new TypeError('forbiddenWords: patterns must be an array of non-empty strings, got the string "Java".'));
      expect(() => forbiddenWords(['ok', ''])).toThrow(new TypeError('forbiddenWords: patterns[1] is the empty string, which would match everywhere; remove it.'));
      expect(() => forbiddenWords(['x'], { caseInsensitive: 1 as never })).toThrow(new TypeError('forbiddenWords: options.caseInsensitive must be a boolean, got the number 1.'));
      expect(() => abortOn(forbiddenWords(['x']), { caseInsensitive: true })).toThrow(
        new TypeError('abortOn: options.caseInsensitive is true but the forbiddenWords set was compiled with caseInsensitive: false; set it in forbiddenWords(patterns, { caseInsensitive }).'),
      );
    });
  });
});
