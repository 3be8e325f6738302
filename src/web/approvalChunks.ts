import { concatMap, from, of, type MonoTypeOperatorFunction } from 'rxjs';
import type { ApprovalRequestPart, PartOrigin, ToolResultPart } from '../parts/types';
import type { UIMessageChunk } from './uiMessageChunk';
import { signApproval, type ApprovalSecret } from './approvalSignature';

/**
 * An approval request as the library's wires carry it (SSE, WebSocket): the part without `type`,
 * its origin and `argsSchema`. Derived from the part, so a field added there reaches the wire.
 */
export type WireApprovalRequest = Omit<ApprovalRequestPart, 'type' | keyof PartOrigin | 'argsSchema'>;

/** The request's fields for a wire (JSON-safe as the part is). */
export function wireRequest(part: ApprovalRequestPart): WireApprovalRequest {
  const { type: _type, node: _node, namespace: _namespace, argsSchema: _schema, ...rest } = part;
  return rest;
}

/**
 * The UI message stream chunk of an approval request: `tool-approval-request`
 * `{ approvalId, toolCallId }` (the AI SDK client marks the tool part `approval-requested`);
 * none for a request that guards no tool call the client knows (decision 0198).
 */
export function approvalRequestChunk(part: ApprovalRequestPart, announced: ReadonlySet<string>, signature?: string): UIMessageChunk | undefined {
  if (part.toolCallId === undefined || !announced.has(part.toolCallId)) return undefined;
  return { type: 'tool-approval-request', approvalId: part.id, toolCallId: part.toolCallId, ...(signature !== undefined && { signature }) };
}

/** A rejected call's result on the UI message stream: `tool-output-denied` (the client shows the denial, not an error). */
export function deniedChunk(part: ToolResultPart): UIMessageChunk | undefined {
  return part.denied ? { type: 'tool-output-denied', toolCallId: part.id } : undefined;
}

/**
 * Adds the AI SDK signature to each `approval-request` part that guards a known call (Web Crypto is
 * async: those parts wait for it, every other value passes on at once and in order).
 */
export function signApprovalRequests<T>(secret: ApprovalSecret): MonoTypeOperatorFunction<T> {
  return concatMap((value: T) => {
    const part = value as Partial<ApprovalRequestPart> | null;
    if (typeof part !== 'object' || part === null || part.type !== 'approval-request' || part.toolCallId === undefined) return of(value);
    const signed = signApproval(secret, { approvalId: part.id!, toolCallId: part.toolCallId, toolName: part.toolName ?? '', input: part.input ?? {} });
    return from(signed.then((signature) => ({ ...part, signature }) as T));
  });
}
