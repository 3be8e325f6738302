import type { ApprovalDecisionType } from '../parts/types';
import { describe } from '../internal/validate';

/** A guarded call as `langchain`'s HITL middleware describes it. */
export interface MarbleActionRequest {
  readonly name: string;
  readonly args: Record<string, unknown>;
  readonly description?: string;
  /** Default: approve, edit and reject. */
  readonly allowedDecisions?: readonly Exclude<ApprovalDecisionType, 'respond'>[];
}

/** What LangGraph's stream yields at a HITL interrupt: `['updates', { __interrupt__: [{ id, value }] }]`. */
export type MarbleInterrupt = readonly ['updates', { readonly __interrupt__: readonly [{ readonly id: string; readonly value: unknown }] }];

/**
 * The interrupt of `langchain`'s `humanInTheLoopMiddleware` as a marble value: the
 * `['updates', { __interrupt__: [{ id, value: { actionRequests, reviewConfigs } }] }]` tuple an agent
 * stream yields when it stops before guarded calls. After a model step that made those calls,
 * `toParts()` turns it into `approval-request` parts (their `toolCallId`s matched to the calls) and
 * the run's `finish` into `'awaiting-decision'` — in virtual time, no graph needed.
 *
 * @example
 * ```ts
 * import { concat } from 'rxjs';
 * import { TestScheduler } from 'rxjs/testing';
 * import { fromRunnable, toParts, type StreamPart } from 'rxjs-langchain';
 * import { hitlInterrupt, marbleChatModel, toolCallChunk } from 'rxjs-langchain/testing';
 *
 * const parts: StreamPart[] = [];
 * new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold }) => {
 *   const call = toolCallChunk({ id: 'call_1', name: 'send_email', args: { to: 'ada@example.com' } });
 *   const model = marbleChatModel('-a|', { a: call });
 *   const interrupt = hitlInterrupt([{ name: 'send_email', args: { to: 'ada@example.com' } }], { id: 'i1' });
 *   concat(fromRunnable(model, '发邮件'), cold('-i|', { i: interrupt })).pipe(toParts()).subscribe((p) => parts.push(p));
 * });
 * // …, { type: 'approval-request', id: 'i1:0', toolCallId: 'call_1', … }, { type: 'finish', finishReason: 'awaiting-decision' }
 * ```
 *
 * @param requests The guarded calls, in the order of the model's message.
 * @param options `id`: the interrupt's id (default `'interrupt-1'`).
 * @returns The stream value.
 * @see toolCallChunk
 * @see marbleChatModel
 */
export function hitlInterrupt(requests: readonly MarbleActionRequest[], options: { id?: string } = {}): MarbleInterrupt {
  if (!Array.isArray(requests) || requests.length === 0) {
    throw new TypeError(`hitlInterrupt: requests must be a non-empty array of { name, args }, got ${describe(requests)}.`);
  }
  const actionRequests = requests.map((r) => ({ name: r.name, args: r.args, ...(r.description !== undefined && { description: r.description }) }));
  const reviewConfigs = requests.map((r) => ({ actionName: r.name, allowedDecisions: [...(r.allowedDecisions ?? ['approve', 'edit', 'reject'])] }));
  return ['updates', { __interrupt__: [{ id: options.id ?? 'interrupt-1', value: { actionRequests, reviewConfigs } }] }];
}
