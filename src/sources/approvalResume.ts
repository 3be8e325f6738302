import type { ApprovalDecisionType, ApprovalRequestPart } from '../parts/types';
import type { ResumedCalls } from '../decode/assembly/interrupts';
import { describe } from '../internal/validate';

/** What a decision needs of its request: an `approval-request` part, or these fields of one (e.g. read back from a client). */
export type ApprovalRequestRef = Pick<ApprovalRequestPart, 'interruptId' | 'index'> &
  Partial<Pick<ApprovalRequestPart, 'count' | 'toolCallId' | 'toolName' | 'allowedDecisions'>>;

/**
 * A person's decision about one approval request: run the call as it is (`approve`), run it
 * with other arguments (`edit`; `name` defaults to the request's tool), do not run it and
 * tell the model why (`reject`), or answer an interrupt that is not a tool approval (`respond`).
 */
export type ApprovalDecision =
  | { readonly type: 'approve'; readonly request: ApprovalRequestRef }
  | { readonly type: 'edit'; readonly request: ApprovalRequestRef; readonly args: Record<string, unknown>; readonly name?: string }
  | { readonly type: 'reject'; readonly request: ApprovalRequestRef; readonly message?: string }
  | { readonly type: 'respond'; readonly request: ApprovalRequestRef; readonly value: unknown };

/** The resume values `approvalResume` made, and the tool calls they answer (read by `fromAgent`). */
const resumedCalls = new WeakMap<object, ResumedCalls>();

/**
 * The `resume` value of LangGraph's `new Command({ resume })` for a set of decisions, in
 * `langchain`'s HITL format and keyed by interrupt id: `{ [interruptId]: { decisions: [...] } }`
 * (`{ type: 'approve' }`, `{ type: 'edit', editedAction: { name, args } }`,
 * `{ type: 'reject', message }`, in the order of the interrupt's requests), or the `respond`
 * value itself for other interrupts. Every request of an interrupt needs its decision (the
 * middleware answers them together). `fromAgent` recognises the value when it resumes the
 * run: the interrupted message is not streamed again and a rejected call's result is
 * `denied: true` (decision 0196).
 *
 * @example
 * ```ts
 * import { lastValueFrom, toArray } from 'rxjs';
 * import { Command, MemorySaver } from '@langchain/langgraph';
 * import { createAgent, humanInTheLoopMiddleware } from 'langchain';
 * import { approvalResume, fromAgent, type ApprovalRequestPart } from 'rxjs-langchain';
 * import { createOfflineTools, ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const agent = createAgent({
 *   model: new ScriptedChatModel(), tools: createOfflineTools(), checkpointer: new MemorySaver(),
 *   middleware: [humanInTheLoopMiddleware({ interruptOn: { python_release: true } })],
 * });
 * const config = { configurable: { thread_id: 'chat-1' } };
 * const parts = await lastValueFrom(fromAgent(agent, { messages: [{ role: 'user', content: 'Python 3.0 是哪年发布的？' }] }, config).pipe(toArray()));
 * const request = parts.find((p): p is ApprovalRequestPart => p.type === 'approval-request')!;
 * fromAgent(agent, new Command({ resume: approvalResume([{ type: 'approve', request }]) }), config)
 *   .subscribe((part) => part.type === 'text' && process.stdout.write(part.text));
 * ```
 *
 * @param decisions One decision per request of the interrupts being answered.
 * @returns The value for `new Command({ resume })`.
 * @see fromAgent
 * @see ApprovalRequestPart
 */
export function approvalResume(decisions: ApprovalDecision | readonly ApprovalDecision[]): Record<string, unknown> {
  const list: readonly ApprovalDecision[] = Array.isArray(decisions) ? decisions : [decisions as ApprovalDecision];
  if (list.length === 0) throw new TypeError('approvalResume: give at least one decision.');
  const byInterrupt = new Map<string, ApprovalDecision[]>();
  list.forEach((d, i) => {
    checkDecision(d, i);
    const group = byInterrupt.get(d.request.interruptId) ?? [];
    group.push(d);
    byInterrupt.set(d.request.interruptId, group);
  });
  const value: Record<string, unknown> = {};
  for (const [interruptId, group] of byInterrupt) {
    group.sort((a, b) => a.request.index - b.request.index);
    const count = group[0].request.count ?? group.length;
    if (group.length !== count || group.some((d, i) => d.request.index !== i)) {
      throw new TypeError(
        `approvalResume: interrupt ${interruptId} holds ${count} approval request(s) (indexes 0…${count - 1}); ` +
          `give exactly one decision for each, got indexes ${group.map((d) => d.request.index).join(', ')}.`,
      );
    }
    if (group[0].type === 'respond') {
      if (group.length !== 1) throw new TypeError(`approvalResume: a 'respond' decision answers an interrupt of one request (${interruptId}).`);
      value[interruptId] = group[0].value;
      continue;
    }
    value[interruptId] = { decisions: group.map(hitlDecision) };
  }
  resumedCalls.set(value, resumedCallsOfDecisions(list));
  return value;
}

/** The tool calls `decisions` answer, and which of them are rejected. */
export function resumedCallsOfDecisions(decisions: readonly ApprovalDecision[]): ResumedCalls {
  const calls = new Set<string>();
  const rejected = new Set<string>();
  for (const d of decisions) {
    const id = d?.request?.toolCallId;
    if (id === undefined) continue;
    calls.add(id);
    if (d.type === 'reject') rejected.add(id);
  }
  return { calls, rejected };
}

/** The tool calls a resume input answers: a LangGraph `Command` whose `resume` came from {@link approvalResume}. */
export function resumedCallsOf(input: unknown): ResumedCalls | undefined {
  if (typeof input !== 'object' || input === null || (input as { lg_name?: unknown }).lg_name !== 'Command') return undefined;
  return resumedCallsOfResume((input as { resume?: unknown }).resume);
}

/** The tool calls a resume value answers, when {@link approvalResume} made it (read by `fromAgentServer`'s `respond`). */
export function resumedCallsOfResume(value: unknown): ResumedCalls | undefined {
  return typeof value === 'object' && value !== null ? resumedCalls.get(value) : undefined;
}

const TYPES: ReadonlySet<string> = new Set<ApprovalDecisionType>(['approve', 'edit', 'reject', 'respond']);

function checkDecision(d: ApprovalDecision, i: number): void {
  const at = `approvalResume: decisions[${i}]`;
  if (typeof d !== 'object' || d === null) throw new TypeError(`${at} must be a decision object, got ${describe(d)}.`);
  if (!TYPES.has(d.type)) throw new TypeError(`${at}.type must be 'approve', 'edit', 'reject' or 'respond', got ${describe(d.type)}.`);
  const r = d.request;
  if (typeof r !== 'object' || r === null || typeof r.interruptId !== 'string' || !Number.isInteger(r.index) || r.index < 0) {
    throw new TypeError(`${at}.request must be the approval-request part (or { interruptId, index }), got ${describe(r)}.`);
  }
  if (r.allowedDecisions !== undefined && !r.allowedDecisions.includes(d.type)) {
    throw new RangeError(`${at}: '${d.type}' is not allowed for ${r.toolName ?? 'this request'}; allowed: ${r.allowedDecisions.join(', ')}.`);
  }
  if (d.type === 'edit') {
    if (typeof d.args !== 'object' || d.args === null || Array.isArray(d.args)) throw new TypeError(`${at}.args must be an object of tool arguments, got ${describe(d.args)}.`);
    if ((d.name ?? r.toolName) === undefined) throw new TypeError(`${at}: an edit needs the tool's name (request.toolName or name).`);
  }
  if (d.type === 'reject' && d.message !== undefined && typeof d.message !== 'string') {
    throw new TypeError(`${at}.message must be a string, got ${describe(d.message)}.`);
  }
}

function hitlDecision(d: ApprovalDecision): Record<string, unknown> {
  switch (d.type) {
    case 'approve':
      return { type: 'approve' };
    case 'edit':
      return { type: 'edit', editedAction: { name: d.name ?? d.request.toolName, args: d.args } };
    case 'reject':
      return d.message === undefined ? { type: 'reject' } : { type: 'reject', message: d.message };
    default:
      throw new TypeError(`approvalResume: a 'respond' decision cannot share an interrupt with tool decisions (${d.request.interruptId}).`);
  }
}
