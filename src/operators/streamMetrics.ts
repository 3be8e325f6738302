import { asyncScheduler, defer, map, reduce, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { textOf, type TextLike } from '../internal/text';
import { assertObject, describe } from '../internal/validate';

/** What {@link streamMetrics} emits on completion. */
export interface StreamMetrics {
  /** Subscription → first chunk with text, ms (`null` when no text came): the perceived latency. */
  readonly firstChunkMs: number | null;
  /** Subscription → completion, ms. */
  readonly totalMs: number;
  /** Chunks that carried text. */
  readonly chunks: number;
  /** Characters, counted as code points. */
  readonly chars: number;
}

/** Options of {@link streamMetrics}. */
export interface StreamMetricsOptions {
  /** Where time comes from. Default `asyncScheduler` (`Date.now()`). */
  scheduler?: SchedulerLike;
}

/**
 * Emits one {@link StreamMetrics} when the source completes: time to the first
 * text chunk, total time, chunk and character counts. Nothing if the source errors.
 *
 * @example
 * ```ts
 * import { lastValueFrom } from 'rxjs';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, streamMetrics } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * const m = await lastValueFrom(fromRunnable(model, '介绍Python').pipe(streamMetrics()));
 * console.log(`first chunk after ${m.firstChunkMs} ms, done after ${m.totalMs} ms`);
 * ```
 *
 * @see {@link progress} for events while the stream runs.
 *
 * @param options The `scheduler` time comes from (default `asyncScheduler`).
 * @returns A function that returns an Observable emitting the metrics once, when the source completes.
 */
export function streamMetrics(options?: StreamMetricsOptions): OperatorFunction<TextLike, StreamMetrics> {
  assertObject('streamMetrics: options', options);
  const scheduler = options?.scheduler === undefined ? asyncScheduler : options.scheduler;
  if (typeof scheduler !== 'object' || scheduler === null || typeof (scheduler as SchedulerLike).now !== 'function') {
    throw new TypeError(`streamMetrics: options.scheduler must be an RxJS scheduler, got ${describe(scheduler)}.`);
  }
  return (source) =>
    defer(() => {
      const start = scheduler.now();
      return source.pipe(
        reduce(
          (acc, value) => {
            const text = textOf(value, 'streamMetrics');
            if (text.length === 0) return acc;
            let chars = 0;
            for (const _ of text) chars++;
            return {
              firstChunkMs: acc.firstChunkMs ?? scheduler.now() - start,
              chunks: acc.chunks + 1,
              chars: acc.chars + chars,
            };
          },
          { firstChunkMs: null as number | null, chunks: 0, chars: 0 },
        ),
        map((acc): StreamMetrics => ({ firstChunkMs: acc.firstChunkMs, totalMs: scheduler.now() - start, chunks: acc.chunks, chars: acc.chars })),
      );
    });
}
