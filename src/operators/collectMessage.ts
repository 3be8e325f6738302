import { defaultIfEmpty, reduce, type OperatorFunction } from 'rxjs';
import { AIMessageChunk, type BaseMessageChunk } from '@langchain/core/messages';
import { concat } from '@langchain/core/utils/stream';

/**
 * Emits one message on completion: all chunks merged with LangChain's own
 * `concat`, so `usage_metadata`, `response_metadata`, `id` and tool-call chunks
 * survive. (The seed tutorial stores only the last chunk, which loses the text.)
 * An empty stream yields an empty `AIMessageChunk`.
 *
 * @example
 * ```ts
 * const message = await lastValueFrom(fromRunnable(model, 'hi').pipe(collectMessage()));
 * await history.addMessage(message);
 * ```
 */
export function collectMessage<T extends BaseMessageChunk = AIMessageChunk>(): OperatorFunction<T, T> {
  return (source) =>
    source.pipe(
      reduce((merged: T, chunk: T) => concat(merged, chunk) as T),
      defaultIfEmpty(new AIMessageChunk({ content: '' }) as unknown as T),
    );
}
