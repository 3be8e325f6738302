import { asyncScheduler, concat, concatMap, defer, EMPTY, map, mergeMap, of, timer, type Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { textOf, type TextLike } from '../internal/text';
import { assertNonNegative, assertObject, describe } from '../internal/validate';

/** How {@link smooth} cuts text into pieces. */
export type SmoothChunking = 'word' | 'line' | 'grapheme' | RegExp | Intl.Segmenter;

/** Options of {@link smooth}. */
export interface SmoothOptions {
  /**
   * `'word'` (default): a word with the spaces and punctuation after it, by `Intl.Segmenter`, so
   * Chinese and Japanese are cut into words too; `'line'`: up to and including each `\n`;
   * `'grapheme'`: one user-perceived character (a whole emoji, flag or accented letter);
   * a `RegExp`: the text up to and including each match (as in the Vercel AI SDK's `smoothStream`);
   * an `Intl.Segmenter`: its segments.
   */
  chunking?: SmoothChunking;
  /** Minimum time between two pieces, ms. Default 0 (no pacing). Pieces that arrive slower pass at once. */
  delayMs?: number;
  /** Where pacing timers run. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

type Splitter = (buffer: string) => number[];

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** True when `i` (0 < i < text.length) is a grapheme boundary of `text`. */
function isGraphemeBoundary(text: string, i: number): boolean {
  return graphemes.segment(text).containing(i)!.index === i;
}

/** Cut points after which the pieces are complete: all segment starts but the last segment's. */
function segmentCuts(segmenter: Intl.Segmenter, wordStartsOnly: boolean): Splitter {
  return (buffer) => {
    const cuts: number[] = [];
    for (const s of segmenter.segment(buffer)) {
      if (s.index > 0 && (!wordStartsOnly || s.isWordLike)) cuts.push(s.index);
    }
    return cuts; // the text after the last cut may still grow: held
  };
}

function regexCuts(pattern: RegExp): Splitter {
  const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  return (buffer) => {
    const cuts: number[] = [];
    let from = 0;
    for (;;) {
      const m = re.exec(buffer.slice(from));
      if (!m || m[0].length === 0) break;
      let end = from + m.index + m[0].length;
      // Never split a grapheme: move the cut to the end of the grapheme it falls in,
      // and hold a piece that reaches the end of the buffer (a combining mark may follow).
      while (end < buffer.length && !isGraphemeBoundary(buffer, end)) end++;
      if (end >= buffer.length) break;
      cuts.push(end);
      from = end;
    }
    return cuts;
  };
}

const lineCuts: Splitter = (buffer) => {
  const cuts: number[] = [];
  for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n', i + 1)) cuts.push(i + 1);
  return cuts;
};

/**
 * Re-chunks a text stream into even pieces — words, lines, graphemes, RegExp matches
 * or `Intl.Segmenter` segments — optionally paced `delayMs` apart, like the Vercel AI
 * SDK's `smoothStream`. A piece is emitted only once it is complete (the next one has
 * begun), so a word, a line or a grapheme split across chunks comes out whole; the
 * remainder is flushed when the source completes. Never splits a grapheme.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, textContent, smooth } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, '讲一个关于Python的笑话').pipe(textContent(), smooth({ chunking: 'word', delayMs: 20 }))
 *   .subscribe((word) => process.stdout.write(word));
 * ```
 *
 * @see {@link textContent}, usually right before it.
 *
 * @param options `chunking` (`'word'` by default, `'line'`, `'grapheme'`, a RegExp or an `Intl.Segmenter`), `delayMs` and `scheduler`.
 * @returns A function that returns an Observable of complete pieces whose concatenation is the source's text.
 */
export function smooth(options?: SmoothOptions): OperatorFunction<TextLike, string> {
  assertObject('smooth: options', options);
  const chunking = options?.chunking ?? 'word';
  let split: Splitter;
  if (chunking === 'word') split = segmentCuts(new Intl.Segmenter(undefined, { granularity: 'word' }), true);
  else if (chunking === 'grapheme') split = segmentCuts(graphemes, false);
  else if (chunking === 'line') split = lineCuts;
  else if (chunking instanceof RegExp) split = regexCuts(chunking);
  else if (chunking instanceof Intl.Segmenter) split = segmentCuts(chunking, false);
  else {
    throw new TypeError(`smooth: options.chunking must be 'word', 'line', 'grapheme', a RegExp or an Intl.Segmenter, got ${describe(chunking)}.`);
  }
  const delayMs = options?.delayMs ?? 0;
  assertNonNegative('smooth: options.delayMs', delayMs);
  const scheduler = options?.scheduler === undefined ? asyncScheduler : options.scheduler;
  if (typeof scheduler !== 'object' || scheduler === null || typeof (scheduler as SchedulerLike).schedule !== 'function') {
    throw new TypeError(`smooth: options.scheduler must be an RxJS scheduler, got ${describe(scheduler)}.`);
  }

  return (source) =>
    defer(() => {
      let buffer = '';
      const pieces: Observable<string> = concat(
        source.pipe(
          mergeMap((value) => {
            buffer += textOf(value, 'smooth');
            // A trailing high surrogate is half a code point that may extend the last grapheme
            // (a skin tone, a flag's second half): decide cuts without it.
            const last = buffer.charCodeAt(buffer.length - 1);
            const cuts = split(last >= 0xd800 && last <= 0xdbff ? buffer.slice(0, -1) : buffer);
            const out: string[] = [];
            let start = 0;
            for (const cut of cuts) {
              out.push(buffer.slice(start, cut));
              start = cut;
            }
            buffer = buffer.slice(start);
            return out;
          }),
        ),
        defer(() => (buffer.length > 0 ? of(buffer) : EMPTY)),
      );
      if (delayMs === 0) return pieces;
      let lastEmit = -Infinity;
      return pieces.pipe(
        concatMap((piece) => {
          const wait = lastEmit + delayMs - scheduler.now();
          const mark = (): string => {
            lastEmit = scheduler.now();
            return piece;
          };
          return wait > 0 ? timer(wait, scheduler).pipe(map(mark)) : defer(() => of(mark()));
        }),
      );
    });
}
