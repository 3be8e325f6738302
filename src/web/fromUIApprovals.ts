import type { ApprovalRequestPart } from '../parts/types';
import type { ApprovalDecision, ApprovalRequestRef } from '../sources/approvalResume';
import { assertObject, describe } from '../internal/validate';
import { ApprovalResponseError } from './approvalErrors';
import { canonicalJSON, verifyApproval, type ApprovalSecret } from './approvalSignature';

/** Options of {@link fromUIApprovals}. */
export interface FromUIApprovalsOptions {
  /**
   * The requests the conversation waits for (its history's `pendingApprovals`, or what the last run
   * stopped at). When given, an approval id not among them is a 409 (answered already, or never
   * asked), and an approved call whose input the client changed is an `edit` (where allowed).
   */
  pending?: readonly ApprovalRequestPart[];
  /** Verify every response's signature (HMAC-SHA256, the AI SDK's `experimental_toolApprovalSecret`); a missing or wrong one is a 403. */
  toolApprovalSecret?: ApprovalSecret;
}

/** The client's answers to approval requests, read from an AI SDK request. */
export interface UIApprovalResponses {
  /** The assistant message the answers belong to: the continuation updates it (`toUIMessageStream({ messageId })`). */
  readonly messageId: string;
  /** One decision per answered request (`approvalResume`, `ChatSession.decide`). */
  readonly decisions: ApprovalDecision[];
}

type Json = Record<string, unknown>;

/**
 * Reads the approval responses an AI SDK client sends (`addToolApprovalResponse`, resent
 * automatically with `sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses`):
 * not a message of their own, but the last assistant message again, its tool parts in state
 * `approval-responded` with `approval: { id, approved, reason? }`. Each becomes a decision:
 * approved → `approve` (or `edit` when `pending` is given and the client changed the input: a
 * request that does not allow edits is then a 400, and with `toolApprovalSecret` a changed input is
 * a 403 that says so — the client cannot sign it), denied → `reject` with the reason for the model. Resolves undefined when
 * the request carries no approval responses (a new question).
 *
 * @example
 * ```ts
 * import { Command, MemorySaver } from '@langchain/langgraph';
 * import { HumanMessage } from '@langchain/core/messages';
 * import { createAgent, humanInTheLoopMiddleware } from 'langchain';
 * import { approvalResume, fromAgent, fromUIApprovals, toUIMessageStreamResponse } from 'rxjs-langchain';
 * import { createOfflineTools, ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const agent = createAgent({
 *   model: new ScriptedChatModel(), tools: createOfflineTools(), checkpointer: new MemorySaver(),
 *   middleware: [humanInTheLoopMiddleware({ interruptOn: { python_release: true } })],
 * });
 * export async function POST(request: Request): Promise<Response> {
 *   const { id, messages } = (await request.json()) as { id: string; messages: { parts: { type: string; text?: string }[] }[] };
 *   const config = { configurable: { thread_id: id } };
 *   const answer = await fromUIApprovals(messages);
 *   if (answer) {
 *     const resumed = fromAgent(agent, new Command({ resume: approvalResume(answer.decisions) }), config);
 *     return toUIMessageStreamResponse(resumed, { messageId: answer.messageId });
 *   }
 *   const question = messages.at(-1)?.parts.find((p) => p.type === 'text')?.text ?? '';
 *   return toUIMessageStreamResponse(fromAgent(agent, { messages: [new HumanMessage(question)] }, config));
 * }
 * ```
 *
 * @param messages The request body's `messages`, as parsed.
 * @param options `pending` requests to check against, `toolApprovalSecret` to verify signatures.
 * @returns The message id and the decisions, or undefined.
 * @see approvalResume
 * @see toUIMessageStream
 * @see ApprovalResponseError
 */
export async function fromUIApprovals(messages: unknown, options: FromUIApprovalsOptions = {}): Promise<UIApprovalResponses | undefined> {
  assertObject('fromUIApprovals: options', options);
  if (!Array.isArray(messages)) throw new ApprovalResponseError('messages', `must be an array of UIMessages, got ${describe(messages)}`);
  const at = `messages[${messages.length - 1}]`;
  const last: unknown = messages.at(-1);
  if (!isObject(last) || last.role !== 'assistant' || !Array.isArray(last.parts)) return undefined;
  const answered = last.parts.flatMap((part: unknown, p) => (isObject(part) && part.state === 'approval-responded' ? [[part, `${at}.parts[${p}]`] as const] : []));
  if (answered.length === 0) return undefined;
  if (typeof last.id !== 'string' || last.id === '') throw new ApprovalResponseError(`${at}.id`, `must be the assistant message's id, got ${describe(last.id)}`);
  const perInterrupt = new Map<string, number>();
  const parsed = answered.map(([part, where]) => {
    const response = parse(part, where);
    perInterrupt.set(response.interruptId, (perInterrupt.get(response.interruptId) ?? 0) + 1);
    return response;
  });
  const decisions: ApprovalDecision[] = [];
  for (const r of parsed) {
    const pending = options.pending?.find((q) => q.id === r.approvalId);
    if (options.toolApprovalSecret !== undefined) await verify(options.toolApprovalSecret, r, pending);
    if (options.pending !== undefined && pending === undefined) {
      throw new ApprovalResponseError(`${r.where}.approval.id`, `no approval request ${JSON.stringify(r.approvalId)} is waiting (answered already, or never asked)`, 409);
    }
    const request: ApprovalRequestRef = pending ?? {
      interruptId: r.interruptId, index: r.index, count: perInterrupt.get(r.interruptId)!, toolCallId: r.toolCallId, toolName: r.toolName,
    };
    decisions.push(decisionOf(r, request, pending));
  }
  return { messageId: last.id, decisions };
}

interface Response {
  readonly where: string;
  readonly approvalId: string;
  readonly interruptId: string;
  readonly index: number;
  readonly toolCallId: string;
  readonly toolName: string;
  readonly input: unknown;
  readonly approved: boolean;
  readonly reason?: string;
  readonly signature?: string;
}

function parse(part: Json, where: string): Response {
  const type = typeof part.type === 'string' ? part.type : '';
  const toolName = type === 'dynamic-tool' ? part.toolName : type.startsWith('tool-') ? type.slice('tool-'.length) : undefined;
  if (typeof toolName !== 'string' || toolName === '') throw new ApprovalResponseError(`${where}.type`, `an approval response belongs to a tool part, got ${describe(part.type)}`);
  if (typeof part.toolCallId !== 'string') throw new ApprovalResponseError(`${where}.toolCallId`, `must be a string, got ${describe(part.toolCallId)}`);
  const approval = part.approval;
  if (!isObject(approval) || typeof approval.id !== 'string' || typeof approval.approved !== 'boolean') {
    throw new ApprovalResponseError(`${where}.approval`, `must be { id, approved, reason? }, got ${describe(approval)}`);
  }
  const match = /^(.+):(\d+)$/.exec(approval.id);
  if (!match) throw new ApprovalResponseError(`${where}.approval.id`, `is not an approval id of this server, got ${describe(approval.id)}`);
  return {
    where, approvalId: approval.id, interruptId: match[1], index: Number(match[2]), toolCallId: part.toolCallId, toolName, input: part.input,
    approved: approval.approved,
    ...(typeof approval.reason === 'string' && approval.reason !== '' && { reason: approval.reason }),
    ...(typeof approval.signature === 'string' && { signature: approval.signature }),
  };
}

async function verify(secret: ApprovalSecret, r: Response, pending: ApprovalRequestPart | undefined): Promise<void> {
  if (r.signature === undefined) throw new ApprovalResponseError(`${r.where}.approval.signature`, 'missing: this server signs its approval requests', 403);
  const ok = await verifyApproval(secret, r.signature, { approvalId: r.approvalId, toolCallId: r.toolCallId, toolName: r.toolName, input: r.input });
  if (ok) return;
  if (pending !== undefined && inputEdited(r, pending)) {
    // Decision 0286: the client cannot sign an input of its own; an edit over this wire needs signing off.
    throw new ApprovalResponseError(
      `${r.where}.input`,
      'was edited, but this server signs its approval requests (toolApprovalSecret) and a signature binds the input as asked: approve or reject the call as it was asked, or answer with an edit decision over another wire',
      403,
    );
  }
  throw new ApprovalResponseError(`${r.where}.approval.signature`, 'does not match the approval request (its call or input changed)', 403);
}

/** True when the client sent back another input than the request asked about (the page's 修改). */
function inputEdited(r: Response, pending: ApprovalRequestPart): boolean {
  return pending.input !== undefined && isObject(r.input) && canonicalJSON(r.input) !== canonicalJSON(pending.input);
}

function decisionOf(r: Response, request: ApprovalRequestRef, pending: ApprovalRequestPart | undefined): ApprovalDecision {
  if (!r.approved) return { type: 'reject', request, ...(r.reason !== undefined && { message: `The user denied this tool call: ${r.reason}` }) };
  if (pending === undefined || !inputEdited(r, pending)) return { type: 'approve', request };
  // Never run the call as asked when the person changed it: an edit the request does not allow is refused.
  if (!pending.allowedDecisions.includes('edit')) {
    throw new ApprovalResponseError(`${r.where}.input`, `was edited, but this request allows only ${pending.allowedDecisions.map((d) => JSON.stringify(d)).join(', ')}`);
  }
  return { type: 'edit', request, args: r.input as Record<string, unknown> };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
