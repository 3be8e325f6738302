import { lastValueFrom, tap, type Observable } from 'rxjs';
import type { RunnableConfig } from '@langchain/core/runnables';
import { textOf } from '../../src/internal/text';
import { assertFunction, assertObject, describe } from '../../src/internal/validate';
import { fromRunnable, type StreamableRunnable } from '../../src/sources/fromRunnable';

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
   * The tutorial's figure, `(total - first) / total` of the stream alone, is `stream`'s own numbers.
   */
  readonly perceivedLatencyReduction: number | null;
}

/**
 * Times `invoke` and `stream` of the same runnable and input, one after the other
 * (the tutorial's section 6): total time and length of the invoke reply; first-chunk
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
  assertObject('compareInvokeAndStream: options', options);
  assertObject('compareInvokeAndStream: options.config', options?.config);
  const first = options?.first ?? 'invoke';
  if (first !== 'invoke' && first !== 'stream') {
    throw new TypeError(`compareInvokeAndStream: options.first must be 'invoke' or 'stream', got ${describe(first)}.`);
  }
  const now = options?.now ?? (() => performance.now());
  assertFunction('compareInvokeAndStream: options.now', now);

  const timeInvoke = async (): Promise<LatencyComparison['invoke']> => {
    const start = now();
    const result = await runnable.invoke(input, options?.config);
    const totalMs = now() - start;
    return { totalMs, chars: codePoints(textOf(result, 'compareInvokeAndStream')) };
  };
  const timeStream = async (): Promise<LatencyComparison['stream']> => {
    let firstChunkMs: number | null = null;
    let chunks = 0;
    let chars = 0;
    const start = now();
    const source: Observable<O> = fromRunnable(runnable, input, options?.config);
    await lastValueFrom(
      source.pipe(
        tap((value) => {
          const text = textOf(value, 'compareInvokeAndStream');
          if (text.length === 0) return;
          firstChunkMs ??= now() - start;
          chunks++;
          chars += codePoints(text);
        }),
      ),
      { defaultValue: undefined },
    );
    return { firstChunkMs, totalMs: now() - start, chunks, chars };
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
