import { defer, map, reduce, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { TextLike } from '../decode/text';
import { assertObject, assertScheduler } from '../internal/validate';
import { ChunkStats } from './chunkStats';

/** What {@link streamMetrics} emits on completion. */
export interface StreamMetrics {
  /** Subscription → first chunk (the first with content), ms (`null` when none came): the perceived latency. */
  readonly firstChunkMs: number | null;
  /** Subscription → completion, ms. */
  readonly totalMs: number;
  /** Chunks with content (text, reasoning or a tool-call delta). */
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
 * Emits one {@link StreamMetrics} when the source completes: time to the first chunk
 * (the first with content, `hasContent`: the empty role chunk an OpenAI-compatible server
 * sends first does not count), total time, chunk and character counts (code points; a
 * surrogate pair split across two chunks counts once). Nothing if the source errors.
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
  const scheduler = assertScheduler('streamMetrics: options.scheduler', options?.scheduler, 'now');
  // `reduce` over the one chunk count (`ChunkStats`), then the summary. Side by side with the former
  // hand-written subscribe (200,000 chunks, 15 interleaved rounds, CPU): 0.96×.
  return (source) =>
    defer(() =>
      source.pipe(
        reduce((stats, value: TextLike) => (stats.count(value), stats), new ChunkStats(scheduler, 'streamMetrics')),
        map(({ firstChunkMs, start, chunks, chars }): StreamMetrics => ({ firstChunkMs, totalMs: scheduler.now() - start, chunks, chars })),
      ),
    );
}
