import { catchError, concat, defer, EMPTY, Observable, of, throwError, type OperatorFunction } from 'rxjs';
import { ForbiddenContentError } from '../errors';
import { foldText, type ScanState } from '../internal/automaton';
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
  if (toolCallArgs) {
    let route: (match: ForbiddenContentMatch) => void = () => undefined;
    const scan = abortOn(set, { mode, onMatch: (match) => route(match) });
    return abortOnParts(set.patterns, { mode, onMatch }, { scan, route: (to) => (route = to) });
  }

  const automaton = set[automatonOf];
  if (automaton === undefined) return (source) => source;
  const { lengths, foldsText } = automaton;
  const words = set.patterns;

  return (source) =>
    new Observable<string>((subscriber) => {
      // Per-subscription state: a position in the shared automaton and the held text.
      const st: ScanState = automaton.start();
      let scanned = 0; // units fed to the automaton
      let emittedEnd = 0; // absolute offset of the first unit not yet emitted
      let held = ''; // text[emittedEnd, received)
      const emitted: string[] = [];
      let carry = ''; // foldsText only: a trailing high surrogate waiting for its pair
      let match: ForbiddenContentMatch | undefined;

      const emit = (text: string): void => {
        emitted.push(text);
        emittedEnd += text.length;
        subscriber.next(text);
      };

      const onChunk = (chunk: string): void => {
        if (typeof chunk !== 'string') {
          throw new TypeError(`abortOn: expected a string chunk (put textContent() before abortOn), got ${describe(chunk)}.`);
        }
        held = held.length === 0 ? chunk : held + chunk;
        let text = chunk;
        if (foldsText) {
          text = carry + chunk;
          carry = '';
          const last = text.charCodeAt(text.length - 1);
          if (last >= 0xd800 && last <= 0xdbff) {
            carry = text[text.length - 1];
            text = text.slice(0, -1);
          }
          text = foldText(text);
        }
        if (automaton.scan(text, st)) {
          const index = scanned + st.end - lengths[st.pattern];
          match = { pattern: words[st.pattern], index, emittedText: '' };
          throw STOP; // caught below, once upstream is unsubscribed
        }
        scanned += text.length;
        let n = scanned - automaton.depth(st) - emittedEnd; // units of `held` that are decided
        if (n <= 0) return;
        const last = held.charCodeAt(n - 1);
        if (last >= 0xd800 && last <= 0xdbff) n--; // its pair may follow
        if (n === held.length) {
          const all = held;
          held = '';
          emit(all);
        } else if (n > 0) {
          const safe = held.slice(0, n);
          held = held.slice(n);
          emit(safe);
        }
      };

      // Runs after catchError has unsubscribed upstream.
      const stop = (m: ForbiddenContentMatch): Observable<string> => {
        if (mode === 'complete') {
          const safe = safePrefix(held, m.index - emittedEnd);
          if (safe.length > 0) emit(safe);
        }
        const emittedText = emitted.join('');
        onMatch?.({ pattern: m.pattern, index: m.index, emittedText });
        return mode === 'complete' ? EMPTY : throwError(() => new ForbiddenContentError(m.pattern, m.index, emittedText));
      };

      concat(
        source.pipe(
          consumeEach(onChunk),
          catchError((err: unknown) => (err === STOP ? defer(() => stop(match!)) : throwError(() => err))),
        ),
        defer(() => (match === undefined && held.length > 0 ? of(held) : EMPTY)),
      ).subscribe(subscriber);
    });
}

/** `held.slice(0, n)`, one unit shorter if it would end on a high surrogate (its pair may follow). */
function safePrefix(held: string, n: number): string {
  if (n <= 0) return '';
  const last = held.charCodeAt(n - 1);
  if (last >= 0xd800 && last <= 0xdbff) n--;
  return held.slice(0, n);
}
