import { defer, last, map, tap, type OperatorFunction } from 'rxjs';
import type { LabelledEvent } from './mergeStreams';

/** The outcome of one stream of `mergeStreams`. */
export interface StreamResult<I, T> {
  index: number;
  input: I;
  /** `'complete'`, `'error'`, or `'incomplete'` when the output ended first (it cannot, short of a bug upstream). */
  status: 'complete' | 'error' | 'incomplete';
  /** Every value of the stream, in order. */
  values: T[];
  /** The last value (the result, when the stream ends with e.g. `collectText()`). */
  value: T | undefined;
  /** The stream's error, for `status: 'error'`. */
  error?: unknown;
}

/**
 * Gathers the events of `mergeStreams` into one array of results in INPUT
 * order (not completion order), emitted when the output completes.
 *
 * @example
 * ```ts
 * const results = await lastValueFrom(questions$.pipe(
 *   mergeStreams((q) => fromRunnable(chain, { question: q }).pipe(textContent(), collectText()), { concurrency: 3 }),
 *   collectResults(),
 * ));
 * results.forEach((r) => console.log(`问题${r.index + 1}: ${r.value?.length ?? 0} 字符`));
 * ```
 */
export function collectResults<I, T>(): OperatorFunction<LabelledEvent<I, T>, StreamResult<I, T>[]> {
  return (source) =>
    defer(() => {
      // Per subscription (a shared seed array would leak between subscribers).
      const results: StreamResult<I, T>[] = [];
      return source.pipe(
        tap((event) => {
          const result = (results[event.index] ??= {
            index: event.index, input: event.input, status: 'incomplete', values: [], value: undefined,
          });
          if (event.type === 'value') {
            result.values.push(event.value);
            result.value = event.value;
          } else if (event.type === 'complete') {
            result.status = 'complete';
          } else {
            result.status = 'error';
            result.error = event.error;
          }
        }),
        last(null, null),
        // Dense, in input order (indexes are consecutive from 0).
        map(() => results.filter((r): r is StreamResult<I, T> => r !== undefined)),
      );
    });
}
