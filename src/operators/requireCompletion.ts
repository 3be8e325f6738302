import { asyncScheduler, catchError, concat, defer, EMPTY, tap, throwError, type MonoTypeOperatorFunction } from 'rxjs';
import { RxLangChainError } from '../RxLangChainError';
import { StreamInterruptedError } from './errors';
import { hasFinishMarker } from '../decode/finishReason';
import { assertFunction, assertObject, describe } from '../internal/validate';
import { isStreamPart } from '../decode/assemble';
import { RunCompletion } from '../parts/runCompletion';
import type { StreamPart } from '../parts/types';
import type { TextLike } from '../decode/text';
import { ChunkStats } from './chunkStats';

/** A message chunk as `requireCompletion` reads it. */
export interface CompletableChunk {
  content: unknown;
  response_metadata?: Record<string, unknown>;
}

/** Options of {@link requireCompletion}. */
export interface RequireCompletionOptions<T extends CompletableChunk = CompletableChunk> {
  /**
   * True for the chunk that proves the model finished its reply. Default
   * {@link hasFinishReason}: a `finish_reason` (OpenAI and compatible servers),
   * `stop_reason` (Anthropic), `done_reason` (Ollama) or `finishReason` (Google) in
   * `response_metadata`.
   */
  isFinal?: (chunk: T) => boolean;
}

/**
 * The default end-of-reply test of `requireCompletion`: the chunk's
 * `response_metadata` carries a non-empty finish marker.
 *
 * @example
 * ```ts
 * hasFinishReason(new AIMessageChunk({ content: '', response_metadata: { finish_reason: 'stop' } })); // true
 * ```
 */
export function hasFinishReason(chunk: CompletableChunk): boolean {
  return hasFinishMarker(chunk.response_metadata);
}

/**
 * Makes an incomplete reply an error instead of a short answer. Passes message
 * chunks through unchanged and:
 *
 * - when the source **completes without a finish marker** (no `finish_reason` in any
 *   chunk's `response_metadata` — what a connection cut cleanly between SSE frames looks
 *   like, since the OpenAI SDK then ends the stream silently), errors with
 *   `StreamInterruptedError { reason: 'no-finish', partialText }`;
 * - when the source **errors after the first chunk** (the first with content; a dropped socket surfaces as
 *   undici's `TypeError: terminated`), errors with `StreamInterruptedError
 *   { reason: 'error', partialText, cause }`.
 *
 * Errors before the first chunk (HTTP 429, 401 …) and our own typed errors
 * (`StreamTimeoutError`, `StreamAbortedError`, …) pass through unchanged, so
 * `retryBeforeFirstChunk` and `instanceof` checks keep working. Put it right after the
 * source (before `textContent()` — it needs message chunks, not strings).
 *
 * A part stream (`fromAgent`, `toParts()`) proves it finished by its steps: every step
 * that started finished with a finish reason (decision 0117; `isFinal` is for message
 * chunks). A step cut cleanly has none, so a cut inside any step is a cut.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, requireCompletion, collectText, StreamInterruptedError } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, '介绍Python').pipe(requireCompletion(), collectText()).subscribe({
 *   next: (answer) => console.log(answer),
 *   error: (e) => e instanceof StreamInterruptedError && console.error(`cut after: ${e.partialText}`),
 * });
 * ```
 *
 * @see {@link StreamInterruptedError}
 * @see {@link chatTurns}, which does this by default.
 *
 * @param options `isFinal`: how to recognise the chunk that finishes a reply (default: a finish reason in `response_metadata`).
 * @returns A function that returns an Observable mirroring the source that errors with `StreamInterruptedError` when the reply was cut.
 */
export function requireCompletion<T extends CompletableChunk | StreamPart>(
  options?: RequireCompletionOptions<Exclude<T, StreamPart>>,
): MonoTypeOperatorFunction<T> {
  assertObject('requireCompletion: options', options);
  assertFunction('requireCompletion: options.isFinal', options?.isFinal, true);
  const isFinal = (options?.isFinal ?? hasFinishReason) as (chunk: T) => boolean;
  return (source) =>
    defer(() => {
      // Chunks with content: an error after only the role chunk is still before the first chunk.
      const stats = new ChunkStats(asyncScheduler, 'requireCompletion');
      let text = '';
      let finished = false;
      let ownError: unknown;
      let run: RunCompletion | undefined;
      let first = true;
      const fail = (error: unknown): never => {
        ownError = error;
        throw error;
      };
      return concat(
        source.pipe(
          tap((chunk: T) => {
            if (first && isStreamPart(chunk)) run = new RunCompletion();
            first = false;
            if (run !== undefined) {
              if (!isStreamPart(chunk)) fail(new TypeError(`requireCompletion: a part stream emitted ${describe(chunk)}; pipe it through toParts() first.`));
              run.push(chunk as StreamPart);
            } else if (typeof chunk !== 'object' || chunk === null || !('content' in chunk) || isStreamPart(chunk)) {
              fail(
                new TypeError(
                  `requireCompletion: expected message chunks (put it right after the source, before textContent() or a string output parser), got ${describe(chunk)}.`,
                ),
              );
            }
            let piece: string | undefined;
            try {
              piece = stats.count(chunk as TextLike);
            } catch (err) {
              fail(err);
            }
            if (piece !== undefined) text += piece;
            if (run === undefined && !finished && isFinal(chunk)) finished = true;
          }),
          catchError((err: unknown) =>
            throwError(() =>
              stats.chunks === 0 || err === ownError || err instanceof RxLangChainError ? err : new StreamInterruptedError('error', text, stats.chunks, err),
            ),
          ),
        ),
        defer(() => ((run ? run.finished : finished) ? EMPTY : throwError(() => new StreamInterruptedError('no-finish', text, stats.chunks)))),
      );
    });
}
