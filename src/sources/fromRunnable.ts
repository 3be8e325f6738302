import type { Observable } from 'rxjs';
import type { RunnableConfig } from '@langchain/core/runnables';
import { assertObject, describe } from '../internal/validate';
import { fromAsyncIterableFactory } from './fromAsyncIterableFactory';
import { observeNative } from './observeNative';
import { findSequenceObserver, isObservableRunnable, observeSequence, observeStream } from './observeStream';

/** The part of a LangChain `Runnable` that `fromRunnable` needs. */
export interface StreamableRunnable<I, O> {
  stream(input: I, options?: Partial<RunnableConfig>): Promise<AsyncIterable<O>>;
}

/**
 * A cold Observable of what `runnable.stream(input)` yields: `AIMessageChunk`s
 * for a chat model, whatever the last step yields for a chain.
 *
 * Each subscription starts one request. The source owns an `AbortController`
 * (combined with `config.signal` when given) that it passes to LangChain as
 * `signal`; unsubscribing, `take`, `takeUntil` or a downstream error abort it,
 * which closes the HTTP request even while the server is stalled. That abort is
 * teardown, not an error. An abort of the caller's own `config.signal` errors
 * with `StreamAbortedError`.
 *
 * An Observable-native runnable (one with an `[observeStream]` method, or a chain
 * with a step that has `[observeSequence]`) is asked for its stream as an
 * Observable first, under the same laws; when it declines, `stream()` is called.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, textContent } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, '讲一个关于Python的笑话')
 *   .pipe(textContent())
 *   .subscribe((text) => process.stdout.write(text));
 * ```
 *
 * @see {@link fromStreamEvents} for LangChain's event stream of a chain or agent.
 * @see {@link fromAsyncIterableFactory} for any other `(signal) => AsyncIterable`.
 * @see {@link observeStream} for a runnable that produces its stream as an Observable.
 *
 * @param runnable A chat model, chain or any object with LangChain's `stream(input, options)`.
 * @param input The runnable's input: a string or messages for a model, the variables of a chain.
 * @param config LangChain's `RunnableConfig` (callbacks, tags, your own `signal`, …).
 * @returns A cold Observable of the streamed chunks: one request per subscription, aborted on unsubscribe.
 */
export function fromRunnable<I, O>(
  runnable: StreamableRunnable<I, O>,
  input: I,
  config?: Partial<RunnableConfig>,
): Observable<O> {
  if (typeof runnable !== 'object' || runnable === null || typeof (runnable as { stream?: unknown }).stream !== 'function') {
    throw new TypeError(`fromRunnable: runnable must be a LangChain Runnable with a stream() method, got ${describe(runnable)}.`);
  }
  assertObject('fromRunnable: config', config);
  const external = config?.signal;
  const streamed = fromAsyncIterableFactory<O>(
    (signal) => runnable.stream(input, { ...config, signal }),
    external,
  );
  // Observable-native runnables (decision 0330); either may decline, and then stream() is called.
  if (isObservableRunnable<I, O>(runnable)) {
    return observeNative((own) => runnable[observeStream](input, own), config, streamed, 'fromRunnable: runnable[observeStream]()');
  }
  const sequence = findSequenceObserver(runnable);
  if (!sequence) return streamed;
  const { observer, steps, index } = sequence;
  return observeNative(
    (own) => observer[observeSequence](steps, index, input, own) as Observable<O> | undefined,
    config,
    streamed,
    `fromRunnable: steps[${index}][observeSequence]()`,
  );
}
