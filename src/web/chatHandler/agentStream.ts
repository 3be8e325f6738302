import type { BaseMessage } from '@langchain/core/messages';
import { from, switchMap } from 'rxjs';
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
  const state = threadStateOf(agent);
  return ({ messages, conversationId, decisions }) => {
    // A one-off reply has no conversation; a checkpointer still needs a thread.
    const config = threaded ? { configurable: { thread_id: conversationId ?? randomId('one-off') } } : undefined;
    // The routes refuse a decision before this without a thread or Command (decisionRefusal).
    if (decisions !== undefined && threaded && Command !== undefined) {
      const resume = new Command({ resume: approvalResume(decisions) }) as { messages: BaseMessage[] };
      if (state === undefined) return fromAgent(agent, resume, config);
      // A thread whose resume was cut (its instance killed mid-tool) holds the decision taken then: it continues from there (decision 0230).
      return from(state(config!.configurable.thread_id)).pipe(
        switchMap(({ interrupts }) => fromAgent(agent, decisions.some((d) => interrupts.has(d.request.interruptId)) ? resume : (null as unknown as { messages: BaseMessage[] }), config)),
      );
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

/** Where a conversation's agent thread stands: the interrupts it is stopped at, the nodes that run next. */
export interface ThreadState {
  readonly interrupts: ReadonlySet<string>;
  readonly next: readonly string[];
}

/**
 * Reads a conversation's thread from the agent's checkpointer (`agent.getState`); undefined for an
 * agent without threads.
 */
export function threadStateOf(agent: unknown): ((conversationId: string) => Promise<ThreadState>) | undefined {
  const stateful = agent as { getState?: (config: object) => Promise<{ next?: readonly string[]; tasks?: readonly { interrupts?: readonly { id?: string }[] }[] }> };
  if (!isThreadedAgent(agent) || typeof stateful.getState !== 'function') return undefined;
  return async (conversationId) => {
    const state = await stateful.getState!({ configurable: { thread_id: conversationId } });
    const interrupts = new Set((state.tasks ?? []).flatMap((task) => (task.interrupts ?? []).flatMap((i) => (typeof i.id === 'string' ? [i.id] : []))));
    return { interrupts, next: state.next ?? [] };
  };
}
