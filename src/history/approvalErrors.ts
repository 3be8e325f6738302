import { RxLangChainError } from '../errors';
import type { ApprovalRequestPart } from '../parts/types';

/**
 * A question was sent while the agent run waits for a decision: the thread's last step holds
 * tool calls without results, so a new run there would break. Answer first (`approve`,
 * `reject`, `edit`, `decide`).
 *
 * @example
 * ```ts
 * import { ChatSession, AwaitingDecisionError } from 'rxjs-langchain';
 *
 * async function ask(chat: ChatSession, question: string) {
 *   try {
 *     return await chat.ask(question);
 *   } catch (e) {
 *     if (e instanceof AwaitingDecisionError) return chat.approve();
 *     throw e;
 *   }
 * }
 * ```
 *
 * @see {@link ChatSession}
 *
 * @param requests What the run waits for.
 */
export class AwaitingDecisionError extends RxLangChainError {
  /** What the run waits for. */
  readonly requests: readonly ApprovalRequestPart[];

  constructor(requests: readonly ApprovalRequestPart[]) {
    super(
      'AWAITING_DECISION',
      `The agent run waits for a decision about ${requests.map((r) => r.toolName ?? r.id).join(', ')}: approve, reject or edit it before asking again.`,
    );
    this.requests = requests;
  }
}

/**
 * A decision was given while no approval request is pending (none was made, or it was answered already).
 *
 * @example
 * ```ts
 * import { ChatSession, NoPendingApprovalError } from 'rxjs-langchain';
 *
 * async function approve(chat: ChatSession) {
 *   try {
 *     return await chat.approve();
 *   } catch (e) {
 *     if (e instanceof NoPendingApprovalError) return undefined; // answered already
 *     throw e;
 *   }
 * }
 * ```
 *
 * @see {@link ChatSession}
 */
export class NoPendingApprovalError extends RxLangChainError {
  constructor() {
    super('NO_PENDING_APPROVAL', 'No approval request is pending: there is nothing to approve, reject or edit.');
  }
}
