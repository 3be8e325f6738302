import { AIMessage, AIMessageChunk } from '@langchain/core/messages';
import type { ChatGenerationChunk, ChatResult } from '@langchain/core/outputs';

/**
 * `_generate` for a test model that streams: merges its own chunks into one
 * `AIMessage` (text, tool calls, usage, metadata, id), so `invoke` returns
 * exactly what the merged stream would.
 */
export async function generateFromStream(generations: AsyncIterable<ChatGenerationChunk>): Promise<ChatResult> {
  let merged: ChatGenerationChunk | undefined;
  for await (const generation of generations) merged = merged ? merged.concat(generation) : generation;
  const chunk = (merged?.message as AIMessageChunk | undefined) ?? new AIMessageChunk({ content: '' });
  const message = new AIMessage({
    content: chunk.content,
    tool_calls: chunk.tool_calls,
    usage_metadata: chunk.usage_metadata,
    response_metadata: chunk.response_metadata,
    id: chunk.id,
  });
  return { generations: [{ text: merged?.text ?? '', message }] };
}
