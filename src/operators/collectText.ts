import { reduce, type OperatorFunction } from 'rxjs';
import { textOf, type TextLike } from '../internal/text';
import { textSourceOf } from './textContent';

/**
 * Emits the whole text once, on completion ('' for an empty stream). Accepts
 * chunks, messages or strings. Nothing is emitted if the source errors.
 *
 * @example
 * ```ts
 * import { lastValueFrom } from 'rxjs';
 * import { collectText, fromRunnable } from 'rxjs-langchain';
 *
 * const answer = await lastValueFrom(fromRunnable(chain, input).pipe(collectText()));
 * ```
 *
 * @returns An operator that emits the concatenated text once.
 * @see textContent
 */
export function collectText(): OperatorFunction<TextLike, string> {
  // Right after textContent() (which only drops empty texts), read its source: the same text, one hop less.
  return (source) =>
    (textSourceOf(source) ?? source).pipe(
      reduce((all: string, value: TextLike) => {
        const text = textOf(value);
        return text.length === 0 ? all : all + text;
      }, ''),
    );
}
