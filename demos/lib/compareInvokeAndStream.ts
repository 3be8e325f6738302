import { asyncScheduler, lastValueFrom, of, type Observable, type SchedulerLike } from 'rxjs';
import type { RunnableConfig } from '@langchain/core/runnables';
import { assertFunction, assertObject, assertOneOf, describe } from '../../src/internal/validate';
import { collectText, fromRunnable, streamMetrics, type StreamableRunnable } from '../../src';

/** A runnable that can both `invoke` and `stream` (every LangChain model and chain). */
export interface InvokableStreamableRunnable<I, O> extends StreamableRunnable<I, O> {
  invoke(input: I, options?: Partial<RunnableConfig>): Promise<unknown>;
}

/** Options of {@link compareInvokeAndStream}. */
export interface CompareLatencyOptions {
  /** Passed to both calls (e.g. `signal`, `callbacks`). */
  config?: Partial<RunnableConfig>;
  /** Which call runs first; they never overlap. Default `'invoke'`. */
  first?: 'invoke' | 'stream';
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
   * The often-quoted `(total - first) / total` of the stream alone can be computed from `stream`'s own numbers.
   */
  readonly perceivedLatencyReduction: number | null;
}

/**
 * Times `invoke` and `stream` of the same runnable and input, one after the other:
 * total time and length of the invoke reply; first-chunk time (the first chunk with
 * content, as `streamMetrics` counts it), total time, chunks and code points of the streamed reply; and the perceived
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
  assertObject('compareInvokeAndStream: options', options);
  assertObject('compareInvokeAndStream: options.config', options?.config);
  assertOneOf('compareInvokeAndStream: options.first', options?.first, ['invoke', 'stream'] as const);
  const first = options?.first ?? 'invoke';
  const now = options?.now ?? (() => performance.now());
  assertFunction('compareInvokeAndStream: options.now', now);

  const timeInvoke = async (): Promise<LatencyComparison['invoke']> => {
    const start = now();
    const result = await runnable.invoke(input, options?.config);
    const totalMs = now() - start;
    const text = await lastValueFrom(of(result as string).pipe(collectText()));
    return { totalMs, chars: codePoints(text) };
  };
  // streamMetrics times the first chunk as the library defines it (the first with content:
  // the empty role chunk of an OpenAI-compatible server is not the first words the user sees).
  const clock: SchedulerLike = { now, schedule: asyncScheduler.schedule.bind(asyncScheduler) };
  const timeStream = async (): Promise<LatencyComparison['stream']> => {
    const source = fromRunnable(runnable, input, options?.config) as Observable<unknown> as Observable<string>;
    const m = await lastValueFrom(source.pipe(streamMetrics({ scheduler: clock })));
    return { firstChunkMs: m.firstChunkMs, totalMs: m.totalMs, chunks: m.chunks, chars: m.chars };
  };

  let invoke: LatencyComparison['invoke'];
  let stream: LatencyComparison['stream'];
  if (first === 'invoke') {
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

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
