import { Observable, type OperatorFunction, type Subscription } from 'rxjs';
import { ForbiddenContentError } from '../errors';
import { assertFunction, assertObject, describe } from '../internal/validate';

/** What `abortOn` reports to `onMatch` (the same fields as {@link ForbiddenContentError}). */
export interface ForbiddenContentMatch {
  /** The pattern as given (not case-folded). */
  readonly pattern: string;
  /** UTF-16 offset of the match in the whole reply, i.e. a JS string index into the joined text. */
  readonly index: number;
  /** Exactly the text emitted downstream before the stream stopped. */
  readonly emittedText: string;
}

/** Options of {@link abortOn}. */
export interface AbortOnOptions {
  /**
   * `'error'` (default): error with `ForbiddenContentError`; held text is not emitted.
   * `'complete'`: emit the held text that precedes the match, then complete.
   */
  mode?: 'error' | 'complete';
  /**
   * Match ignoring case, Unicode-aware. Text and patterns are folded one code point
   * at a time (`toUpperCase().toLowerCase()`, so `ſ`/`s`, `ẞ`/`ß`, `Σ`/`ς`/`σ` and
   * Cyrillic, Greek, Deseret … match), but only where folding keeps the code point's
   * UTF-16 length; where it would not (e.g. `İ` → `i̇`), the code point is kept as is, so
   * reported indices stay exact. Full case folding (`ß` = `ss`) is not supported.
   */
  caseInsensitive?: boolean;
  /** Called once on a match, after upstream is unsubscribed and before the error / completion. */
  onMatch?: (match: ForbiddenContentMatch) => void;
}

/**
 * Filter-and-abort for a text stream (strings, e.g. after `textContent()`): stops
 * at the first occurrence of any pattern, even one split over any number of chunks.
 *
 * - Matching is an Aho–Corasick automaton built once per `abortOn(...)` call, so the
 *   cost is linear in the text and almost independent of the number of patterns.
 * - **Hold-back**: text that could still be the start of a pattern is held until it
 *   is decided, so no part of a forbidden word is ever emitted (a check per chunk
 *   would print `Ja` before it sees `Java`). Held text is released when the source completes.
 *   Emitted pieces never cut a surrogate pair.
 * - On a match, upstream is unsubscribed at once (a `fromRunnable` source aborts its
 *   HTTP request), then the stream errors with `ForbiddenContentError` (`mode: 'error'`)
 *   or emits the safe text before the match and completes (`mode: 'complete'`).
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
 * import { fromRunnable, textContent, abortOn } from 'rxjs-langchain';
 *
 * const chain = ChatPromptTemplate.fromMessages([['human', '{question}']]).pipe(new ChatOpenAI({ model: 'gpt-4o-mini' }));
 * fromRunnable(chain, { question: '介绍一下Python' })
 *   .pipe(textContent(), abortOn(['Java'], { mode: 'complete' }))
 *   .subscribe((text) => process.stdout.write(text));
 * ```
 *
 * @see {@link textContent}, which turns chunks into the strings this operator reads.
 * @see {@link ForbiddenContentError}, the error of `mode: 'error'`.
 *
 * @param patterns The forbidden strings (non-empty); the first one found ends the stream.
 * @param options `mode`: `'error'` (default) or `'complete'`.
 * @returns A function that returns an Observable of the text before any pattern, which stops at the first match.
 */
export function abortOn(patterns: readonly string[], options?: AbortOnOptions): OperatorFunction<string, string> {
  if (!Array.isArray(patterns)) {
    throw new TypeError(`abortOn: patterns must be an array of non-empty strings, got ${describe(patterns)}.`);
  }
  patterns.forEach((p, i) => {
    if (typeof p !== 'string') throw new TypeError(`abortOn: patterns[${i}] must be a string, got ${describe(p)}.`);
    if (p.length === 0) throw new TypeError(`abortOn: patterns[${i}] is the empty string, which would match everywhere; remove it.`);
  });
  assertObject('abortOn: options', options);
  const mode = options?.mode ?? 'error';
  if (mode !== 'error' && mode !== 'complete') {
    throw new TypeError(`abortOn: options.mode must be 'error' or 'complete', got ${describe(mode)}.`);
  }
  const ci = options?.caseInsensitive ?? false;
  if (typeof ci !== 'boolean') throw new TypeError(`abortOn: options.caseInsensitive must be a boolean, got ${describe(ci)}.`);
  const onMatch = options?.onMatch;
  assertFunction('abortOn: options.onMatch', onMatch, true);

  if (patterns.length === 0) return (source) => source;
  const automaton = buildAutomaton(ci ? patterns.map(foldText) : patterns);

  return (source) =>
    new Observable<string>((subscriber) => {
      // Per-subscription state.
      let state = 0;
      let scanned = 0; // UTF-16 units fed to the automaton
      let emittedEnd = 0; // absolute offset of the first unit not yet emitted
      let held = ''; // text[emittedEnd, received)
      let emitted = '';
      let carry = ''; // caseInsensitive only: a trailing high surrogate waiting for its pair
      let stopped = false;
      let upstream: Subscription | undefined;

      const emit = (text: string): void => {
        if (text.length === 0) return;
        emitted += text;
        emittedEnd += text.length;
        subscriber.next(text);
      };

      const stop = (patternIndex: number, end: number): void => {
        stopped = true;
        upstream?.unsubscribe();
        const index = end - automaton.lengths[patternIndex];
        if (mode === 'complete') emit(safePrefix(held, index - emittedEnd));
        const match: ForbiddenContentMatch = { pattern: patterns[patternIndex], index, emittedText: emitted };
        try {
          onMatch?.(match);
        } catch (err) {
          subscriber.error(err);
          return;
        }
        if (mode === 'complete') subscriber.complete();
        else subscriber.error(new ForbiddenContentError(match.pattern, index, emitted));
      };

      upstream = source.subscribe({
        next: (chunk) => {
          if (stopped) return;
          if (typeof chunk !== 'string') {
            stopped = true;
            subscriber.error(new TypeError(`abortOn: expected a string chunk (put textContent() before abortOn), got ${describe(chunk)}.`));
            return;
          }
          held += chunk;
          let text = chunk;
          if (ci) {
            text = carry + chunk;
            carry = '';
            const last = text.charCodeAt(text.length - 1);
            if (last >= 0xd800 && last <= 0xdbff) {
              carry = text[text.length - 1];
              text = text.slice(0, -1);
            }
            text = foldText(text);
          }
          const hit = automaton.scan(text, state);
          if (hit.pattern >= 0) {
            stop(hit.pattern, scanned + hit.end);
            return;
          }
          state = hit.state;
          scanned += text.length;
          const safeEnd = scanned - automaton.depths[state];
          const safe = safePrefix(held, safeEnd - emittedEnd);
          if (safe.length > 0) {
            held = held.slice(safe.length);
            emit(safe);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          emit(held);
          held = '';
          subscriber.complete();
        },
      });
      if (stopped) upstream.unsubscribe();
      return upstream;
    });
}

/** `held.slice(0, n)`, one unit shorter if it would end on a high surrogate (its pair may follow). */
function safePrefix(held: string, n: number): string {
  if (n <= 0) return '';
  const last = held.charCodeAt(n - 1);
  if (last >= 0xd800 && last <= 0xdbff) n--;
  return held.slice(0, n);
}

const foldCache = new Map<number, string>();

/** Case-folds per code point, keeping each code point's UTF-16 length. */
function foldText(text: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x41 || (c > 0x5a && c < 0x80)) continue; // ASCII that folds to itself
    if (c >= 0x41 && c <= 0x5a) {
      out += text.slice(start, i) + String.fromCharCode(c + 32);
      start = i + 1;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    let folded = foldCache.get(cp);
    if (folded === undefined) {
      const original = String.fromCodePoint(cp);
      const full = original.toUpperCase().toLowerCase();
      const lower = original.toLowerCase();
      folded = full.length === width ? full : lower.length === width ? lower : original;
      foldCache.set(cp, folded);
    }
    out += text.slice(start, i) + folded;
    i += width - 1;
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

export interface Automaton {
  /** Pattern length per pattern index. */
  readonly lengths: Int32Array;
  /** Depth (length of the prefix it spells) per state. */
  readonly depths: Int32Array;
  /** Feeds `text` from `state`; stops at the first match. */
  scan(text: string, state: number): { state: number; pattern: number; end: number };
}

/**
 * @internal Exported for bench/operators.bench.ts only (not from the package index).
 * Aho–Corasick over UTF-16 code units: a trie with failure links, the root's
 * transitions in a dense table (most steps happen there), and per state the
 * longest pattern ending there (own or via the failure chain).
 *
 * @example
 * ```ts
 * buildAutomaton(['he', 'she']).scan('ushers', 0); // { state, pattern: 1, end: 4 }
 * ```
 */
export function buildAutomaton(patterns: readonly string[]): Automaton {
  const next: Array<Map<number, number>> = [new Map()];
  const depth: number[] = [0];
  const own: number[] = [-1];
  patterns.forEach((p, index) => {
    let s = 0;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      let t = next[s].get(c);
      if (t === undefined) {
        t = next.length;
        next.push(new Map());
        depth.push(depth[s] + 1);
        own.push(-1);
        next[s].set(c, t);
      }
      s = t;
    }
    if (own[s] < 0) own[s] = index; // duplicates: the first wins
  });

  const n = next.length;
  const fail = new Int32Array(n);
  const out = new Int32Array(n).fill(-1);
  const root = new Int32Array(65536);
  for (const [c, t] of next[0]) root[c] = t;
  const queue: number[] = [];
  for (const t of next[0].values()) {
    queue.push(t);
    out[t] = own[t];
  }
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q];
    for (const [c, t] of next[s]) {
      let f = fail[s];
      let target = -1;
      while (target < 0) {
        if (f === 0) target = root[c];
        else {
          const x = next[f].get(c);
          if (x !== undefined) target = x;
          else f = fail[f];
        }
      }
      fail[t] = target;
      // The longest pattern ending at t: its own, else the failure chain's.
      out[t] = own[t] >= 0 ? own[t] : out[target];
      queue.push(t);
    }
  }

  const lengths = Int32Array.from(patterns, (p) => p.length);
  const depths = Int32Array.from(depth);
  return {
    lengths,
    depths,
    scan(text, state) {
      let s = state;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        for (;;) {
          if (s === 0) {
            s = root[c];
            break;
          }
          const t = next[s].get(c);
          if (t !== undefined) {
            s = t;
            break;
          }
          s = fail[s];
        }
        if (out[s] >= 0) return { state: s, pattern: out[s], end: i + 1 };
      }
      return { state: s, pattern: -1, end: text.length };
    },
  };
}
