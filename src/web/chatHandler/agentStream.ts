import type { BaseMessage } from '@langchain/core/messages';
import { hasCheckpointer } from '../../history/streamAgentTurn';
import type { CommandClass } from '../../history/pendingApprovals';
import { randomId } from '../../internal/id';
import { approvalResume } from '../../sources/approvalResume';
import { fromAgent, type StreamableAgent } from '../../sources/fromAgent';
import type { ChatStream } from './types';

/**
 * The reply of `createChatHandler({ agent })`. With a checkpointer the conversation id is the
 * run's `thread_id`: the thread holds the conversation, so a turn sends its question only (and the
 * system prompt on a new thread), and a decision turn resumes the thread with
 * `new Command({ resume: approvalResume(decisions) })` (decision 0230). Without a checkpointer
 * every run gets the history window and nothing can wait for a decision.
 */
export function agentStream(agent: StreamableAgent<{ messages: BaseMessage[] }>, Command: CommandClass | undefined): ChatStream {
  const threaded = hasCheckpointer(agent);
  return ({ messages, conversationId, decisions }) => {
    // A one-off reply has no conversation; a checkpointer still needs a thread.
    const config = threaded ? { configurable: { thread_id: conversationId ?? randomId('one-off') } } : undefined;
    // The routes refuse a decision before this without a thread or Command (decisionRefusal).
    if (decisions !== undefined && threaded && Command !== undefined) {
      return fromAgent(agent, new Command({ resume: approvalResume(decisions) }) as { messages: BaseMessage[] }, config);
    }
    return fromAgent(agent, { messages: threaded ? threadInput(messages) : messages }, config);
  };
}

/** What a thread gets of a turn's input: the question, after the system prompt only on a thread's first turn. */
function threadInput(messages: readonly BaseMessage[]): BaseMessage[] {
  const question = messages.at(-1)!;
  const before = messages.slice(0, -1);
  return before.every((m) => m.getType() === 'system') ? [...before, question] : [question];
}

/** True when `createChatHandler`'s agent keeps threads (decisions can wait in them). */
export function isThreadedAgent(agent: unknown): boolean {
  return typeof agent === 'object' && agent !== null && hasCheckpointer(agent);
}

/**
 * The interrupts a conversation's thread is stopped at, read from the agent's checkpointer
 * (`agent.getState`); undefined for an agent without threads.
 */
export function threadInterruptsOf(agent: unknown): ((conversationId: string) => Promise<ReadonlySet<string>>) | undefined {
  const stateful = agent as { getState?: (config: object) => Promise<{ tasks?: readonly { interrupts?: readonly { id?: string }[] }[] }> };
  if (!isThreadedAgent(agent) || typeof stateful.getState !== 'function') return undefined;
  return async (conversationId) => {
    const state = await stateful.getState!({ configurable: { thread_id: conversationId } });
    return new Set((state.tasks ?? []).flatMap((task) => (task.interrupts ?? []).flatMap((i) => (typeof i.id === 'string' ? [i.id] : []))));
  };
}
