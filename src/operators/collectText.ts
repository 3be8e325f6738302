import { reduce, type OperatorFunction } from 'rxjs';
import type { TextLike } from '../internal/text';
import { textContent } from './textContent';

/**
 * Emits the whole text once, on completion ('' for an empty stream). Accepts
 * chunks, messages or strings. Nothing is emitted if the source errors.
 *
 * @example
 * ```ts
 * const answer = await lastValueFrom(fromRunnable(chain, input).pipe(collectText()));
 * ```
 */
export function collectText(): OperatorFunction<TextLike, string> {
  return (source) => source.pipe(textContent(), reduce((all, text) => all + text, ''));
}
