import { defaultIfEmpty, defer, map, reduce, type OperatorFunction } from 'rxjs';
import { AIMessageChunk, type BaseMessageChunk } from '@langchain/core/messages';
import { concat } from '@langchain/core/utils/stream';
import { describe } from '../internal/validate';

const messageChunk = <T>(chunk: T): T => {
  if (typeof chunk !== 'object' || chunk === null || !('content' in chunk)) {
    throw new TypeError(`collectMessage: expected message chunks (put it before textContent()), got ${describe(chunk)}.`);
  }
  return chunk;
};

/**
 * Emits one message on completion: all chunks merged with LangChain's public `concat`
 * (`@langchain/core/utils/stream`, which calls the chunk's own `concat`), so
 * `usage_metadata`, `response_metadata`, `id` and tool-call chunks survive, and a chunk
 * class with its own `concat` merges its own way. An empty stream yields an empty
 * `AIMessageChunk`; a single chunk is emitted as is. A value that is not a message chunk
 * (a string: put it before `textContent()`) errors with a TypeError at once.
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
  // Composed, public API only (decision 0152): a fold with LangChain's `concat`, exactly what a raw
  // `for await` + `concat` loop does. Bench foundation 3, through the real ChatOpenAI on the fake
  // server (19,958 chunks): 0.96× on a quiet machine, 0.95–1.12× in three runs at load 10–20; linear
  // like the plain `concat` fold it is (quiet: 3.3 → 4.0 µs a chunk from 10,000 to 100,000 chunks,
  // the fold 3.3 → 4.6 µs; LangChain's concat sets the cost).
  return (source) =>
    defer(() =>
      source.pipe(
        map(messageChunk),
        reduce((merged: T, chunk: T) => concat(merged, chunk) as T),
        defaultIfEmpty(new AIMessageChunk({ content: '' }) as unknown as T),
      ),
    );
}
