import { AwaitingDecisionError } from '../../history/approvalErrors';
import { awaitedRequests } from '../../parts/awaiting';
import type { ApprovalRequestPart } from '../../parts/types';
import type { ApprovalDecision } from '../../sources/approvalResume';
import { ApprovalResponseError } from '../approvalErrors';
import { fromUIApprovals } from '../fromUIApprovals';
import type { Conversations } from './conversations';
import { ChatRequestError } from './errors';

/** The decisions a gate read under the conversation's lock, for the turn that runs next. */
export interface GatedDecisions {
  decisions?: readonly ApprovalDecision[];
  /** The AI SDK's assistant message the continuation updates. */
  messageId?: string;
}

/** What the conversation waits for: the requests its history's last message holds (`markAwaiting`). */
export async function pendingRequests(conversations: Conversations, conversationId: string): Promise<ApprovalRequestPart[]> {
  return awaitedRequests(await conversations.messages(conversationId));
}

/**
 * The gate of a new question: a conversation that waits for a decision takes none (its thread's
 * last step holds calls without results), 409 until the decision is sent.
 */
export function questionGate(conversations: Conversations, conversationId: string): () => Promise<void> {
  return async () => {
    const pending = await pendingRequests(conversations, conversationId);
    if (pending.length > 0) throw new ChatRequestError(409, new AwaitingDecisionError(pending).message);
  };
}

/**
 * The gate of an AI SDK decision turn, under the lock: the approval responses of `messages` must
 * answer what the conversation waits for NOW (a second answer, or one raced by another instance,
 * is a 409), signed when the handler signs; the thread must still be stopped at that interrupt.
 */
export function uiDecisionGate(conversations: Conversations, conversationId: string, messages: unknown, into: GatedDecisions): () => Promise<void> {
  return async () => {
    const pending = await waiting(conversations, conversationId);
    let answer;
    try {
      answer = await fromUIApprovals(messages, { pending, toolApprovalSecret: conversations.config.toolApprovalSecret });
    } catch (error) {
      if (error instanceof ApprovalResponseError) throw new ChatRequestError(error.status, error.message);
      throw error;
    }
    await checkThread(conversations, conversationId, answer!.decisions);
    into.decisions = answer!.decisions;
    into.messageId = answer!.messageId;
  };
}

/** The pending requests, or a 409 when the conversation waits for nothing (answered already, or never asked). */
export async function waiting(conversations: Conversations, conversationId: string): Promise<ApprovalRequestPart[]> {
  const pending = await pendingRequests(conversations, conversationId);
  if (pending.length === 0) throw new ChatRequestError(409, 'This conversation waits for no decision (answered already, or never asked).');
  return pending;
}

/**
 * The checkpointer's word, when the agent keeps threads: the thread must still be stopped at every
 * interrupt answered, or be a resume that was cut (its instance killed mid-tool: the nodes after the
 * interrupt still to run, the decision taken then in the checkpoint, the run continues from there).
 * A thread that has moved on (a history whose save was lost) refuses with a 409.
 */
export async function checkThread(conversations: Conversations, conversationId: string, decisions: readonly ApprovalDecision[]): Promise<void> {
  const thread = await conversations.config.threadState?.(conversationId);
  if (thread === undefined) return;
  if (decisions.some((d) => thread.interrupts.has(d.request.interruptId)) || (thread.interrupts.size === 0 && thread.next.length > 0)) return;
  const first = decisions[0].request;
  throw new ChatRequestError(409, `The agent's thread no longer waits for ${first.toolName ?? 'this request'} (interrupt ${first.interruptId}): it was answered already.`);
}
