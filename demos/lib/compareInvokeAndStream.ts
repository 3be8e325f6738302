import { asyncScheduler, lastValueFrom, type Observable, type SchedulerLike } from 'rxjs';
import type { RunnableConfig } from '@langchain/core/runnables';
import { fromRunnable, streamMetrics, type StreamableRunnable } from '../../src';
import { charCount, replyText } from './print';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? `an object (${(value as object).constructor?.name ?? 'Object'})` : typeof value;
}

/** A runnable that can both `invoke` and `stream` (every LangChain model and chain). */
export interface InvokableStreamableRunnable<I, O> extends StreamableRunnable<I, O> {
  invoke(input: I, options?: Partial<RunnableConfig>): Promise<unknown>;
}

/** Options of {@link compareInvokeAndStream}. */
export interface CompareLatencyOptions {
  /** Passed to both calls (e.g. `signal`, `callbacks`). */
  config?: Partial<RunnableConfig>;
  /**
   * Which call runs first (they do not overlap), or `'together'`: both start at once and each
   * is timed from its own start, so the comparison takes as long as the slower call (the
   * demo tour uses it). Default `'invoke'`.
   */
  first?: 'invoke' | 'stream' | 'together';
  /** Clock, ms. Default `performance.now`. */
  now?: () => number;
}

/** The result of {@link compareInvokeAndStream}. */
export interface LatencyComparison {
  invoke: { readonly totalMs: number; readonly chars: number };
  stream: { readonly firstChunkMs: number | null; readonly totalMs: number; readonly chunks: number; readonly chars: number };
  /**
   * How much sooner the user sees text with streaming: `1 - stream.firstChunkMs / invoke.totalMs`
   * (0.9 = the first words appear after 10% of the wait for `invoke`). `null` if the stream had no text.
   * The often quoted figure, `(total - first) / total` of the stream alone, is `stream`'s own numbers.
   */
  readonly perceivedLatencyReduction: number | null;
}

/**
 * Times `invoke` and `stream` of the same runnable and input, one after the other
 * or both at once (example 6.1): total time and length of the invoke reply; first-chunk
 * time, total time, chunks and code points of the streamed reply; and the perceived
 * latency reduction. Makes two real requests.
 *
 * @example
 * ```ts
 * const r = await compareInvokeAndStream(model, '详细介绍Python的历史和发展');
 * console.log(`first text ${(r.perceivedLatencyReduction! * 100).toFixed(1)}% sooner when streaming`);
 * ```
 */
export async function compareInvokeAndStream<I, O>(
  runnable: InvokableStreamableRunnable<I, O>,
  input: I,
  options?: CompareLatencyOptions,
): Promise<LatencyComparison> {
  if (typeof runnable !== 'object' || runnable === null || typeof runnable.invoke !== 'function' || typeof runnable.stream !== 'function') {
    throw new TypeError(`compareInvokeAndStream: runnable must have invoke() and stream() (a LangChain Runnable), got ${describe(runnable)}.`);
  }
  for (const [name, value] of [['options', options], ['options.config', options?.config]] as const) {
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new TypeError(`compareInvokeAndStream: ${name} must be an object, got ${describe(value)}.`);
    }
  }
  const first = options?.first ?? 'invoke';
  if (first !== 'invoke' && first !== 'stream' && first !== 'together') {
    throw new TypeError(`compareInvokeAndStream: options.first must be 'invoke', 'stream' or 'together', got ${describe(first)}.`);
  }
  const now = options?.now ?? (() => performance.now());
  if (typeof now !== 'function') throw new TypeError(`compareInvokeAndStream: options.now must be a function, got ${describe(now)}.`);
  // streamMetrics reads time from a scheduler: the same clock as the invoke side.
  const clock: SchedulerLike = { now, schedule: asyncScheduler.schedule.bind(asyncScheduler) as SchedulerLike['schedule'] };

  const timeInvoke = async (): Promise<LatencyComparison['invoke']> => {
    const start = now();
    const result = await runnable.invoke(input, options?.config);
    const totalMs = now() - start;
    return { totalMs, chars: charCount(replyText(result)) };
  };
  // The library's own first-chunk definition (the first chunk with content) and chunk count.
  const timeStream = async (): Promise<LatencyComparison['stream']> =>
    lastValueFrom((fromRunnable(runnable, input, options?.config) as Observable<unknown> as Observable<string>).pipe(streamMetrics({ scheduler: clock })));

  let invoke: LatencyComparison['invoke'];
  let stream: LatencyComparison['stream'];
  if (first === 'together') {
    [invoke, stream] = await Promise.all([timeInvoke(), timeStream()]);
  } else if (first === 'invoke') {
    invoke = await timeInvoke();
    stream = await timeStream();
  } else {
    stream = await timeStream();
    invoke = await timeInvoke();
  }
  const perceivedLatencyReduction =
    stream.firstChunkMs === null ? null : invoke.totalMs > 0 ? 1 - stream.firstChunkMs / invoke.totalMs : 0;
  return { invoke, stream, perceivedLatencyReduction };
}
