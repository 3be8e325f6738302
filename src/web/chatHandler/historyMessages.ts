import type { BaseMessage } from '@langchain/core/messages';
import { textOf } from '../../decode/text';

/** A stored message as the AI SDK's client shows it (a `UIMessage` with text parts). */
export interface HistoryUIMessage {
  id: string;
  role: 'user' | 'assistant';
  parts: { type: 'text'; text: string }[];
  metadata?: { partial: true };
}

/**
 * The conversation for `useChat`'s `messages` (`GET {base}/:id/history`): questions and answers
 * as text; tool calls and results stay on the server (the answer after them says what came of them).
 */
export function toUIMessages(messages: readonly BaseMessage[]): HistoryUIMessage[] {
  const out: HistoryUIMessage[] = [];
  messages.forEach((message, i) => {
    const type = message.getType();
    if (type !== 'human' && type !== 'ai') return;
    const text = textOf(message);
    if (type === 'ai' && text === '') return; // a step that only called tools
    const partial = (message.response_metadata as { partial?: unknown } | undefined)?.partial === true;
    out.push({ id: message.id ?? `m${i}`, role: type === 'human' ? 'user' : 'assistant', parts: [{ type: 'text', text }], ...(partial && { metadata: { partial: true as const } }) });
  });
  return out;
}
