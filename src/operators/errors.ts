import { RxLangChainError } from '../RxLangChainError';

/**
 * `abortOn` saw a forbidden pattern. The upstream request was already
 * unsubscribed (and so aborted) when this error arrives.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, textContent, abortOn, ForbiddenContentError } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, '比较Python和Java').pipe(textContent(), abortOn(['Java'])).subscribe({
 *   error: (e) => e instanceof ForbiddenContentError && console.log(`stopped at ${e.pattern}`),
 * });
 * ```
 *
 * @see {@link abortOn}
 *
 * @param pattern The pattern as given to `abortOn`.
 * @param index UTF-16 offset of the match in the whole reply.
 * @param emittedText The text emitted downstream before the match.
 * @param toolCallId The tool call whose arguments matched, when `abortOn` watched tool-call arguments.
 */
export class ForbiddenContentError extends RxLangChainError {
  /** The pattern as given to `abortOn` (not case-folded). */
  readonly pattern: string;
  /** UTF-16 offset of the match in the whole reply (a JS string index). */
  readonly index: number;
  /** Exactly the text emitted downstream before the match was seen. */
  readonly emittedText: string;
  /**
   * Set when the match was in a tool call's arguments (`abortOn(patterns, { toolCallArgs: true })`):
   * that call's id; `index` and `emittedText` are then within its argument text.
   */
  readonly toolCallId?: string;

  constructor(pattern: string, index: number, emittedText: string, toolCallId?: string) {
    super(
      'FORBIDDEN_CONTENT',
      `Forbidden content ${JSON.stringify(pattern)} at index ${index}${toolCallId === undefined ? '' : ` of tool call ${toolCallId}'s arguments`}; the stream was stopped.`,
    );
    this.pattern = pattern;
    this.index = index;
    this.emittedText = emittedText;
    if (toolCallId !== undefined) this.toolCallId = toolCallId;
  }
}

/** Which limit of `streamTimeout` fired. */
export type StreamTimeoutKind = 'first-chunk' | 'idle' | 'total';

/**
 * `streamTimeout` gave up: no first chunk, no chunk for too long, or the whole
 * reply took too long. The upstream request was unsubscribed (aborted). Like
 * `StreamInterruptedError`, it carries what was seen: `partialText` and `chunks`
 * (both empty for `first-chunk`, which fires only before the first chunk with content).
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, streamTimeout, StreamTimeoutError } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, 'hi').pipe(streamTimeout({ firstChunkMs: 10_000 })).subscribe({
 *   error: (e) => e instanceof StreamTimeoutError && e.kind === 'first-chunk' && console.error('no first chunk in 10 s'),
 * });
 * ```
 *
 * @see {@link streamTimeout}
 * @see {@link retryBeforeFirstChunk}, which retries a `first-chunk` timeout.
 *
 * @param kind Which limit fired: `'first-chunk'`, `'idle'` or `'total'`.
 * @param ms The limit that was exceeded, ms.
 * @param partialText The text received before the timeout ('' for `first-chunk`).
 * @param chunks How many chunks with content arrived before the timeout.
 */
export class StreamTimeoutError extends RxLangChainError {
  readonly kind: StreamTimeoutKind;
  /** The limit that was exceeded, ms. */
  readonly ms: number;
  /** The text received before the timeout (may be ''). */
  readonly partialText: string;
  /** How many chunks with content arrived before the timeout. */
  readonly chunks: number;

  constructor(kind: StreamTimeoutKind, ms: number, partialText = '', chunks = 0) {
    const what = kind === 'first-chunk' ? 'no first chunk within' : kind === 'idle' ? 'no chunk for' : 'the stream did not complete within';
    const seen = chunks > 0 ? ` ${chunks} chunk(s) and ${[...partialText].length} character(s) of partial text had arrived (error.partialText).` : '';
    super('STREAM_TIMEOUT', `Stream timeout (${kind}): ${what} ${ms} ms.${seen}`);
    this.kind = kind;
    this.ms = ms;
    this.partialText = partialText;
    this.chunks = chunks;
  }
}

/**
 * A **cut** reply (docs/glossary.md): the connection dropped after the first chunk,
 * or the stream ended without a finish marker (`finish_reason` / `stop_reason`),
 * which would otherwise look like a complete but short answer. Raised by
 * `requireCompletion()`. `partialText` is the text received before the cut, so a
 * UI can show it as cut and a history can refuse to store it as an answer. (The
 * class keeps its name: clients match it on the wire; decision 0261.)
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, requireCompletion, collectText, StreamInterruptedError } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, '介绍Python').pipe(requireCompletion(), collectText()).subscribe({
 *   error: (e) => e instanceof StreamInterruptedError && console.error(`cut after: ${e.partialText}`),
 * });
 * ```
 *
 * @see {@link requireCompletion}
 * @see {@link chatTurns}, whose turns end with this error when a reply is cut.
 *
 * @param reason `'error'` (the stream failed mid-way) or `'no-finish'` (it ended without a finish marker).
 * @param partialText The text received before the stream stopped.
 * @param chunks How many chunks with content arrived before it stopped.
 * @param cause The error that ended the stream, for `'error'`.
 */
export class StreamInterruptedError extends RxLangChainError {
  /** The text received before the stream stopped (may be ''). */
  readonly partialText: string;
  /** How many chunks with content arrived before the stream stopped. */
  readonly chunks: number;
  /** `'error'`: the stream failed mid-way (see `cause`); `'no-finish'`: it ended without a finish marker. */
  readonly reason: 'error' | 'no-finish';

  constructor(reason: 'error' | 'no-finish', partialText: string, chunks: number, cause?: unknown) {
    const what =
      reason === 'error'
        ? `The stream failed after ${chunks} chunk(s): ${cause instanceof Error ? cause.message : String(cause)}`
        : `The stream ended after ${chunks} chunk(s) without a finish_reason, so the reply is incomplete (the connection was probably cut)`;
    super(
      'STREAM_INTERRUPTED',
      `${what}. ${partialText.length} character(s) of partial text are on error.partialText; retry the turn instead of treating them as the answer.`,
      cause === undefined ? undefined : { cause },
    );
    this.partialText = partialText;
    this.chunks = chunks;
    this.reason = reason;
  }
}
