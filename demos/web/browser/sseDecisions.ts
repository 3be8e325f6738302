// The SSE mode's decisions: an `approval-request` event names every tool call one interrupt waits
// for; the agent's middleware takes the answers to all of them at once, so the cards of one event
// collect their decisions and the last one sends them, in the library's `ApprovalDecision` shape.
import type { ApprovalDecision, ApprovalRequestPart } from '../../../src';
import type { Decide, PageDecision } from './approvals';

/** A request as the `approval-request` event carries it (the part's fields, JSON). */
export type WireRequest = Pick<ApprovalRequestPart, 'id' | 'interruptId' | 'index'> & Partial<Pick<ApprovalRequestPart, 'toolName' | 'input' | 'value' | 'allowedDecisions'>>;

/** A request read back from an approval id alone (`<interruptId>:<index>`, the id of every approval request). */
export function wireRequestOfId(id: string): WireRequest {
  const cut = id.lastIndexOf(':');
  return { id, interruptId: id.slice(0, cut), index: Number(id.slice(cut + 1)) };
}

/** A page decision as the library's `ApprovalDecision` (its `request` named by `{ interruptId, index }`). */
export function toApprovalDecision(request: WireRequest, decision: PageDecision): ApprovalDecision {
  const ref = { interruptId: request.interruptId, index: request.index };
  return decision.type === 'approve'
    ? { type: 'approve', request: ref }
    : { type: 'reject', request: ref, ...(decision.reason !== undefined && { message: decision.reason }) };
}

/**
 * The `decide` of the cards of one interrupt: each card's decision is kept until every request
 * has one, then `send` gets them all in the requests' order. Every card's promise settles with
 * the send; a failed send forgets the decisions, so the cards can be answered again.
 *
 * @param requests The interrupt's requests, in order.
 * @param send Sends the decisions (one SSE turn); resolves once the server took them.
 */
export function decisionBatch(requests: readonly WireRequest[], send: (decisions: ApprovalDecision[]) => Promise<void>): Decide {
  const chosen = new Map<string, PageDecision>();
  let waiting: { resolve(): void; reject(error: unknown): void }[] = [];
  return (request, decision) =>
    new Promise<void>((resolve, reject) => {
      chosen.set(request.id, decision);
      waiting.push({ resolve, reject });
      if (requests.some((r) => !chosen.has(r.id))) return; // the others are still open
      const settle = waiting;
      waiting = [];
      const decisions = requests.map((r) => toApprovalDecision(r, chosen.get(r.id)!));
      send(decisions).then(
        () => settle.forEach((w) => w.resolve()),
        (error: unknown) => {
          chosen.clear();
          settle.forEach((w) => w.reject(error));
        },
      );
    });
}
