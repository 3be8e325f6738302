import type { StoredMessage } from '@langchain/core/messages';

/** Fields LangChain fills with an empty default when a stored message lacks them (`mapStoredMessagesToChatMessages`). */
const DEFAULTED = ['additional_kwargs', 'response_metadata', 'tool_calls', 'invalid_tool_calls'] as const;

const isEmpty = (value: unknown): boolean =>
  value === undefined || (Array.isArray(value) ? value.length === 0 : typeof value === 'object' && value !== null && Object.keys(value).length === 0);

/**
 * `message` without the fields LangChain gives back anyway when it reads it: an empty
 * `additional_kwargs`, `response_metadata`, `tool_calls` or `invalid_tool_calls`. Every conversation's
 * history stays in Redis as long as the conversation, and these are ~100 bytes of a short turn's
 * ~1 KB (decision 0402); `@langchain/redis` and LangChain read the result back to equal messages.
 */
export function compactStoredMessage(message: StoredMessage): StoredMessage {
  const data: Record<string, unknown> = { ...message.data };
  for (const key of DEFAULTED) if (isEmpty(data[key])) delete data[key];
  return { ...message, data: data as unknown as StoredMessage['data'] };
}
