import { filter, map, type OperatorFunction } from 'rxjs';
import { textOf, type TextLike } from '../internal/text';

/**
 * Maps each chunk, message or string to its text. Array content keeps its text
 * parts only; chunks with no text (empty, tool-call-only, image-only) emit
 * nothing. Parts (`fromAgent`, `toParts()`), content-block events
 * (`fromModelEvents`) and LangGraph `[message, metadata]` pairs / `[mode, data]`
 * tuples give the answer text only. A value that has no text at all errors with a TypeError.
 *
 * @example
 * ```ts
 * fromRunnable(model, 'hi').pipe(textContent()).subscribe((t) => process.stdout.write(t));
 * ```
 */
export function textContent(): OperatorFunction<TextLike, string> {
  return (source) =>
    source.pipe(
      map((value) => textOf(value)),
      filter((text) => text.length > 0),
    );
}
