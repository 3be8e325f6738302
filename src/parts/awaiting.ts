import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ApprovalRequestPart } from './types';

/**
 * The messages of a run that stopped for a decision, the `AIMessage` holding the guarded
 * calls marked `response_metadata.awaiting_decision: true` with the requests
 * (`approval_requests`, plain data), so a history shows the wait and a reload can offer the
 * decision again (decision 0197). Unchanged when there are no requests.
 */
export function markAwaiting(messages: BaseMessage[], requests: readonly ApprovalRequestPart[]): BaseMessage[] {
  if (requests.length === 0) return messages;
  const ids = new Set(requests.map((r) => r.toolCallId).filter((id): id is string => id !== undefined));
  let at = -1;
  for (let i = messages.length - 1; i >= 0 && at < 0; i--) {
    const m = messages[i];
    if (m instanceof AIMessage && (ids.size === 0 || (m.tool_calls ?? []).some((c) => c.id !== undefined && ids.has(c.id)))) at = i;
  }
  if (at < 0) return messages;
  const m = messages[at] as AIMessage;
  const marked = new AIMessage({
    content: m.content,
    tool_calls: m.tool_calls,
    invalid_tool_calls: m.invalid_tool_calls,
    additional_kwargs: m.additional_kwargs,
    usage_metadata: m.usage_metadata,
    response_metadata: { ...m.response_metadata, awaiting_decision: true, approval_requests: requests.map(plainRequest) },
  });
  return [...messages.slice(0, at), marked, ...messages.slice(at + 1)];
}

/** The request as JSON-safe data (what a history store can keep). */
function plainRequest(r: ApprovalRequestPart): Record<string, unknown> {
  return JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
}

/** The approval requests a history's last message is waiting on (what {@link markAwaiting} stored); empty when it waits for none. */
export function awaitedRequests(messages: readonly BaseMessage[]): ApprovalRequestPart[] {
  const last = messages.at(-1);
  const meta = last instanceof AIMessage ? (last.response_metadata as Record<string, unknown>) : undefined;
  if (meta?.awaiting_decision !== true || !Array.isArray(meta.approval_requests)) return [];
  return meta.approval_requests as ApprovalRequestPart[];
}
