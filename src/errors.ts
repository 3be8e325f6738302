/**
 * Base class of every error rxjs-langchain raises itself, so callers can tell
 * ours apart from provider errors with one `instanceof`.
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

/**
 * The caller's own `config.signal` aborted the stream. An unsubscribe is not
 * an error and never produces this; only an external signal does.
 *
 * @example
 * ```ts
 * const ac = new AbortController();
 * fromRunnable(model, 'hi', { signal: ac.signal }).subscribe({
 *   error: (e) => e instanceof StreamAbortedError && console.log('aborted by caller'),
 * });
 * ac.abort();
 * ```
 */
export class StreamAbortedError extends RxLangChainError {
  /** `signal.reason` of the caller's signal. */
  readonly reason: unknown;

  constructor(reason: unknown) {
    super('STREAM_ABORTED', 'The stream was aborted by the AbortSignal passed in config.signal.', {
      cause: reason,
    });
    this.reason = reason;
  }
}
