import { catchError, EMPTY, from, mergeMap, Observable, tap, throwError, type ObservableInput, type OperatorFunction } from 'rxjs';
import { consumeEach } from '../internal/operate';
import { assertBoolean, assertFunction, assertObject, describe } from '../internal/validate';

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
 * from(['什么是Python？', '什么是JavaScript？', '什么是Rust？']).pipe(
 *   mergeStreams((q) => fromRunnable(chain, { question: q }).pipe(textContent()), { concurrency: 2 }),
 * ).subscribe((e) => e.type === 'value' && lanes[e.index].write(e.value));
 * ```
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
  assertBoolean('mergeStreams: options.failFast', failFast);

  // One Observable per stream whose values take one hop; it emits the labelled events itself.
  const labelled = (input: I, index: number): Observable<LabelledEvent<I, T>> =>
    new Observable<LabelledEvent<I, T>>((subscriber) => {
      let stream: Observable<T>;
      try {
        stream = from(project(input, index));
      } catch (error) {
        stream = throwError(() => error); // a project that throws: that input's error event
      }
      stream
        .pipe(
          consumeEach((value: T) => subscriber.next({ type: 'value', index, input, value })),
          tap({ complete: () => subscriber.next({ type: 'complete', index, input }) }),
          catchError((error: unknown) => {
            subscriber.next({ type: 'error', index, input, error });
            return failFast ? throwError(() => error) : EMPTY;
          }),
        )
        .subscribe(subscriber);
    });
  return mergeMap(labelled, concurrency);
}
