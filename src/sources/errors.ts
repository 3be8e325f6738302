import { RxLangChainError } from '../RxLangChainError';

/**
 * The caller's own `config.signal` aborted the stream. An unsubscribe is not
 * an error and never produces this; only an external signal does.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, StreamAbortedError } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * const ac = new AbortController();
 * fromRunnable(model, 'hi', { signal: ac.signal }).subscribe({
 *   error: (e) => e instanceof StreamAbortedError && console.log('aborted by caller'),
 * });
 * ac.abort();
 * ```
 *
 * @see {@link fromRunnable}, whose `config.signal` this is about.
 *
 * @param reason The caller's `signal.reason`.
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

/**
 * `fromServerSentEvents` got a response that is not an event stream: an HTTP error
 * status, another content type, or no body. Nothing was emitted.
 *
 * @example
 * ```ts
 * import { fromServerSentEvents, ServerSentEventsResponseError } from 'rxjs-langchain';
 *
 * fromServerSentEvents('http://127.0.0.1:3000/api/chat/stream', { method: 'POST', body: JSON.stringify({ question: 'hi' }) }).subscribe({
 *   error: (e) => {
 *     if (e instanceof ServerSentEventsResponseError && e.status === 413) console.log('The question is too long.');
 *   },
 * });
 * ```
 *
 * @see {@link fromServerSentEvents}
 *
 * @param status The HTTP status.
 * @param contentType The response's `content-type` ('' when absent).
 * @param bodyText The start of the body.
 * @param what How the response was wrong, for the message (`HTTP 413 Payload Too Large`).
 */
export class ServerSentEventsResponseError extends RxLangChainError {
  readonly status: number;
  /** The response's `content-type` ('' when absent). */
  readonly contentType: string;
  /** The start of the response body (at most 1,000 characters), e.g. the server's JSON error. */
  readonly bodyText: string;

  constructor(status: number, contentType: string, bodyText: string, what: string) {
    super('SSE_BAD_RESPONSE', `The server answered ${what}${bodyText ? `: ${bodyText}` : '.'}`);
    this.status = status;
    this.contentType = contentType;
    this.bodyText = bodyText;
  }
}

/**
 * The server reported a failure inside the stream: our `error` event, or a UI message
 * stream's `error` chunk. `partialText` is the text received before it.
 *
 * @example
 * ```ts
 * import { fromServerSentEvents, RemoteStreamError } from 'rxjs-langchain';
 *
 * fromServerSentEvents('http://127.0.0.1:3000/api/chat/stream?question=hi').subscribe({
 *   error: (e) => e instanceof RemoteStreamError && console.log(`${e.partialText} [failed: ${e.message}]`),
 * });
 * ```
 *
 * @see {@link fromServerSentEvents}
 * @see {@link decodeUIMessageStream}
 *
 * @param message The server's error message.
 * @param partialText The text received before it.
 * @param remote The server's error `name` and `code`, when it sent them.
 */
export class RemoteStreamError extends RxLangChainError {
  /** The server's error name and code when it sent them (`StreamTimeoutError`, `STREAM_TIMEOUT`). */
  readonly remoteName: string | undefined;
  readonly remoteCode: string | undefined;
  readonly partialText: string;

  constructor(message: string, partialText: string, remote: { name?: string; code?: string } = {}) {
    super('SSE_REMOTE_ERROR', message);
    this.remoteName = remote.name;
    this.remoteCode = remote.code;
    this.partialText = partialText;
  }
}

/**
 * `fromServerSentEvents({ resume: true })` reconnected after a cut, but the server did not
 * resume after `Last-Event-ID` (it started over, sent no ids, or refused), or every attempt
 * failed. Nothing was repeated: `partialText` is exactly what was emitted.
 *
 * @example
 * ```ts
 * import { fromServerSentEvents, StreamResumeError } from 'rxjs-langchain';
 *
 * fromServerSentEvents('http://127.0.0.1:3000/api/chat/stream?question=hi', { resume: true }).subscribe({
 *   error: (e) => e instanceof StreamResumeError && console.log(`interrupted after: ${e.partialText}`),
 * });
 * ```
 *
 * @see {@link fromServerSentEvents}
 *
 * @param problem Why the stream could not be resumed.
 * @param lastEventId The last event id received (`undefined` when the server sent none).
 * @param partialText What was emitted before the cut.
 * @param cause The error underneath, if any.
 */
export class StreamResumeError extends RxLangChainError {
  /** The last event id received before the cut (`undefined` when the server sent none). */
  readonly lastEventId: string | undefined;
  readonly partialText: string;

  constructor(problem: string, lastEventId: string | undefined, partialText: string, cause?: unknown) {
    super('SSE_RESUME_FAILED', `The stream could not be resumed: ${problem}. ${partialText.length} character(s) of partial text are on error.partialText.`, cause === undefined ? undefined : { cause });
    this.lastEventId = lastEventId;
    this.partialText = partialText;
  }
}
