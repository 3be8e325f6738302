/**
 * Base class of every error rxjs-langchain raises itself, so callers can tell
 * ours apart from provider errors with one `instanceof`.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, textContent, RxLangChainError } from 'rxjs-langchain';
 *
 * fromRunnable(new ChatOpenAI({ model: 'gpt-4o-mini' }), 'hi').pipe(textContent()).subscribe({
 *   error: (e) => console.error(e instanceof RxLangChainError ? `rxjs-langchain: ${e.code}` : `provider: ${e}`),
 * });
 * ```
 *
 * @see {@link StreamTimeoutError}, {@link StreamInterruptedError}, {@link ForbiddenContentError} and the other subclasses.
 *
 * @param code A stable machine-readable code, e.g. `'STREAM_ABORTED'`.
 * @param message What happened and what to do about it.
 * @param options `cause`: the error underneath, if any.
 */
export class RxLangChainError extends Error {
  /** Stable machine-readable code, e.g. `'STREAM_ABORTED'`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
