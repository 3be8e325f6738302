import { catchError, concat, defer, EMPTY, Observable, of, throwError, type OperatorFunction } from 'rxjs';
import { ForbiddenContentError } from '../errors';
import { foldText, type PatternAutomaton, type ScanState } from '../internal/automaton';
import { consumeEach } from '../internal/linked';
import { assertBoolean, assertFunction, assertObject, assertOneOf, describe } from '../internal/validate';
import { abortOnParts } from '../parts/abortOnParts';
import type { StreamPart } from '../parts/types';
import { assertPatterns, automatonOf, ForbiddenWords, type ForbiddenWordsOptions } from './forbiddenWords';

/** What `abortOn` reports to `onMatch` (the same fields as {@link ForbiddenContentError}). */
export interface ForbiddenContentMatch {
  /** The pattern as given (not case-folded). */
  readonly pattern: string;
  /** UTF-16 offset of the match in the whole reply, i.e. a JS string index into the joined text. */
  readonly index: number;
  /** Exactly the text emitted downstream before the stream stopped. */
  readonly emittedText: string;
  /** With `toolCallArgs`: the tool call whose arguments matched (index and text are then within them). */
  readonly toolCallId?: string;
}

/** Options of {@link abortOn}. */
export interface AbortOnOptions extends ForbiddenWordsOptions {
  /**
   * `'error'` (default): error with `ForbiddenContentError`; held text is not emitted.
   * `'complete'`: emit the held text that precedes the match, then complete.
   */
  mode?: 'error' | 'complete';
  /** Called once on a match, after upstream is unsubscribed and before the error / completion. */
  onMatch?: (match: ForbiddenContentMatch) => void;
  /**
   * Also watch tool-call arguments: the operator then takes a part stream (`fromAgent`,
   * `toParts()`) as well as strings, scans the answer text (strings and `text` parts) and
   * each call's `tool-call-delta` arguments with the same hold-back, and passes other parts
   * through. A match in arguments sets `toolCallId` on the match and the error.
   */
  toolCallArgs?: boolean;
}

/** Thrown inside the chain at a match, caught by its `catchError` after upstream is unsubscribed. */
const STOP = Symbol('abortOn.stop');

/**
 * Filter-and-abort for a text stream (strings, e.g. after `textContent()`): stops
 * at the first occurrence of any pattern, even one split over any number of chunks.
 *
 * - Matching is an Aho–Corasick automaton over the characters the patterns use, built
 *   once per pattern set: the cost is linear in the text and almost independent of the
 *   number of patterns. Pass a {@link forbiddenWords} set to build it once and share it
 *   between streams (the README builds pipelines per request); a plain array is compiled
 *   per `abortOn(...)` call.
 * - **Hold-back**: text that could still be the start of a pattern is held until it
 *   is decided, so no part of a forbidden word is ever emitted (a check per chunk
 *   would print `Ja` before it sees `Java`). Held text is released when the source completes.
 *   Emitted pieces never cut a surrogate pair.
 * - On a match, upstream is unsubscribed at once — also in the middle of a synchronous
 *   source — (a `fromRunnable` source aborts its HTTP request), then the stream errors
 *   with `ForbiddenContentError` (`mode: 'error'`) or emits the safe text before the
 *   match and completes (`mode: 'complete'`).
 * - When several patterns match, the one whose end comes first wins; among those ending
 *   at the same place, the longest. `index` is a UTF-16 offset (JS string index).
 *
 * Throws a TypeError at call time for a non-array, a non-string or an empty pattern.
 * An empty list passes the text through unchanged.
 *
 * @example
 * ```ts
 * import { ChatPromptTemplate } from '@langchain/core/prompts';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, textContent, abortOn, forbiddenWords } from 'rxjs-langchain';
 *
 * const chain = ChatPromptTemplate.fromMessages([['human', '{question}']]).pipe(new ChatOpenAI({ model: 'gpt-4o-mini' }));
 * fromRunnable(chain, { question: '介绍一下Python' })
 *   .pipe(textContent(), abortOn(['Java'], { mode: 'complete' }))
 *   .subscribe((text) => process.stdout.write(text));
 *
 * const guard = forbiddenWords(['Java', '敏感内容'], { caseInsensitive: true }); // build once, share
 * fromRunnable(chain, { question: '介绍一下Java' }).pipe(textContent(), abortOn(guard)).subscribe((text) => process.stdout.write(text));
 * ```
 *
 * @see {@link textContent}, which turns chunks into the strings this operator reads.
 * @see {@link forbiddenWords}, a compiled pattern set to share between streams.
 * @see {@link ForbiddenContentError}, the error of `mode: 'error'`.
 *
 * @param patterns The forbidden strings (non-empty), or a compiled {@link forbiddenWords} set; the first one found ends the stream.
 * @param options `mode`: `'error'` (default) or `'complete'`; `caseInsensitive` (with an array only: a set carries its own); `onMatch`; `toolCallArgs`.
 * @returns A function that returns an Observable of the text before any pattern, which stops at the first match.
 */
export function abortOn(
  patterns: readonly string[] | ForbiddenWords,
  options: AbortOnOptions & { toolCallArgs: true },
): OperatorFunction<string | StreamPart, string | StreamPart>;
export function abortOn(patterns: readonly string[] | ForbiddenWords, options?: AbortOnOptions): OperatorFunction<string, string>;
export function abortOn(patterns: readonly string[] | ForbiddenWords, options?: AbortOnOptions): OperatorFunction<string, string | StreamPart> {
  const { set, mode, onMatch, toolCallArgs } = abortOnOptions(patterns, options);
  if (toolCallArgs) {
    let route: (match: ForbiddenContentMatch) => void = () => undefined;
    const scan = abortOn(set, { mode, onMatch: (match) => route(match) });
    return abortOnParts(set.patterns, { mode, onMatch }, { scan, route: (to) => (route = to) });
  }
  const automaton = set[automatonOf];
  if (automaton === undefined) return (source) => source;

  // Hand-written only to hand each chunk to consumeEach, which emits straight into `subscriber`
  // (one hop a chunk, internal/linked.ts): abortOn runs at 0.39× / 0.17× / 0.13× the CPU of a
  // hand-written tail-window RegExp scan at 10 / 100 / 1,000 words (docs/benchmarks.md, operators).
  return (source) =>
    new Observable<string>((subscriber) => {
      const hold = new HoldBack(automaton, set.patterns, (text) => subscriber.next(text));
      concat(
        source.pipe(
          consumeEach((chunk: string) => hold.push(chunk)),
          catchError((err: unknown) => (err === STOP ? defer(() => hold.stop(mode, onMatch)) : throwError(() => err))),
        ),
        defer(() => hold.rest()),
      ).subscribe(subscriber);
    });
}

interface AbortOnSettings {
  set: ForbiddenWords;
  mode: 'error' | 'complete';
  onMatch: ((match: ForbiddenContentMatch) => void) | undefined;
  toolCallArgs: boolean;
}

/** Validates `abortOn`'s arguments (TypeErrors at call time) and compiles an array into a set. */
function abortOnOptions(patterns: readonly string[] | ForbiddenWords, options: AbortOnOptions | undefined): AbortOnSettings {
  if (!(patterns instanceof ForbiddenWords)) assertPatterns('abortOn', patterns);
  assertObject('abortOn: options', options);
  assertOneOf('abortOn: options.mode', options?.mode, ['error', 'complete'] as const);
  assertBoolean('abortOn: options.caseInsensitive', options?.caseInsensitive);
  const onMatch = options?.onMatch;
  assertFunction('abortOn: options.onMatch', onMatch, true);
  const mode = options?.mode ?? 'error';
  let set: ForbiddenWords;
  if (patterns instanceof ForbiddenWords) {
    if (options?.caseInsensitive !== undefined && options.caseInsensitive !== patterns.caseInsensitive) {
      throw new TypeError(
        `abortOn: options.caseInsensitive is ${options.caseInsensitive} but the forbiddenWords set was compiled with caseInsensitive: ${patterns.caseInsensitive}; set it in forbiddenWords(patterns, { caseInsensitive }).`,
      );
    }
    set = patterns;
  } else {
    set = new ForbiddenWords(patterns, options?.caseInsensitive ?? false);
  }
  const toolCallArgs = options?.toolCallArgs ?? false;
  if (typeof toolCallArgs !== 'boolean') throw new TypeError(`abortOn: options.toolCallArgs must be a boolean, got ${describe(toolCallArgs)}.`);
  return { set, mode, onMatch, toolCallArgs };
}

/**
 * One subscription's scan: a position in the shared automaton and the held text (what could
 * still be the start of a pattern). `push` emits what is decided and throws STOP at a match.
 */
class HoldBack {
  private readonly st: ScanState;
  private scanned = 0; // units fed to the automaton
  private emittedEnd = 0; // absolute offset of the first unit not yet emitted
  private held = ''; // text[emittedEnd, received)
  private readonly emitted: string[] = [];
  private carry = ''; // foldsText only: a trailing high surrogate waiting for its pair
  private match: ForbiddenContentMatch | undefined;

  constructor(
    private readonly automaton: PatternAutomaton,
    private readonly words: readonly string[],
    private readonly next: (text: string) => void,
  ) {
    this.st = automaton.start();
  }

  push(chunk: string): void {
    if (typeof chunk !== 'string') {
      throw new TypeError(`abortOn: expected a string chunk (put textContent() before abortOn), got ${describe(chunk)}.`);
    }
    const { automaton, st } = this;
    this.held = this.held.length === 0 ? chunk : this.held + chunk;
    const text = automaton.foldsText ? this.fold(chunk) : chunk;
    if (automaton.scan(text, st)) {
      const index = this.scanned + st.end - automaton.lengths[st.pattern];
      this.match = { pattern: this.words[st.pattern], index, emittedText: '' };
      throw STOP; // caught by abortOn's catchError, once upstream is unsubscribed
    }
    this.scanned += text.length;
    const n = this.scanned - automaton.depth(st) - this.emittedEnd; // units of `held` that are decided
    if (n <= 0) return;
    if (n === this.held.length && !isHighSurrogate(this.held.charCodeAt(n - 1))) {
      const all = this.held;
      this.held = '';
      this.emit(all);
    } else {
      const safe = safePrefix(this.held, n);
      if (safe.length === 0) return;
      this.held = this.held.slice(safe.length);
      this.emit(safe);
    }
  }

  /** After catchError has unsubscribed upstream: emits the safe text (mode complete), reports the match, ends. */
  stop(mode: 'error' | 'complete', onMatch: AbortOnSettings['onMatch']): Observable<string> {
    const m = this.match!;
    if (mode === 'complete') {
      const safe = safePrefix(this.held, m.index - this.emittedEnd);
      if (safe.length > 0) this.emit(safe);
    }
    const emittedText = this.emitted.join('');
    onMatch?.({ pattern: m.pattern, index: m.index, emittedText });
    return mode === 'complete' ? EMPTY : throwError(() => new ForbiddenContentError(m.pattern, m.index, emittedText));
  }

  /** The held text, released when the source completes without a match. */
  rest(): Observable<string> {
    return this.match === undefined && this.held.length > 0 ? of(this.held) : EMPTY;
  }

  /** Case-folds a chunk, holding back a trailing high surrogate until its pair arrives. */
  private fold(chunk: string): string {
    let text = this.carry + chunk;
    this.carry = '';
    if (isHighSurrogate(text.charCodeAt(text.length - 1))) {
      this.carry = text[text.length - 1];
      text = text.slice(0, -1);
    }
    return foldText(text);
  }

  private emit(text: string): void {
    this.emitted.push(text);
    this.emittedEnd += text.length;
    this.next(text);
  }
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/** `held.slice(0, n)`, one unit shorter if it would end on a high surrogate (its pair may follow). */
function safePrefix(held: string, n: number): string {
  if (n <= 0) return '';
  const last = held.charCodeAt(n - 1);
  if (last >= 0xd800 && last <= 0xdbff) n--;
  return held.slice(0, n);
}
