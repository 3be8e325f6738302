import { concat, defer, Observable, of, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { hasContent } from '../internal/content';
import { consumeEach } from '../internal/operate';
import { textOf, type TextLike } from '../internal/text';
import { assertObject, assertScheduler } from '../internal/validate';

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
 * sends first does not count), total time, chunk and character counts. Nothing if the
 * source errors.
 *
 * @example
 * ```ts
 * import { lastValueFrom } from 'rxjs';
 * import { fromRunnable, streamMetrics } from 'rxjs-langchain';
 *
 * const m = await lastValueFrom(fromRunnable(model, q).pipe(streamMetrics()));
 * console.log(`first chunk after ${m.firstChunkMs} ms, done after ${m.totalMs} ms`);
 * ```
 *
 * @param options `scheduler`: where time comes from.
 * @returns An operator that emits the metrics once, on completion.
 * @see progress
 */
export function streamMetrics(options?: StreamMetricsOptions): OperatorFunction<TextLike, StreamMetrics> {
  assertObject('streamMetrics: options', options);
  const scheduler = assertScheduler('streamMetrics: options.scheduler', options?.scheduler, 'now');
  return (source) =>
    new Observable<StreamMetrics>((subscriber) => {
      const start = scheduler.now();
      let firstChunkMs: number | null = null;
      let chunks = 0;
      let chars = 0;
      concat(
        source.pipe(
          consumeEach((value: TextLike) => {
            const text = textOf(value, 'streamMetrics');
            if (!hasContent(value)) return;
            firstChunkMs ??= scheduler.now() - start;
            chunks++;
            for (const _ of text) chars++;
          }),
        ),
        defer(() => of<StreamMetrics>({ firstChunkMs, totalMs: scheduler.now() - start, chunks, chars })),
      ).subscribe(subscriber);
    });
}
