import type { Observable } from 'rxjs';
import type { RunnableConfig } from '@langchain/core/runnables';

/**
 * The method key of an Observable-native runnable: a runnable that carries
 * `[observeStream](input, config)` produces its stream as an Observable, and
 * `fromRunnable` subscribes to that instead of calling `runnable.stream()`.
 * For a runnable whose stream is an Observable already (an RxJS-native model,
 * a cache or a replay, the marble model in `TestScheduler.run`'s virtual time),
 * it skips the detour through promises and async iterators.
 *
 * The method is called once per subscription, at subscription; it returns a
 * cold Observable, or `undefined` to decline, and then `fromRunnable` calls
 * `stream()` as for any runnable. `config` is the caller's, with the
 * subscription's own `signal`, aborted on teardown. The four laws still hold:
 * `fromRunnable` keeps it lazy and cold, unsubscribes and aborts that signal on
 * teardown, and errors with `StreamAbortedError` when the caller's own signal
 * aborts. The Observable path bypasses LangChain's callbacks and tracing: call
 * them yourself, or decline when `config.callbacks` asks for them.
 * `Symbol.for('rxjs-langchain.observeStream')`, so the ESM and CommonJS builds agree.
 *
 * @example
 * ```ts
 * import { from, type Observable } from 'rxjs';
 * import { AIMessageChunk } from '@langchain/core/messages';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, observeStream, textContent, type ObservableRunnable } from 'rxjs-langchain';
 *
 * // Replays an answer it has streamed before; asks OpenAI for any other question.
 * class ReplayingModel extends ChatOpenAI implements ObservableRunnable<unknown, AIMessageChunk> {
 *   readonly replies = new Map<string, AIMessageChunk[]>([['你好', [new AIMessageChunk('你好'), new AIMessageChunk('！👋')]]]);
 *
 *   [observeStream](input: unknown): Observable<AIMessageChunk> | undefined {
 *     const chunks = typeof input === 'string' ? this.replies.get(input) : undefined;
 *     return chunks && from(chunks); // undefined: declined, fromRunnable calls stream()
 *   }
 * }
 *
 * fromRunnable(new ReplayingModel({ model: 'gpt-4o-mini' }), '你好')
 *   .pipe(textContent())
 *   .subscribe((text) => process.stdout.write(text));
 * ```
 *
 * @see {@link ObservableRunnable}, the interface a runnable implements with it.
 * @see {@link observeSequence} for a runnable inside a chain (`prompt.pipe(model)`).
 * @see {@link fromRunnable}, which asks for it.
 */
export const observeStream: unique symbol = /* @__PURE__ */ Symbol.for('rxjs-langchain.observeStream') as never;

/**
 * A runnable that can produce its stream as an Observable (an Observable-native
 * runnable): `fromRunnable` subscribes to `[observeStream](input, config)`, or
 * calls `stream()` when it returns `undefined`. See {@link observeStream}.
 */
export interface ObservableRunnable<I, O> {
  /**
   * Called once per subscription of `fromRunnable(runnable, input, config)`.
   *
   * @param input The input given to `fromRunnable`.
   * @param config The caller's config, with this subscription's `signal` (aborted on teardown).
   * @returns A cold Observable of the stream, or `undefined` to decline (then `stream()` is called).
   */
  [observeStream](input: I, config: Partial<RunnableConfig>): Observable<O> | undefined;
}

/** Whether `value` carries an `[observeStream]` method. */
export function isObservableRunnable<I, O>(value: unknown): value is ObservableRunnable<I, O> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[observeStream] === 'function'
  );
}

/**
 * The method key of a step that can observe the chain it is part of: when
 * `fromRunnable` is given a `RunnableSequence` (`prompt.pipe(model)`, anything
 * with a `steps` array), the last step that carries `[observeSequence]` is
 * asked for the whole sequence's stream, given the sequence's steps, its own
 * index among them, the sequence's input and config. It returns a cold
 * Observable of what the sequence would stream, or `undefined` to decline, and
 * then `fromRunnable` streams the sequence with `stream()` as usual. The rules
 * of {@link observeStream} apply: called per subscription, the subscription's
 * own `signal`, teardown unsubscribes and aborts it, no LangChain callbacks.
 * The marble model uses it to format a prompt template synchronously inside
 * `TestScheduler.run` (decision 0030).
 *
 * @example
 * ```ts
 * import { of, type Observable } from 'rxjs';
 * import { AIMessageChunk } from '@langchain/core/messages';
 * import { ChatPromptTemplate } from '@langchain/core/prompts';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, observeSequence, textContent, type SequenceObserver } from 'rxjs-langchain';
 *
 * // Answers from a table keyed by the chain's variables, when it is the chain's last step.
 * class TableModel extends ChatOpenAI implements SequenceObserver {
 *   readonly answers = new Map([['{"lang":"Python"}', 'Python 简单 🐍']]);
 *
 *   [observeSequence](steps: readonly unknown[], index: number, input: unknown): Observable<unknown> | undefined {
 *     const answer = index === steps.length - 1 ? this.answers.get(JSON.stringify(input)) : undefined;
 *     return answer === undefined ? undefined : of(new AIMessageChunk(answer));
 *   }
 * }
 *
 * const prompt = ChatPromptTemplate.fromMessages([['human', '介绍一下{lang}']]);
 * fromRunnable(prompt.pipe(new TableModel({ model: 'gpt-4o-mini' })), { lang: 'Python' })
 *   .pipe(textContent())
 *   .subscribe((text) => process.stdout.write(text));
 * ```
 *
 * @see {@link SequenceObserver}, the interface a step implements with it.
 * @see {@link observeStream} for a runnable given to `fromRunnable` itself.
 */
export const observeSequence: unique symbol = /* @__PURE__ */ Symbol.for('rxjs-langchain.observeSequence') as never;

/**
 * A step that can observe the `RunnableSequence` it is part of. See {@link observeSequence}.
 */
export interface SequenceObserver {
  /**
   * Called once per subscription of `fromRunnable(sequence, input, config)`.
   *
   * @param steps The sequence's steps, in order (`first`, `middle`…, `last`).
   * @param index This step's index in `steps`.
   * @param input The sequence's input, as given to `fromRunnable`.
   * @param config The caller's config, with this subscription's `signal` (aborted on teardown).
   * @returns A cold Observable of what the sequence streams, or `undefined` to decline.
   */
  [observeSequence](
    steps: readonly unknown[],
    index: number,
    input: unknown,
    config: Partial<RunnableConfig>,
  ): Observable<unknown> | undefined;
}

/**
 * The steps of a `RunnableSequence`-like runnable (anything with a `steps`
 * array) and the last step that carries `observeSequence`, or `undefined`.
 */
export function findSequenceObserver(
  value: unknown,
): { steps: readonly unknown[]; index: number; observer: SequenceObserver } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const steps = (value as { steps?: unknown }).steps;
  if (!Array.isArray(steps)) return undefined;
  for (let index = steps.length - 1; index >= 0; index--) {
    const step: unknown = steps[index];
    if (typeof step === 'object' && step !== null && typeof (step as Record<symbol, unknown>)[observeSequence] === 'function') {
      return { steps, index, observer: step as SequenceObserver };
    }
  }
  return undefined;
}
