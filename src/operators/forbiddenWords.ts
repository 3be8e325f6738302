import { buildAutomaton, type PatternAutomaton } from '../internal/automaton';
import { assertBoolean, assertObject, describe } from '../internal/validate';

/** Options of {@link forbiddenWords}. */
export interface ForbiddenWordsOptions {
  /**
   * Match ignoring case, Unicode-aware. Text and patterns are folded one code point
   * at a time (`toUpperCase().toLowerCase()`, so `ſ`/`s`, `ẞ`/`ß`, `Σ`/`ς`/`σ` and
   * Cyrillic, Greek, Deseret … match), but only where folding keeps the code point's
   * UTF-16 length; where it would not (e.g. `İ` → `i̇`), the code point is kept as is, so
   * reported indices stay exact. Full case folding (`ß` = `ss`) is not supported.
   */
  caseInsensitive?: boolean;
}

/** The automaton of a set, for `abortOn` (not part of the public surface). */
export const automatonOf: unique symbol = Symbol('rxjs-langchain.automaton') as never;

/**
 * A compiled pattern set: built once by {@link forbiddenWords}, immutable, shared by any
 * number of `abortOn` streams (each stream keeps only its position in the automaton).
 *
 * @example
 * ```ts
 * import { forbiddenWords } from 'rxjs-langchain';
 *
 * const guard = forbiddenWords(['Java', '敏感内容']);
 * console.log(guard.patterns, guard.caseInsensitive, `${guard.bytes} bytes`);
 * ```
 *
 * @see {@link forbiddenWords}, which builds it.
 * @see {@link abortOn}, which reads it.
 *
 * @param patterns The patterns as given.
 * @param caseInsensitive Whether matching ignores case.
 */
export class ForbiddenWords {
  /** The patterns as given (not case-folded). */
  readonly patterns: readonly string[];
  readonly caseInsensitive: boolean;
  /** @internal */
  readonly [automatonOf]: PatternAutomaton | undefined;

  /** @internal Use {@link forbiddenWords}. */
  constructor(patterns: readonly string[], caseInsensitive: boolean) {
    this.patterns = Object.freeze([...patterns]);
    this.caseInsensitive = caseInsensitive;
    this[automatonOf] = patterns.length === 0 ? undefined : buildAutomaton(this.patterns, caseInsensitive);
    Object.freeze(this);
  }

  /** Bytes the compiled tables take (shared by every stream that uses the set). */
  get bytes(): number {
    return this[automatonOf]?.bytes ?? 0;
  }
}

/** Throws the TypeError `abortOn` / `forbiddenWords` give for a bad pattern list. */
export function assertPatterns(where: string, patterns: unknown): asserts patterns is readonly string[] {
  if (!Array.isArray(patterns)) {
    throw new TypeError(`${where}: patterns must be an array of non-empty strings, got ${describe(patterns)}.`);
  }
  patterns.forEach((p: unknown, i) => {
    if (typeof p !== 'string') throw new TypeError(`${where}: patterns[${i}] must be a string, got ${describe(p)}.`);
    if (p.length === 0) throw new TypeError(`${where}: patterns[${i}] is the empty string, which would match everywhere; remove it.`);
  });
}

/**
 * Compiles forbidden patterns once into a {@link ForbiddenWords} set that many
 * `abortOn` streams share: build it at startup, not per request. The automaton is
 * sized by the patterns (about `states × distinct characters` entries: a few hundred
 * bytes for `['Java']`, about 1 MB for 1,000 words), and a stream that uses the set
 * keeps only a few numbers of its own.
 *
 * Throws a TypeError at call time for a non-array, a non-string or an empty pattern.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { abortOn, forbiddenWords, fromRunnable, textContent } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * const guard = forbiddenWords(['Java', '敏感内容'], { caseInsensitive: true }); // once, at startup
 * const answer = (question: string) => fromRunnable(model, question).pipe(textContent(), abortOn(guard)); // per request
 * answer('介绍一下Python').subscribe((text) => process.stdout.write(text));
 * ```
 *
 * @param patterns The strings to stop at (non-empty; split over chunks or not).
 * @param options `caseInsensitive`.
 * @returns An immutable compiled set for {@link abortOn}.
 * @see abortOn
 */
export function forbiddenWords(patterns: readonly string[], options?: ForbiddenWordsOptions): ForbiddenWords {
  assertPatterns('forbiddenWords', patterns);
  assertObject('forbiddenWords: options', options);
  assertBoolean('forbiddenWords: options.caseInsensitive', options?.caseInsensitive);
  return new ForbiddenWords(patterns, options?.caseInsensitive ?? false);
}
