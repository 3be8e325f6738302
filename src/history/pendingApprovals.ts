import type { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import { awaitedRequests } from '../parts/awaiting';
import type { ApprovalRequestPart } from '../parts/types';
import type { ApprovalDecision } from '../sources/approvalResume';
import { isSyncMessageStore } from './SyncInMemoryChatMessageHistory';
import { AwaitingDecisionError, NoPendingApprovalError } from './approvalErrors';
import type { DecisionTurn, TurnEvent } from './types';

/** LangGraph's `Command` class, as far as a resume needs it. */
export type CommandClass = new (args: { resume: unknown }) => unknown;

/**
 * What a `ChatSession` waits for: set by an `awaiting` turn, read back from the history's last
 * message at start (a reload), consumed by a decision turn and given back when that turn fails.
 */
export class PendingApprovals {
  private requests: readonly ApprovalRequestPart[] = [];
  private inFlight: readonly ApprovalRequestPart[] | undefined;

  constructor(history: BaseListChatMessageHistory, private readonly Command: CommandClass | undefined) {
    if (isSyncMessageStore(history)) this.requests = awaitedRequests(history.getMessagesSync());
    else {
      history.getMessages().then(
        (messages) => {
          if (this.requests.length === 0 && this.inFlight === undefined) this.requests = awaitedRequests(messages);
        },
        () => undefined, // the first turn reports a failing store
      );
    }
  }

  get pending(): readonly ApprovalRequestPart[] {
    return this.requests;
  }

  assertNoneWaiting(): void {
    if (this.requests.length > 0) throw new AwaitingDecisionError(this.requests);
  }

  /** The turn that answers the pending requests; throws when nothing is pending or `Command` is missing. */
  decisionTurn(decisions: readonly ApprovalDecision[]): DecisionTurn {
    if (this.requests.length === 0 || decisions.length === 0) throw new NoPendingApprovalError();
    if (this.Command === undefined) {
      throw new TypeError("ChatSession: pass options.Command (import { Command } from '@langchain/langgraph') to answer approval requests.");
    }
    this.inFlight = this.requests;
    this.requests = [];
    return { decisions };
  }

  /** A turn ended. */
  settle(event: TurnEvent): void {
    if (event.type === 'awaiting') this.requests = event.requests;
    else if (event.type === 'error' && this.inFlight !== undefined && this.requests.length === 0) this.requests = this.inFlight;
    if (event.type !== 'chunk') this.inFlight = undefined;
  }
}
