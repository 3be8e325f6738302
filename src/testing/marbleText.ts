import { map, type Observable, type OperatorFunction } from 'rxjs';
import { textOf, type TextLike } from '../decode/text';
import { describe } from '../internal/validate';

/**
 * Maps every string, message chunk or part to its text, one to one: a chunk with
 * no text becomes `''` instead of being dropped (unlike `textContent()`), so
 * the text diagram has exactly the frames of the model's diagram.
 *
 * @example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * import { fromRunnable } from 'rxjs-langchain';
 * import { mapToText, marbleChatModel } from 'rxjs-langchain/testing';
 *
 * test('one text per chunk', () => {
 *   new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ expectObservable }) => {
 *     const model = marbleChatModel('--a-b--c|', { a: 'Hel', b: 'lo', c: '!' });
 *     expectObservable(fromRunnable(model, 'hi').pipe(mapToText())).toBe('--a-b--c|', { a: 'Hel', b: 'lo', c: '!' });
 *   });
 * });
 * ```
 *
 * @see {@link expectText}, which applies it for you.
 *
 * @returns A function that returns an Observable of each source value's text (`''` when it has none).
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
 * import { TestScheduler } from 'rxjs/testing';
 * import { fromRunnable } from 'rxjs-langchain';
 * import { expectText, marbleChatModel } from 'rxjs-langchain/testing';
 *
 * test('the text arrives frame by frame', () => {
 *   new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ expectObservable, expectSubscriptions }) => {
 *     const values = { a: 'Hel', b: 'lo', c: '!' };
 *     const model = marbleChatModel('--a-b--c|', values);
 *     expectText(expectObservable, fromRunnable(model, 'hi')).toBe('--a-b--c|', values);
 *     expectSubscriptions(model.subscriptions).toBe('^-------!');
 *   });
 * });
 * ```
 *
 * @see {@link mapToText}
 *
 * @param expectObservable The `expectObservable` of `TestScheduler.run`'s helpers.
 * @param source The chunk stream to assert.
 * @param subscriptionMarbles As for `expectObservable`: when to subscribe and unsubscribe.
 * @returns `{ toBe(marbles, values?, errorValue?) }`, as `expectObservable` returns.
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
