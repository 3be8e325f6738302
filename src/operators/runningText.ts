import { scan, type OperatorFunction } from 'rxjs';
import type { TextLike } from '../internal/text';
import { textContent } from './textContent';

/**
 * Emits the accumulated text after each chunk that adds text: what a UI
 * re-renders. JS strings concatenate in O(1) amortised, so this stays linear.
 *
 * @example
 * ```ts
 * fromRunnable(model, 'hi').pipe(runningText()).subscribe((sofar) => (el.textContent = sofar));
 * ```
 */
export function runningText(): OperatorFunction<TextLike, string> {
  return (source) => source.pipe(textContent(), scan((all, text) => all + text, ''));
}
