import { defaultIfEmpty, reduce, type OperatorFunction } from 'rxjs';
import { AIMessageChunk, type BaseMessageChunk } from '@langchain/core/messages';
import { concat } from '@langchain/core/utils/stream';

/**
 * Emits one message on completion: all chunks merged with LangChain's own
 * `concat`, so `usage_metadata`, `response_metadata`, `id` and tool-call chunks
 * survive (saving only the last chunk would lose the text). An empty stream
 * yields an empty `AIMessageChunk`.
 *
 * @example
 * ```ts
 * import { lastValueFrom } from 'rxjs';
 * import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, collectMessage } from 'rxjs-langchain';
 *
 * const history = new InMemoryChatMessageHistory();
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * const message = await lastValueFrom(fromRunnable(model, 'hi').pipe(collectMessage()));
 * await history.addMessage(message);
 * ```
 *
 * @see {@link collectText} for the text alone.
 * @see {@link chatTurns}, which saves each reply this way.
 *
 * @returns A function that returns an Observable emitting the merged message once, when the source completes.
 */
export function collectMessage<T extends BaseMessageChunk = AIMessageChunk>(): OperatorFunction<T, T> {
  return (source) =>
    source.pipe(
      reduce((merged: T, chunk: T) => concat(merged, chunk) as T),
      defaultIfEmpty(new AIMessageChunk({ content: '' }) as unknown as T),
    );
}
