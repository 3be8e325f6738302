import { AIMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { ApprovalDecision } from '../sources/approvalResume';

/**
 * The mark of a call a person edited before it ran: stored in its result's `additional_kwargs`
 * (`{ name, args }` it ran with), it replaces the call's arguments in the `AIMessage` saved while
 * the run waited, when the history is read. The history stays append-only, one `addMessages` per
 * turn (decision 0172); the thread's state already holds the edited call (decision 0231).
 */
export const EDITED_CALL = 'rxlc_edited_call';

/** A decision turn's messages, each edited call's result marked with what it ran with. */
export function markEdits(messages: BaseMessage[], decisions: readonly ApprovalDecision[] | undefined): BaseMessage[] {
  const edits = new Map<string, { name: string | undefined; args: Record<string, unknown> }>();
  for (const d of decisions ?? []) {
    if (d.type === 'edit' && d.request.toolCallId !== undefined) edits.set(d.request.toolCallId, { name: d.name ?? d.request.toolName, args: d.args });
  }
  if (edits.size === 0) return messages;
  return messages.map((m) => {
    const edit = m instanceof ToolMessage ? edits.get(m.tool_call_id) : undefined;
    if (edit === undefined) return m;
    const result = m as ToolMessage;
    return new ToolMessage({
      content: result.content, tool_call_id: result.tool_call_id, name: result.name, status: result.status,
      response_metadata: result.response_metadata, additional_kwargs: { ...result.additional_kwargs, [EDITED_CALL]: edit },
    });
  });
}

/**
 * A history read as it ran: each call a person edited before it ran (`edit` decision) gets, in the
 * `AIMessage` saved while the run waited, the name and arguments it ran with. The stored history
 * keeps both, append-only: the call as the model wrote it, and its result marked with the call as it
 * ran (`additional_kwargs.rxlc_edited_call: { name, args }`); `ChatSession`, `chatTurns` and the chat
 * handler save it so (decisions 0231, 0287). Other messages are returned as they are.
 *
 * @example
 * ```ts
 * import { Command, MemorySaver } from '@langchain/langgraph';
 * import { createAgent, humanInTheLoopMiddleware } from 'langchain';
 * import { applyEditedCalls, ChatSession } from 'rxjs-langchain';
 * import { createOfflineTools, ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const agent = createAgent({
 *   model: new ScriptedChatModel(), tools: createOfflineTools(), checkpointer: new MemorySaver(),
 *   middleware: [humanInTheLoopMiddleware({ interruptOn: { add: { allowedDecisions: ['approve', 'edit', 'reject'] } } })],
 * });
 * const chat = new ChatSession({ agent, agentConfig: { configurable: { thread_id: 'chat-1' } }, Command });
 * await chat.ask('123 加 456 等于多少？');
 * await chat.edit({ a: 1000, b: -1 });
 * const asRan = applyEditedCalls(await chat.history.getMessages()); // add({ a: 1000, b: -1 })
 * ```
 *
 * @param messages A stored history (oldest first).
 * @returns A new array: the edited calls' `AIMessage`s replaced by copies with the calls as they ran.
 * @see ChatSession
 */
export function applyEditedCalls(messages: readonly BaseMessage[]): BaseMessage[] {
  const edits = new Map<string, { name?: string; args: Record<string, unknown> }>();
  for (const m of messages) {
    const edit = m instanceof ToolMessage ? (m.additional_kwargs?.[EDITED_CALL] as { name?: string; args: Record<string, unknown> } | undefined) : undefined;
    if (edit !== undefined && typeof edit.args === 'object' && edit.args !== null) edits.set((m as ToolMessage).tool_call_id, edit);
  }
  if (edits.size === 0) return [...messages];
  return messages.map((m) => {
    if (!(m instanceof AIMessage) || !(m.tool_calls ?? []).some((c) => c.id !== undefined && edits.has(c.id))) return m;
    const toolCalls = m.tool_calls!.map((c) => {
      const edit = c.id === undefined ? undefined : edits.get(c.id);
      return edit ? { ...c, name: edit.name ?? c.name, args: edit.args } : c;
    });
    return new AIMessage({
      content: m.content, id: m.id, name: m.name, tool_calls: toolCalls, invalid_tool_calls: m.invalid_tool_calls,
      additional_kwargs: m.additional_kwargs, response_metadata: m.response_metadata, usage_metadata: m.usage_metadata,
    });
  });
}
