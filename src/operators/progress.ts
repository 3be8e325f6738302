import { asyncScheduler, concat, defer, filter, map, of, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { textOf, type TextLike } from '../internal/text';
import { assertObject, assertPositiveInteger, describe } from '../internal/validate';

/** One progress report of {@link progress} / `tapProgress`. */
export interface ProgressEvent {
  /** Chunks that carried text so far. */
  readonly chunks: number;
  /** Characters so far, counted as Unicode code points (an emoji is 1, not 2). */
  readonly chars: number;
  /** Words so far, by `Intl.Segmenter` (`isWordLike`): `你好世界` is 2 words, not 1 as `split()` says. */
  readonly words: number;
  /** Time since subscription, ms, from the scheduler. */
  readonly elapsedMs: number;
  /** Time from subscription to the first text chunk, ms; `null` before it. */
  readonly firstChunkMs: number | null;
  /** `chars` per second of `elapsedMs` (0 while no time has passed). */
  readonly charsPerSecond: number;
  /** True only on the final event, emitted when the source completes. */
  readonly done: boolean;
}

/** Options of {@link progress} and `tapProgress`. With no threshold, every chunk reports. */
export interface ProgressOptions {
  /** Report when the character count crosses a multiple of this. */
  everyChars?: number;
  /** Report when the chunk count crosses a multiple of this. */
  everyChunks?: number;
  /** Report on the first chunk after elapsed time crosses a multiple of this, ms (chunk-driven, no timer). */
  everyMs?: number;
  /** Where time comes from. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/** Segments kept as a tail that a later chunk may still change (a word split mid-way, `can'`+`t`, `3.`+`5`). */
const TAIL_SEGMENTS = 3;

/** Incremental counters shared by `progress` and `tapProgress`; one per subscription. */
export interface ProgressTracker {
  /** Counts a value; returns an event when a threshold was crossed. */
  push(value: TextLike): ProgressEvent | undefined;
  /** The final `done: true` event. */
  final(): ProgressEvent;
}

/** Validates options at call time and returns a factory of per-subscription trackers. */
export function progressTrackerFactory(where: string, options: ProgressOptions | undefined): () => ProgressTracker {
  assertObject(`${where}: options`, options);
  assertPositiveInteger(`${where}: options.everyChars`, options?.everyChars);
  assertPositiveInteger(`${where}: options.everyChunks`, options?.everyChunks);
  const everyMs = options?.everyMs;
  if (everyMs !== undefined && (typeof everyMs !== 'number' || !(everyMs > 0) || !Number.isFinite(everyMs))) {
    throw new RangeError(`${where}: options.everyMs must be a finite number > 0, got ${describe(everyMs)}.`);
  }
  const scheduler = options?.scheduler === undefined ? asyncScheduler : options.scheduler;
  if (typeof scheduler !== 'object' || scheduler === null || typeof (scheduler as SchedulerLike).now !== 'function') {
    throw new TypeError(`${where}: options.scheduler must be an RxJS scheduler, got ${describe(scheduler)}.`);
  }
  const everyChars = options?.everyChars;
  const everyChunks = options?.everyChunks ?? (everyChars === undefined && everyMs === undefined ? 1 : undefined);
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

  return () => {
    const start = scheduler.now();
    let chunks = 0;
    let chars = 0;
    let firstChunkMs: number | null = null;
    let lastUnit = 0; // last UTF-16 unit seen, to count a surrogate pair split across chunks once
    let tail = ''; // segmented text that a later chunk may still change
    let pending = ''; // text not segmented yet: words are counted lazily, when an event needs them
    let committedWords = 0;
    let tailWords = 0;

    // Re-segment only the tail that may still be mid-word plus the pending text.
    const countWords = (): number => {
      if (pending.length > 0) {
        tail += pending;
        pending = '';
        const segments = Array.from(segmenter.segment(tail));
        let from = 0;
        if (segments.length > TAIL_SEGMENTS) {
          from = segments.length - TAIL_SEGMENTS;
          for (let i = 0; i < from; i++) if (segments[i].isWordLike) committedWords++;
          tail = tail.slice(segments[from].index);
        }
        tailWords = 0;
        for (let i = from; i < segments.length; i++) if (segments[i].isWordLike) tailWords++;
      }
      return committedWords + tailWords;
    };
    let nextChars = everyChars ?? Infinity;
    let nextChunks = everyChunks ?? Infinity;
    let nextMs = everyMs ?? Infinity;

    const event = (done: boolean): ProgressEvent => {
      const elapsedMs = scheduler.now() - start;
      return {
        chunks,
        chars,
        words: countWords(),
        elapsedMs,
        firstChunkMs,
        charsPerSecond: elapsedMs > 0 ? (chars * 1000) / elapsedMs : 0,
        done,
      };
    };

    return {
      push(value) {
        const text = textOf(value, where);
        if (text.length === 0) return undefined;
        chunks++;
        if (firstChunkMs === null) firstChunkMs = scheduler.now() - start;
        let pairs = 0;
        let prev = lastUnit;
        for (let i = 0; i < text.length; i++) {
          const c = text.charCodeAt(i);
          if (c >= 0xdc00 && c <= 0xdfff && prev >= 0xd800 && prev <= 0xdbff) pairs++;
          prev = c;
        }
        lastUnit = prev;
        chars += text.length - pairs;

        pending += text;
        if (pending.length >= 4096) countWords(); // keep memory bounded between rare events

        let crossed = false;
        if (chars >= nextChars) {
          crossed = true;
          nextChars = (Math.floor(chars / everyChars!) + 1) * everyChars!;
        }
        if (chunks >= nextChunks) {
          crossed = true;
          nextChunks = (Math.floor(chunks / everyChunks!) + 1) * everyChunks!;
        }
        const elapsed = scheduler.now() - start;
        if (elapsed >= nextMs) {
          crossed = true;
          nextMs = (Math.floor(elapsed / everyMs!) + 1) * everyMs!;
        }
        return crossed ? event(false) : undefined;
      },
      final: () => event(true),
    };
  };
}

/**
 * Emits {@link ProgressEvent}s about a text stream (chunks, messages or strings):
 * whenever a threshold (`everyChars`, `everyChunks`, `everyMs`) is *crossed* — a
 * chunk that jumps from 48 to 53 characters reports for 50, where a check of
 * `count % 50 == 0` misses it — and always a final event with `done: true`
 * on completion. With no threshold, every chunk reports. Words are counted with
 * `Intl.Segmenter` incrementally (only a short tail is re-segmented per chunk), chars
 * as code points. Use `tapProgress` to keep the text and get events by callback.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, progress } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, '介绍Python').pipe(progress({ everyChars: 50 }))
 *   .subscribe((p) => console.log(p.done ? `[done: ${p.chars} chars, ${p.words} words]` : `[${p.chars}]`));
 * ```
 *
 * @see {@link tapProgress} to get the same events by callback and keep the text.
 * @see {@link streamMetrics} for one summary at the end.
 *
 * @param options The thresholds (`everyChars`, `everyChunks`, `everyMs`) and the `scheduler` for time.
 * @returns A function that returns an Observable of progress events, the last one with `done: true`.
 */
export function progress(options?: ProgressOptions): OperatorFunction<TextLike, ProgressEvent> {
  const tracker = progressTrackerFactory('progress', options);
  return (source) =>
    defer(() => {
      const t = tracker();
      return concat(
        source.pipe(
          map((value) => t.push(value)),
          filter((e): e is ProgressEvent => e !== undefined),
        ),
        defer(() => of(t.final())),
      );
    });
}
