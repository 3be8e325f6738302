// The SSE mode's decisions: an `approval-request` event names every tool call one interrupt waits
// for; the agent's middleware takes the answers to all of them at once, so the cards of one event
// collect their decisions and the last one sends them (`{ id, type, message? }`, docs/approvals.md).
import type { ApprovalRequestPart } from '../../../src';
import { rejectionMessage, type Decide, type PageDecision } from './approvals';

/** A request as the `approval-request` event (and the history's `pendingApprovals`) carries it: the part's fields, JSON. */
export type WireRequest = Pick<ApprovalRequestPart, 'id'> & Partial<Pick<ApprovalRequestPart, 'toolName' | 'input' | 'value' | 'allowedDecisions'>>;

/** A decision as `POST /api/chat/stream { conversationId, decisions }` takes it: the request's `id`, and what was decided. */
export type WireDecision =
  | { readonly id: string; readonly type: 'approve' }
  | { readonly id: string; readonly type: 'reject'; readonly message: string }
  | { readonly id: string; readonly type: 'edit'; readonly args: Record<string, unknown> };

/** A page decision on the wire (a rejection with the message the agent is told). */
export function toWireDecision(request: WireRequest, decision: PageDecision): WireDecision {
  if (decision.type === 'edit') return { id: request.id, type: 'edit', args: decision.args };
  return decision.type === 'approve' ? { id: request.id, type: 'approve' } : { id: request.id, type: 'reject', message: rejectionMessage(request.toolName ?? '这次', decision.reason) };
}

/**
 * The `decide` of the cards of one interrupt: each card's decision is kept until every request
 * has one, then `send` gets them all in the requests' order. Every card's promise settles with
 * the send; a failed send forgets the decisions, so the cards can be answered again.
 *
 * @param requests The interrupt's requests, in order.
 * @param send Sends the decisions (one SSE turn); resolves once the server took them.
 */
export function decisionBatch(requests: readonly WireRequest[], send: (decisions: WireDecision[]) => Promise<void>): Decide {
  const chosen = new Map<string, PageDecision>();
  let waiting: { resolve(): void; reject(error: unknown): void }[] = [];
  const decide: Decide = (request, decision) =>
    new Promise<void>((resolve, reject) => {
      chosen.set(request.id, decision);
      waiting.push({ resolve, reject });
      if (requests.some((r) => !chosen.has(r.id))) return; // the others are still open
      const settle = waiting;
      waiting = [];
      const decisions = requests.map((r) => toWireDecision(r, chosen.get(r.id)!));
      send(decisions).then(
        () => settle.forEach((w) => w.resolve()),
        (error: unknown) => {
          chosen.clear();
          settle.forEach((w) => w.reject(error));
        },
      );
    });
  // 修改 where the request allows it (the SSE route takes `{ id, type: 'edit', args }`).
  decide.canEdit = (id) => requests.find((r) => r.id === id)?.allowedDecisions?.includes('edit') === true;
  return decide;
}
