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
 * import { from, lastValueFrom } from 'rxjs';
 * import { ChatPromptTemplate } from '@langchain/core/prompts';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, mergeStreams, collectResults, collectText } from 'rxjs-langchain';
 *
 * const chain = ChatPromptTemplate.fromMessages([['human', '{question}']]).pipe(new ChatOpenAI({ model: 'gpt-4o-mini' }));
 * const questions$ = from(['什么是Python？', '什么是JavaScript？', '什么是Rust？']);
 * const results = await lastValueFrom(questions$.pipe(
 *   mergeStreams((q) => fromRunnable(chain, { question: q }).pipe(collectText()), { concurrency: 3 }),
 *   collectResults(),
 * ));
 * results.forEach((r) => console.log(`问题${r.index + 1}: ${r.value?.length ?? 0} 字符`));
 * ```
 *
 * @see {@link mergeStreams}, whose events it reads.
 *
 * @returns A function that returns an Observable emitting one array of results, in input order, when all streams have ended.
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
