import { concatWith, defer, filter, map, of, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { TextLike } from '../decode/text';
import { assertObject, assertPositiveInteger, assertPositiveMs, assertScheduler } from '../internal/validate';
import { ChunkStats } from './chunkStats';

/** One progress report of {@link progress} / `tapProgress`. */
export interface ProgressEvent {
  /** Chunks with content so far (text, reasoning or a tool-call delta; see `hasContent`). */
  readonly chunks: number;
  /** Characters so far, counted as Unicode code points (an emoji is 1, not 2). */
  readonly chars: number;
  /**
   * Words so far, by `Intl.Segmenter` (`isWordLike`): `你好世界` is 2 words, not 1 as `split()` says.
   * Counted when first read, so a callback that reads only `chars` costs no segmentation.
   */
  readonly words: number;
  /** Time since subscription, ms, from the scheduler. */
  readonly elapsedMs: number;
  /** Time from subscription to the first chunk (the first with content), ms; `null` before it. */
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
/** Text waiting to be segmented beyond this is counted even if no event's `words` was read (bounds memory). */
const MAX_PENDING = 1 << 20;
/** Units per `Intl.Segmenter` call. */
const SEGMENT_WINDOW = 4096;

/** Incremental counters shared by `progress` and `tapProgress`; one per subscription. */
export interface ProgressTracker {
  /** Counts a value; returns an event when a threshold was crossed. */
  push(value: TextLike): ProgressEvent | undefined;
  /** The final `done: true` event. */
  final(): ProgressEvent;
}

/** An event's place in the text, and its word count once read. */
interface WordCell {
  readonly at: number;
  words: number;
}

/**
 * `Intl.Segmenter` words of a growing text, counted lazily: nothing is segmented until
 * some event's `words` is read (a callback that reads only `chars` costs no segmentation);
 * then the text is segmented up to that event, and every earlier unread event is resolved
 * on the way, so each event reports exactly the words up to its own position.
 */
class LazyWordCount {
  private readonly queue: WordCell[] = [];
  private head = 0;
  private pending = ''; // text after `countedTo`, not segmented yet (without the pieces below)
  private pieces: Array<string | readonly string[]> = []; // text after `pending`, as it came: joined when words are read
  private countedTo = 0;
  private received = 0;
  private tail = ''; // segmented text a later chunk may still change
  private committed = 0;
  private tailWords = 0;

  constructor(private readonly segmenter: Intl.Segmenter) {}

  /** Adds text in pieces (kept as they are: no copy, no concatenation per chunk). */
  add(text: string | readonly string[], units: number): void {
    this.pieces.push(text);
    this.received += units;
    if (this.received - this.countedTo > MAX_PENDING) this.resolve(this.cell());
  }

  /** A cell at the current end of the text. */
  cell(): WordCell {
    const cell = { at: this.received, words: -1 };
    this.queue.push(cell);
    return cell;
  }

  /** Resolves every queued cell up to `target`. */
  resolve(target: WordCell): number {
    while (target.words < 0) {
      const cell = this.queue[this.head];
      this.queue[this.head++] = undefined as never;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      cell.words = this.countTo(cell.at);
    }
    return target.words;
  }

  private countTo(at: number): number {
    if (this.pieces.length > 0) {
      this.pending += this.pieces.flat().join('');
      this.pieces = [];
    }
    while (this.countedTo < at) {
      // At most SEGMENT_WINDOW units per segment() call: V8 segments a long string in quadratic time.
      let n = Math.min(at - this.countedTo, SEGMENT_WINDOW);
      if (n < at - this.countedTo) {
        const c = this.pending.charCodeAt(n - 1);
        if (c >= 0xd800 && c <= 0xdbff) n++;
      }
      this.tail += n === this.pending.length ? this.pending : this.pending.slice(0, n);
      this.pending = n === this.pending.length ? '' : this.pending.slice(n);
      this.countedTo += n;
      this.segmentTail();
    }
    return this.committed + this.tailWords;
  }

  /** Re-segments only the tail that may still be mid-word plus the new text. */
  private segmentTail(): void {
    const starts: number[] = [];
    const wordLike: boolean[] = [];
    for (const s of this.segmenter.segment(this.tail)) {
      starts.push(s.index);
      wordLike.push(s.isWordLike === true);
    }
    let from = 0;
    if (starts.length > TAIL_SEGMENTS) {
      from = starts.length - TAIL_SEGMENTS;
      for (let i = 0; i < from; i++) if (wordLike[i]) this.committed++;
      this.tail = this.tail.slice(starts[from]);
    }
    this.tailWords = 0;
    for (let i = from; i < starts.length; i++) if (wordLike[i]) this.tailWords++;
  }
}

/**
 * A {@link ProgressEvent}. `words` is an own, enumerable accessor (spread and deep equality see it)
 * defined with one shared descriptor whose getter reads private fields: an object literal with a
 * `get words()` cost ~3× more per event (3.9–5.7 µs vs 1.1–2.1 µs, 200,000 events, load ≈ 19), and
 * was most of `tapProgress`'s cost per chunk (bench/operators.bench.ts (b)). The `defineProperty`
 * is still most of an event's cost (170–190 ns of it, CPU, 200,000 events; a getter on the prototype
 * costs 15 ns but is not an own property, so spread and `toEqual` would lose `words`); with
 * `everyChars: 50` an event comes every ~12 one-token chunks, ~15 ns a chunk.
 */
class Progress implements ProgressEvent {
  private static readonly words: PropertyDescriptor = {
    get(this: Progress): number {
      const cell = this.#cell;
      return cell.words >= 0 ? cell.words : this.#count.resolve(cell);
    },
    enumerable: true,
  };
  readonly chunks: number;
  readonly chars: number;
  declare readonly words: number;
  readonly elapsedMs: number;
  readonly firstChunkMs: number | null;
  readonly charsPerSecond: number;
  readonly done: boolean;
  readonly #cell: WordCell;
  readonly #count: LazyWordCount;

  constructor(stats: ChunkStats, count: LazyWordCount, elapsedMs: number, done: boolean) {
    this.chunks = stats.chunks;
    this.chars = stats.chars;
    this.elapsedMs = elapsedMs;
    this.firstChunkMs = stats.firstChunkMs;
    this.charsPerSecond = elapsedMs > 0 ? (stats.chars * 1000) / elapsedMs : 0;
    this.done = done;
    this.#cell = count.cell();
    this.#count = count;
    Object.defineProperty(this, 'words', Progress.words);
  }
}

/** Validates options at call time and returns a factory of per-subscription trackers. */
export function progressTrackerFactory(where: string, options: ProgressOptions | undefined): () => ProgressTracker {
  assertObject(`${where}: options`, options);
  assertPositiveInteger(`${where}: options.everyChars`, options?.everyChars);
  assertPositiveInteger(`${where}: options.everyChunks`, options?.everyChunks);
  assertPositiveMs(`${where}: options.everyMs`, options?.everyMs);
  const scheduler = assertScheduler(`${where}: options.scheduler`, options?.scheduler, 'now');
  const everyMs = options?.everyMs;
  const everyChars = options?.everyChars;
  const everyChunks = options?.everyChunks ?? (everyChars === undefined && everyMs === undefined ? 1 : undefined);
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

  return () => {
    const words = new LazyWordCount(segmenter);
    // The stats keep the text until `chars` is needed, then hand it to the word count in one piece.
    const stats = new ChunkStats(scheduler, where, (text, units) => words.add(text, units));
    let nextChars = everyChars ?? Infinity;
    let nextChunks = everyChunks ?? Infinity;
    let nextMs = everyMs ?? Infinity;

    const event = (done: boolean, now: number): ProgressEvent => {
      stats.flush(); // the event's place in the text is the end of everything counted
      return new Progress(stats, words, now - stats.start, done);
    };

    return {
      push(value) {
        if (stats.count(value) === undefined) return undefined;
        let crossed = false;
        // Below the threshold by `maxChars`, no code point needs counting yet.
        if (stats.maxChars >= nextChars && stats.chars >= nextChars) {
          crossed = true;
          nextChars = (Math.floor(stats.chars / everyChars!) + 1) * everyChars!;
        }
        if (stats.chunks >= nextChunks) {
          crossed = true;
          nextChunks = (Math.floor(stats.chunks / everyChunks!) + 1) * everyChunks!;
        }
        let now = -1;
        if (everyMs !== undefined) {
          now = scheduler.now();
          const elapsed = now - stats.start;
          if (elapsed >= nextMs) {
            crossed = true;
            nextMs = (Math.floor(elapsed / everyMs) + 1) * everyMs;
          }
        }
        return crossed ? event(false, now < 0 ? scheduler.now() : now) : undefined;
      },
      final: () => event(true, scheduler.now()),
    };
  };
}

/**
 * Emits {@link ProgressEvent}s about a text stream (strings, message chunks or parts; see `TextLike`):
 * whenever a threshold (`everyChars`, `everyChunks`, `everyMs`) is *crossed* — a
 * chunk that jumps from 48 to 53 characters reports for 50, where a check of
 * `count % 50 == 0` misses it — and always a final event with `done: true`
 * on completion. With no threshold, every chunk reports. Words are counted with
 * `Intl.Segmenter` when an event's `words` is first read (only the new text and a
 * short tail are segmented), chars as code points; `chunks` and `firstChunkMs` count
 * chunks with content. Use `tapProgress` to keep the text and get events by callback.
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
  // Composed (map + filter + concatWith): side by side with the former hand-written subscribe,
  // 200,000 chunks, 15 interleaved rounds, CPU: 1.06× with `everyChars: 50`, 0.96× reporting
  // every chunk — the same cost, so no `new Observable`.
  return (source) =>
    defer(() => {
      const t = tracker();
      return source.pipe(
        map((value: TextLike) => t.push(value)),
        filter((event): event is ProgressEvent => event !== undefined),
        concatWith(defer(() => of(t.final()))),
      );
    });
}
