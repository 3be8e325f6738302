import { HumanMessage, type BaseMessage } from '@langchain/core/messages';
import type { ApprovalDecision } from '../sources/approvalResume';
import { describe } from '../internal/validate';
import type { DecisionTurn } from './types';
import { markEdits } from './editedCalls';

/** The decisions of a {@link DecisionTurn}; undefined for a question. Throws a TypeError for anything else. */
export function decisionTurnOf(input: unknown): readonly ApprovalDecision[] | undefined {
  if (typeof input === 'string') return undefined;
  const decisions = (input as DecisionTurn | null)?.decisions;
  if (typeof input !== 'object' || input === null || !Array.isArray(decisions) || decisions.length === 0) {
    const hint = typeof input === 'object' && input !== null ? ' or a decision turn { decisions: [...] }' : '';
    throw new TypeError(`chatTurns: each question must be a string${hint}, got ${describe(input)}.`);
  }
  return decisions;
}

/**
 * What a turn appends to the history: the question and its messages; a decision turn adds its
 * messages only (its question was saved when the run stopped), each edited call's result marked
 * with the call as it ran (`markEdits`, decision 0287).
 */
export function savedAfterQuestion(question: string, decisions: readonly ApprovalDecision[] | undefined, messages: BaseMessage[]): BaseMessage[] {
  return decisions === undefined ? [new HumanMessage(question), ...messages] : markEdits(messages, decisions);
}
