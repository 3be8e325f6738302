import { Observable, type OperatorFunction } from 'rxjs';
import { consumeEach } from '../internal/operate';
import { textOf, type TextLike } from '../internal/text';

/** textContent's output → its source, so `collectText` right after it reads the source directly (one hop less). */
const textSources = new WeakMap<Observable<string>, Observable<TextLike>>();

/** @internal The source of a `textContent()` output, if `observable` is one. */
export function textSourceOf(observable: Observable<unknown>): Observable<TextLike> | undefined {
  return textSources.get(observable as Observable<string>);
}

/**
 * Maps each chunk, message or string to its text. Array content keeps its text
 * parts only; chunks with no text (empty, tool-call-only, image-only) emit
 * nothing. A value that has no text at all errors with a TypeError.
 *
 * @example
 * ```ts
 * import { fromRunnable, textContent } from 'rxjs-langchain';
 *
 * fromRunnable(model, 'hi').pipe(textContent()).subscribe((t) => process.stdout.write(t));
 * ```
 *
 * @returns An operator from chunks, messages or strings to their non-empty text.
 * @see collectText
 */
export function textContent(): OperatorFunction<TextLike, string> {
  return (source) => {
    const text = new Observable<string>((subscriber) => {
      source
        .pipe(
          consumeEach((value: TextLike) => {
            const t = textOf(value);
            if (t.length > 0) subscriber.next(t);
          }),
        )
        .subscribe(subscriber);
    });
    textSources.set(text, source);
    return text;
  };
}
