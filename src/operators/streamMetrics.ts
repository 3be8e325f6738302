import { concat, defer, Observable, of, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { hasContent } from '../decode/content';
import { consumeEach } from '../internal/linked';
import { textOf, type TextLike } from '../decode/text';
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
            if (text.length === 0 && !hasContent(value)) return; // reasoning and tool-call deltas count as chunks
            firstChunkMs ??= scheduler.now() - start;
            chunks++;
            for (const _ of text) chars++;
          }),
        ),
        defer(() => of<StreamMetrics>({ firstChunkMs, totalMs: scheduler.now() - start, chunks, chars })),
      ).subscribe(subscriber);
    });
}
