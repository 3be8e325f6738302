import { AIMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { textOf } from '../../decode/text';
import { awaitedRequests } from '../../parts/awaiting';
import type { ApprovalRequestPart } from '../../parts/types';
import { wireRequest, type WireApprovalRequest } from '../approvalChunks';
import { signApproval, type ApprovalSecret } from '../approvalSignature';

/** A tool call of a stored answer as the AI SDK's client shows it (`tool-<name>` part). */
export interface HistoryToolPart {
  type: `tool-${string}`;
  toolCallId: string;
  input: unknown;
  state: 'approval-requested' | 'output-available' | 'output-error' | 'output-denied';
  output?: unknown;
  errorText?: string;
  /** Set while the call waits for a decision: answer it with `addToolApprovalResponse({ id })`. */
  approval?: { id: string; signature?: string };
}

/** A part of a stored message: text, a step boundary, a tool call. */
export type HistoryUIPart = { type: 'text'; text: string } | { type: 'step-start' } | HistoryToolPart;

/** A stored message as the AI SDK's client shows it (a `UIMessage`). */
export interface HistoryUIMessage {
  id: string;
  role: 'user' | 'assistant';
  parts: HistoryUIPart[];
  metadata?: { partial: true };
}

/**
 * The conversation for `useChat`'s `messages` (`GET {base}/:id/history`): each question, and each
 * answer as ONE assistant message, as the client built it live: an agent run's steps (`step-start` between them),
 * their text and tool calls with their results (`output-available`, `output-error`,
 * `output-denied`), and a call that waits for a decision as `approval-requested` with its
 * `approval.id`, so a reloaded page can still answer it.
 */
export function toUIMessages(messages: readonly BaseMessage[]): HistoryUIMessage[] {
  const out: HistoryUIMessage[] = [];
  const results = new Map<string, ToolMessage>();
  for (const m of messages) if (m instanceof ToolMessage) results.set(m.tool_call_id, m);
  const waiting = new Map(awaitedRequests(messages).map((r) => [r.toolCallId, r]));
  let answer: HistoryUIMessage | undefined;
  messages.forEach((message, i) => {
    const type = message.getType();
    if (type === 'human') {
      answer = undefined;
      out.push({ id: message.id ?? `m${i}`, role: 'user', parts: [{ type: 'text', text: textOf(message) }] });
      return;
    }
    if (!(message instanceof AIMessage)) return; // tool results are shown with their calls
    const parts = answerParts(message, results, waiting);
    if (parts.length === 0) return;
    if (answer === undefined) out.push((answer = { id: message.id ?? `m${i}`, role: 'assistant', parts: [] }));
    // Steps after the first start with a boundary, as the client's own message has them.
    answer.parts.push(...(answer.parts.length > 0 ? [{ type: 'step-start' as const }] : []), ...parts);
    if ((message.response_metadata as { partial?: unknown } | undefined)?.partial === true) answer.metadata = { partial: true };
  });
  return out;
}

/** One stored model step: its text, then its calls that have a result or wait for a decision. */
function answerParts(message: AIMessage, results: ReadonlyMap<string, ToolMessage>, waiting: ReadonlyMap<string | undefined, ApprovalRequestPart>): HistoryUIPart[] {
  const parts: HistoryUIPart[] = [];
  const text = textOf(message);
  if (text !== '') parts.push({ type: 'text', text });
  for (const call of message.tool_calls ?? []) {
    if (call.id === undefined) continue;
    const base = { type: `tool-${call.name}` as const, toolCallId: call.id, input: call.args };
    const result = results.get(call.id);
    const request = waiting.get(call.id);
    if (result !== undefined) parts.push(toolResultPart(base, result));
    else if (request !== undefined) parts.push({ ...base, state: 'approval-requested', approval: { id: request.id } });
  }
  return parts;
}

function toolResultPart(base: Pick<HistoryToolPart, 'type' | 'toolCallId' | 'input'>, result: ToolMessage): HistoryToolPart {
  if ((result.response_metadata as { denied?: unknown } | undefined)?.denied === true) return { ...base, state: 'output-denied' };
  if (result.status === 'error') return { ...base, state: 'output-error', errorText: textOf(result) };
  return { ...base, state: 'output-available', output: result.content };
}

/** What `GET {base}/:id/history` answers. */
export interface HistoryView {
  messages: HistoryUIMessage[];
  /** What the conversation waits for (the SSE `approval-request` event's requests); empty when nothing waits. */
  pendingApprovals: WireApprovalRequest[];
}

/**
 * The history route's body: the messages and what waits for a decision. With a
 * `toolApprovalSecret`, each waiting call's `approval` carries the signature its request had on
 * the stream (an HMAC of the same fields: recomputed, the same), so a reloaded client's answer verifies.
 */
export async function historyView(messages: readonly BaseMessage[], secret: ApprovalSecret | undefined): Promise<HistoryView> {
  const view = toUIMessages(messages);
  const pending = awaitedRequests(messages);
  if (secret !== undefined && pending.length > 0) {
    const byId = new Map(pending.map((r) => [r.id, r]));
    for (const part of view.at(-1)?.parts ?? []) {
      const request = 'approval' in part && part.approval ? byId.get(part.approval.id) : undefined;
      if (request === undefined || !('approval' in part)) continue;
      part.approval = { id: request.id, signature: await signApproval(secret, { approvalId: request.id, toolCallId: part.toolCallId, toolName: request.toolName ?? '', input: request.input ?? {} }) };
    }
  }
  return { messages: view, pendingApprovals: pending.map(wireRequest) };
}
