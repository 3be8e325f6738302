import type { Observable } from 'rxjs';
import type { RunnableConfig } from '@langchain/core/runnables';

/**
 * Protocol key: a runnable that carries this method can produce its stream as
 * an Observable directly, or return `undefined` to decline (then `fromRunnable`
 * calls `runnable.stream()`). Only the marble model uses it, and only inside
 * `TestScheduler.run`, whose synchronous flush never settles LangChain's promises;
 * everywhere else it goes through the real `stream()` path (decision 0310).
 */
export const observeStream: unique symbol = Symbol.for('rxjs-langchain.observeStream') as never;

export interface ObservableStreamable<I, O> {
  [observeStream](input: I, config: Partial<RunnableConfig>): Observable<O> | undefined;
}

export function isObservableStreamable<I, O>(value: unknown): value is ObservableStreamable<I, O> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[observeStream] === 'function'
  );
}

/**
 * Companion protocol key for sequences (`prompt.pipe(model)`): a step that
 * carries this method is asked to observe the whole `RunnableSequence` it is
 * part of, given all of the sequence's steps and its own index. It returns an
 * Observable, or `undefined` to decline, in which case `fromRunnable` streams
 * the sequence with `runnable.stream()` as usual. (decision 0030)
 */
export const observeSequence: unique symbol = Symbol.for('rxjs-langchain.observeSequence') as never;

export interface SequenceObserver {
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
