import { RxLangChainError } from '../RxLangChainError';
import { describe } from '../internal/validate';
import { graphTuple } from './graphTuples';
import { isModelStreamEvent } from './modelEvents';

/**
 * A text operator (`textContent`, `collectText`, `smooth`, `progress`, `tapProgress`,
 * `streamMetrics` …) got a value that is not text input: not a string, not a message chunk
 * (anything with LangChain `content`) and not a `StreamPart`. LangGraph tuples and
 * content-block events are decoded by `toParts()`; pipe the stream through it first
 * (decision 0356).
 *
 * @example
 * ```ts
 * import { fromModelEvents, toParts, textContent, TextInputError } from 'rxjs-langchain';
 * import { ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const model = new ScriptedChatModel();
 * // The events are not text: TypeScript refuses `fromModelEvents(model, 'hi').pipe(textContent())`,
 * // and at run time (plain JavaScript, an `any`) it errors with TextInputError, saying to use toParts().
 * fromModelEvents(model, 'hi').pipe(toParts(), textContent()).subscribe({
 *   next: (text) => console.log(text),
 *   error: (e) => e instanceof TextInputError && console.error(e.message),
 * });
 * ```
 *
 * @see {@link toParts}
 *
 * @param where The operator (or helper) that refused the value, e.g. `'textContent'`.
 * @param value The value refused.
 */
export class TextInputError extends RxLangChainError {
  /** The operator (or helper) that refused the value. */
  readonly where: string;
  /** The value refused (for debugging; not part of the message). */
  readonly value: unknown;

  constructor(where: string, value: unknown) {
    super('NOT_TEXT_INPUT', `${where}: ${refusal(value)}`);
    this.where = where;
    this.value = value;
  }
}

/** Why `value` is refused, with what to do when `toParts()` reads it. */
function refusal(value: unknown): string {
  const toParts = 'text operators take a string, a message chunk or a StreamPart. ' +
    'Pipe the stream through toParts() first (source.pipe(toParts(), textContent())), or use a source that emits parts (fromAgent).';
  if (Array.isArray(value) && graphTuple(value) !== undefined) return `got a LangGraph stream tuple ([message, metadata] or [mode, data]); ${toParts}`;
  if (isModelStreamEvent(value)) return `got a content-block event (${JSON.stringify(value.event)}); ${toParts}`;
  const event = typeof value === 'object' && value !== null ? (value as { event?: unknown }).event : undefined;
  if (typeof event === 'string') {
    return `got the streamEvents event ${JSON.stringify(event)}; text operators take a string, a message chunk or a StreamPart. ` +
      'Use fromRunnable(model, input) for chunks, or fromModelEvents(model, input).pipe(toParts()) for parts.';
  }
  return `expected a string, a message chunk or a StreamPart, got ${describe(value)}.`;
}
