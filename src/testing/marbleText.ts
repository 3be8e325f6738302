import { map, type Observable, type OperatorFunction } from 'rxjs';
import { textOf, type TextLike } from '../internal/text';
import { describe } from '../internal/validate';

/**
 * Maps every chunk, message or string to its text, one to one: a chunk with
 * no text becomes `''` instead of being dropped (unlike `textContent()`), so
 * the text diagram has exactly the frames of the model's diagram.
 *
 * @example
 * ```ts
 * expectObservable(fromRunnable(model, 'hi').pipe(mapToText())).toBe('--a-b--c|', { a: 'Hel', b: 'lo', c: '!' });
 * ```
 */
export function mapToText(): OperatorFunction<TextLike, string> {
  return (source) => source.pipe(map((value) => textOf(value, 'mapToText')));
}

/** The `expectObservable` helper of `TestScheduler.run`, structurally. */
export type ExpectObservableFn = (
  observable: Observable<string>,
  subscriptionMarbles?: string | null,
) => { toBe(marbles: string, values?: unknown, errorValue?: unknown): void };

/**
 * `expectObservable` for text: maps `source` with {@link mapToText} and accepts
 * the same value map you gave the marble model (strings or chunks; chunks are
 * compared by their text).
 *
 * @example
 * ```ts
 * testScheduler.run(({ expectObservable, expectSubscriptions }) => {
 *   const values = { a: 'Hel', b: 'lo', c: '!' };
 *   const model = marbleChatModel('--a-b--c|', values);
 *   expectText(expectObservable, fromRunnable(model, 'hi')).toBe('--a-b--c|', values);
 *   expectSubscriptions(model.subscriptions).toBe('^-------!');
 * });
 * ```
 */
export function expectText(
  expectObservable: ExpectObservableFn,
  source: Observable<TextLike>,
  subscriptionMarbles?: string | null,
): { toBe(marbles: string, values?: Record<string, TextLike>, errorValue?: unknown): void } {
  if (typeof expectObservable !== 'function') {
    throw new TypeError(`expectText: pass the expectObservable helper of TestScheduler.run first, got ${describe(expectObservable)}.`);
  }
  const texts = source.pipe(mapToText());
  return {
    toBe(marbles, values, errorValue) {
      const expected = values && Object.fromEntries(Object.entries(values).map(([k, v]) => [k, textOf(v, `expectText: values.${k}`)]));
      expectObservable(texts, subscriptionMarbles).toBe(marbles, expected, errorValue);
    },
  };
}
