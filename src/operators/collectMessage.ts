import { concat, defer, Observable, of, type OperatorFunction } from 'rxjs';
import {
  _mergeDicts,
  _mergeLists,
  AIMessageChunk,
  mergeContent,
  mergeResponseMetadata,
  mergeUsageMetadata,
  type BaseMessageChunk,
  type MessageContent,
  type UsageMetadata,
} from '@langchain/core/messages';
import { concat as concatChunks } from '@langchain/core/utils/stream';
import { consumeEach } from '../internal/operate';
import { describe } from '../internal/validate';

type Dict = Record<string, unknown>;

const isEmptyDict = (d: unknown): boolean => {
  for (const key in d as Dict) if (Object.prototype.hasOwnProperty.call(d, key)) return false;
  return true;
};

const concatMethod = AIMessageChunk.prototype.concat;

/**
 * The fields `AIMessageChunk.prototype.concat` merges, folded left with LangChain's own
 * helpers (`mergeContent`, `_mergeDicts`, `_mergeLists`, `mergeResponseMetadata`,
 * `mergeUsageMetadata`) in the same order and under the same conditions, without
 * constructing a message per chunk; one `AIMessageChunk` is built at the end. A step
 * whose chunk has nothing to add (an empty dict or list) is skipped: LangChain's result
 * would be an equal copy. Returns undefined when a chunk is not a plain `AIMessageChunk`
 * (a subclass may override `concat`): the caller then folds with `concat` itself.
 */
function mergeAIMessageChunks(chunks: readonly BaseMessageChunk[]): AIMessageChunk | undefined {
  for (const c of chunks) if ((c as object).constructor !== AIMessageChunk || (c as AIMessageChunk).concat !== concatMethod) return undefined;
  const first = chunks[0] as AIMessageChunk;
  let content: MessageContent = first.content;
  let additional: Dict | undefined = first.additional_kwargs;
  let response: Dict = first.response_metadata;
  let toolCallChunks: unknown[] = first.tool_call_chunks ?? [];
  // Read only while there are no tool-call chunks: with chunks, tool_calls is derived from them.
  let toolCalls: unknown[] = toolCallChunks.length === 0 ? first.tool_calls ?? [] : [];
  let usage: UsageMetadata | undefined = first.usage_metadata;
  let id = first.id;
  for (let i = 1; i < chunks.length; i++) {
    const c = chunks[i] as AIMessageChunk;
    content = mergeContent(content, c.content) ?? [];
    if (!isEmptyDict(c.additional_kwargs)) additional = _mergeDicts(additional, c.additional_kwargs as Dict) || {};
    if (!isEmptyDict(c.response_metadata)) response = mergeResponseMetadata(response, c.response_metadata) || {};
    const cChunks = c.tool_call_chunks;
    if (cChunks !== undefined && cChunks.length > 0) {
      const merged = _mergeLists(toolCallChunks as never[], cChunks as never[]) as unknown[] | undefined;
      toolCallChunks = merged !== undefined && merged.length > 0 ? merged : [];
    }
    if (toolCallChunks.length === 0) {
      const cCalls = c.tool_calls;
      if (cCalls !== undefined && cCalls.length > 0) {
        const merged = _mergeLists(toolCalls as never[], cCalls as never[]) as unknown[] | undefined;
        toolCalls = merged !== undefined && merged.length > 0 ? merged : [];
      }
    } else {
      toolCalls = [];
    }
    if (usage !== undefined || c.usage_metadata !== undefined) usage = mergeUsageMetadata(usage, c.usage_metadata);
    id = id ?? c.id;
  }
  const fields: ConstructorParameters<typeof AIMessageChunk>[0] & Dict = {
    content,
    additional_kwargs: { ...additional },
    response_metadata: { ...response },
    tool_call_chunks: [...toolCallChunks] as never,
    tool_calls: [...toolCalls] as never,
    id,
  };
  if (usage !== undefined) fields.usage_metadata = usage;
  return new AIMessageChunk(fields);
}

/**
 * Emits one message on completion: all chunks merged with LangChain's `concat`
 * semantics, so `usage_metadata`, `response_metadata`, `id` and tool-call chunks
 * survive. The chunks are kept and merged once at the end (for plain
 * `AIMessageChunk`s field by field with LangChain's own merge helpers, without a
 * message per chunk; otherwise with `concat`), which gives the same message as
 * `chunk.concat(next)` per chunk at a fraction of the cost. An empty stream yields an
 * empty `AIMessageChunk`; a single chunk is emitted as is. A value that is not a message
 * chunk (a string: put it before `textContent()`) errors with a TypeError at once.
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
    new Observable<T>((subscriber) => {
      const chunks: T[] = [];
      concat(
        source.pipe(
          consumeEach((chunk: T) => {
            if (typeof chunk !== 'object' || chunk === null || !('content' in chunk)) {
              throw new TypeError(`collectMessage: expected message chunks (put it before textContent()), got ${describe(chunk)}.`);
            }
            chunks.push(chunk);
          }),
        ),
        defer(() => {
          if (chunks.length === 0) return of(new AIMessageChunk({ content: '' }) as unknown as T);
          if (chunks.length === 1) return of(chunks[0]);
          const merged = mergeAIMessageChunks(chunks) as T | undefined;
          if (merged !== undefined) return of(merged);
          let all = chunks[0];
          for (let i = 1; i < chunks.length; i++) all = concatChunks(all, chunks[i]) as T;
          return of(all);
        }),
      ).subscribe(subscriber);
    });
}
