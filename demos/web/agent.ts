/**
 * The web demo's agent mode (`npm run web -- --agent`): every mode chats with an agent whose
 * tools (the offline `add` and `python_release`) wait for a person: `langchain`'s
 * `humanInTheLoopMiddleware` stops the run before a call, the chat handler keeps the conversation
 * waiting (its history, the agent's checkpointer: the chat id is the thread), and the page shows
 * 批准 / 拒绝. The threads live in this process (`MemorySaver`), or in the checkpointer given:
 * with `DATABASE_URL` a `PostgresSaver` that instances behind one Redis share (./threadState.ts).
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessage } from '@langchain/core/messages';
import type { StreamableAgent } from '../../src';
import { createOfflineTools, ScriptedChatModel } from '../../src/offline';
import { AGENT_SYSTEM_PROMPT } from './replies';

type Langchain = typeof import('langchain');
type Langgraph = typeof import('@langchain/langgraph');

/** What `createChatHandler({ agent, Command })` gets for the agent mode. */
export interface GuardedAgent {
  agent: StreamableAgent<{ messages: BaseMessage[] }>;
  /** LangGraph's `Command`: a decision resumes the thread with `new Command({ resume })`. */
  Command: Langgraph['Command'];
}

/**
 * `createAgent` with the offline tools, each guarded (approve, edit or reject), and a checkpointer.
 * Offline, a tool takes as long as the model's first token, so the steps are visible.
 *
 * @example
 * ```ts
 * const { agent, Command } = createGuardedAgent(new ScriptedChatModel());
 * const chat = createChatHandler({ agent, Command });
 * ```
 * @param model The agent's model (the embedded one offline).
 * @param checkpointer Where its threads live (a LangGraph checkpointer). Default a `MemorySaver` of its own.
 * @returns The agent and LangGraph's `Command`.
 */
export function createGuardedAgent(model: BaseChatModel, checkpointer?: unknown): GuardedAgent {
  const { createAgent, humanInTheLoopMiddleware } = require('langchain') as Langchain;
  const { Command, MemorySaver } = require('@langchain/langgraph') as Langgraph;
  const tools = createOfflineTools({ delayMs: model instanceof ScriptedChatModel ? model.firstChunkDelayMs : 0 });
  const interruptOn = Object.fromEntries(tools.map((t) => [t.name, { allowedDecisions: ['approve', 'edit', 'reject'] as ('approve' | 'edit' | 'reject')[] }]));
  const agent = createAgent({
    model,
    tools,
    systemPrompt: AGENT_SYSTEM_PROMPT,
    middleware: [humanInTheLoopMiddleware({ interruptOn })],
    checkpointer: (checkpointer as InstanceType<Langgraph['MemorySaver']> | undefined) ?? new MemorySaver(),
  });
  return { agent: agent as unknown as GuardedAgent['agent'], Command };
}
