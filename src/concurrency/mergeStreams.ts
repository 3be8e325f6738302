import { catchError, concat, defer, from, map, mergeMap, of, throwError, type ObservableInput, type OperatorFunction } from 'rxjs';
import { assertFunction, assertObject, describe } from '../internal/validate';

/** A value of stream `index` (started for `input`). */
export interface LabelledValue<I, T> {
  type: 'value';
  index: number;
  input: I;
  value: T;
}
/** Stream `index` completed. */
export interface LabelledComplete<I> {
  type: 'complete';
  index: number;
  input: I;
}
/** Stream `index` failed; the others go on (unless `failFast`). */
export interface LabelledError<I> {
  type: 'error';
  index: number;
  input: I;
  error: unknown;
}
/** What `mergeStreams` emits: every event labelled with its stream, so lanes can be rendered. */
export type LabelledEvent<I, T> = LabelledValue<I, T> | LabelledComplete<I> | LabelledError<I>;

/** Options of `mergeStreams`. */
export interface MergeStreamsOptions {
  /** At most this many streams subscribed at once; an integer >= 1 or `Infinity` (default). */
  concurrency?: number;
  /** Error the whole output on the first stream error (after its `error` event). Default false. */
  failFast?: boolean;
}

/**
 * Runs `project(input, index)` for each input with at most `concurrency`
 * streams active (the rest wait, in order), and labels every value,
 * completion and error with its `index` and `input`. An error in one stream is
 * that stream's `error` event and the others go on, unless `failFast`.
 * Unsubscribing unsubscribes (aborts) every active stream.
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * import { ChatPromptTemplate } from '@langchain/core/prompts';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, mergeStreams, textContent } from 'rxjs-langchain';
 *
 * const chain = ChatPromptTemplate.fromMessages([['human', '{question}']]).pipe(new ChatOpenAI({ model: 'gpt-4o-mini' }));
 * const lanes = ['', '', ''];
 * from(['什么是Python？', '什么是JavaScript？', '什么是Rust？']).pipe(
 *   mergeStreams((q) => fromRunnable(chain, { question: q }).pipe(textContent()), { concurrency: 2 }),
 * ).subscribe((e) => e.type === 'value' && (lanes[e.index] += e.value));
 * ```
 *
 * @see {@link collectResults} to gather the results in input order.
 *
 * @param project Makes the stream of one input (and its index); called when a slot is free.
 * @param options `concurrency` (default `Infinity`) and `failFast` (default false).
 * @returns A function that returns an Observable of labelled `value`, `complete` and `error` events.
 */
export function mergeStreams<I, T>(
  project: (input: I, index: number) => ObservableInput<T>,
  options: MergeStreamsOptions = {},
): OperatorFunction<I, LabelledEvent<I, T>> {
  assertFunction('mergeStreams: project', project);
  assertObject('mergeStreams: options', options);
  const { concurrency = Infinity, failFast = false } = options;
  if (typeof concurrency !== 'number' || !(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new RangeError(`mergeStreams: options.concurrency must be an integer >= 1 or Infinity, got ${describe(concurrency)}.`);
  }
  if (typeof failFast !== 'boolean') throw new TypeError(`mergeStreams: options.failFast must be a boolean, got ${describe(failFast)}.`);

  return mergeMap(
    (input: I, index: number) =>
      concat(
        defer(() => from(project(input, index))).pipe(map((value): LabelledEvent<I, T> => ({ type: 'value', index, input, value }))),
        of<LabelledEvent<I, T>>({ type: 'complete', index, input }),
      ).pipe(
        catchError((error: unknown) => {
          const event: LabelledEvent<I, T> = { type: 'error', index, input, error };
          return failFast ? concat(of(event), throwError(() => error)) : of(event);
        }),
      ),
    concurrency,
  );
}
