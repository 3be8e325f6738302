import { approvalResume, type ApprovalDecision } from '../../sources/approvalResume';
import { describe } from '../../internal/validate';
import type { Conversations } from './conversations';
import { checkThread, waiting, type GatedDecisions } from './decisionGate';
import { ChatRequestError } from './errors';

/**
 * One decision as our SSE and WebSocket wires send it: the request's `id` (from the
 * `approval-request` event, or the history's `pendingApprovals`) and what to do with it.
 */
export type WireDecision =
  | { readonly id: string; readonly type: 'approve' }
  | { readonly id: string; readonly type: 'edit'; readonly args: Record<string, unknown> }
  | { readonly id: string; readonly type: 'reject'; readonly message?: string }
  | { readonly id: string; readonly type: 'respond'; readonly value: unknown };

const EXAMPLE = '{"conversationId": "…", "decisions": [{"id": "<request id>", "type": "approve"}]}';
const TYPES = new Set(['approve', 'edit', 'reject', 'respond']);

/** The `decisions` of a request body, checked for shape (400 with what to send); not yet against what waits. */
export function wireDecisionsOf(value: unknown): WireDecision[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 100) {
    throw new ChatRequestError(400, `decisions must be a non-empty array of { id, type } (one per request the conversation waits for), like ${EXAMPLE}; got ${describe(value)}.`);
  }
  return value.map((d: unknown, i) => {
    const at = `decisions[${i}]`;
    const o = d as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ChatRequestError(400, `${at} must be an object like {"id": "<request id>", "type": "approve"}, got ${describe(d)}.`);
    if (typeof o.id !== 'string' || o.id === '') throw new ChatRequestError(400, `${at}.id must be the id of a waiting request (the approval-request event's requests[].id), got ${describe(o.id)}.`);
    if (typeof o.type !== 'string' || !TYPES.has(o.type)) throw new ChatRequestError(400, `${at}.type must be "approve", "edit", "reject" or "respond", got ${describe(o.type)}.`);
    if (o.type === 'edit' && (typeof o.args !== 'object' || o.args === null || Array.isArray(o.args))) throw new ChatRequestError(400, `${at}.args must be the tool's arguments as an object, got ${describe(o.args)}.`);
    if (o.type === 'reject' && o.message !== undefined && typeof o.message !== 'string') throw new ChatRequestError(400, `${at}.message must be a string, got ${describe(o.message)}.`);
    return o as unknown as WireDecision;
  });
}

/**
 * The gate of a decision sent over our SSE route or a WebSocket, under the conversation's lock:
 * every decision must name a request the conversation waits for NOW (else 409: answered already,
 * or never asked), together they must answer all of them as allowed (else 400), and the agent's
 * thread must still be stopped there.
 */
export function wireDecisionGate(conversations: Conversations, conversationId: string, wire: readonly WireDecision[], into: GatedDecisions): () => Promise<void> {
  return async () => {
    const pending = await waiting(conversations, conversationId);
    const decisions = wire.map((d): ApprovalDecision => {
      const request = pending.find((r) => r.id === d.id);
      if (request === undefined) throw new ChatRequestError(409, `No request ${JSON.stringify(d.id)} waits in this conversation (answered already, or never asked); it waits for ${pending.map((r) => r.id).join(', ')}.`);
      const { id: _id, ...rest } = d;
      return { ...rest, request } as ApprovalDecision;
    });
    try {
      approvalResume(decisions); // one decision per request, each allowed, edits with args
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) throw new ChatRequestError(400, error.message.replace(/^approvalResume: /, ''));
      throw error;
    }
    await checkThread(conversations, conversationId, decisions);
    into.decisions = decisions;
  };
}
