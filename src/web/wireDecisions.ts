import type { ApprovalRequestPart } from '../parts/types';
import type { ApprovalDecision } from '../sources/approvalResume';
import { describe } from '../internal/validate';

/** A decision as the library's own wires carry it (WebSocket `decide`, SSE demo): the request's `id` and what to do. */
export interface WireDecision {
  /** The approval request's `id` (`<interruptId>:<index>`). */
  readonly id: string;
  readonly type: 'approve' | 'edit' | 'reject' | 'respond';
  /** For `reject`: what the model reads. */
  readonly message?: string;
  /** For `edit`: the arguments the tool runs with. */
  readonly args?: Record<string, unknown>;
  /** For `respond`: the answer to an interrupt that is not a tool approval. */
  readonly value?: unknown;
}

/**
 * Decisions sent over a wire, checked against the requests the conversation waits for: each names
 * a pending request by `id`; an unknown id throws (answered already, or never asked), as does a
 * malformed decision. `problem` builds the error the transport throws (its own error class).
 */
export function decisionsFromWire(raw: unknown, pending: readonly ApprovalRequestPart[], problem: (message: string) => Error): ApprovalDecision[] {
  if (!Array.isArray(raw) || raw.length === 0) throw problem(`"decisions" must be a non-empty array of { id, type }, got ${describe(raw)}.`);
  return raw.map((d: unknown, i): ApprovalDecision => {
    const at = `decisions[${i}]`;
    if (typeof d !== 'object' || d === null) throw problem(`${at} must be an object { id, type }, got ${describe(d)}.`);
    const { id, type, message, args, value } = d as Partial<WireDecision>;
    const request = pending.find((r) => r.id === id);
    if (request === undefined) throw problem(`${at}: no approval request ${JSON.stringify(id)} is waiting (answered already, or never asked).`);
    switch (type) {
      case 'approve':
        return { type, request };
      case 'reject':
        if (message !== undefined && typeof message !== 'string') throw problem(`${at}.message must be a string.`);
        return { type, request, ...(message !== undefined && { message }) };
      case 'edit':
        if (typeof args !== 'object' || args === null || Array.isArray(args)) throw problem(`${at}.args must be an object of tool arguments.`);
        return { type, request, args };
      case 'respond':
        return { type, request, value };
      default:
        throw problem(`${at}.type must be 'approve', 'reject', 'edit' or 'respond', got ${describe(type)}.`);
    }
  });
}
