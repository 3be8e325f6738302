import { filter, map, type OperatorFunction } from 'rxjs';
import { textOf, type TextLike } from '../internal/text';

/**
 * Maps each chunk, message or string to its text. Array content keeps its text
 * parts only; chunks with no text (empty, tool-call-only, image-only) emit
 * nothing. A value that has no text at all errors with a TypeError.
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
  return (source) =>
    source.pipe(
      map((value) => textOf(value)),
      filter((text) => text.length > 0),
    );
}
