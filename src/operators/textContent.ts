import { Observable, type OperatorFunction } from 'rxjs';
import { consumeEach } from '../internal/linked';
import { textOf, type TextLike } from '../decode/text';

/** textContent's output → its source, so `collectText` right after it reads the source directly (one hop less). */
const textSources = new WeakMap<Observable<string>, Observable<TextLike>>();

/** @internal The source of a `textContent()` output, if `observable` is one. */
export function textSourceOf(observable: Observable<unknown>): Observable<TextLike> | undefined {
  return textSources.get(observable as Observable<string>);
}

/**
 * Maps each chunk, message or string to its text. Array content keeps its text
 * parts only; chunks with no text (empty, tool-call-only, image-only) emit
 * nothing. Parts (`fromAgent`, `toParts()`), content-block events
 * (`fromModelEvents`) and LangGraph `[message, metadata]` pairs / `[mode, data]`
 * tuples give the answer text only. A value that has no text at all errors with a TypeError.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, textContent } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, 'hi').pipe(textContent()).subscribe((t) => process.stdout.write(t));
 * ```
 *
 * @see {@link collectText} for the whole text at once.
 * @see {@link collectMessage} to keep the chunks' metadata.
 *
 * @returns A function that returns an Observable of the text of each source value that has text.
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
