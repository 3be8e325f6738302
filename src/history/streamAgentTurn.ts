import type { Observable } from 'rxjs';
import { HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { fromAgent, type AgentStreamConfig, type StreamableAgent } from '../sources/fromAgent';
import type { StreamPart } from '../parts/types';
import { assertFunction, assertObject, describe } from '../internal/validate';
import { approvalResume } from '../sources/approvalResume';
import type { CommandClass } from './pendingApprovals';
import type { TurnInput } from './types';

/** The input of an agent that `streamAgentTurn` runs: a `createAgent` agent or a graph over `MessagesAnnotation`. */
export interface MessagesInput {
  messages: BaseMessage[];
}

/**
 * A `streamTurn` for `chatTurns` that runs an agent: each turn is one run of
 * `agent` over `{ messages: [...history, question] }`, streamed as parts with
 * {@link fromAgent}. The turn saves the whole run (the `AIMessage`s with their
 * tool calls, the `ToolMessage`s, the answer) once every step proved it finished;
 * a stopped or cut run never saves a tool call without its result (decision 0117).
 * The system prompt belongs to the agent (`createAgent({ systemPrompt })`).
 *
 * @example
 * ```ts
 * import { Subject } from 'rxjs';
 * import { createAgent } from 'langchain';
 * import { chatTurns, streamAgentTurn } from 'rxjs-langchain';
 * import { createOfflineTools, ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
 * const questions$ = new Subject<string>();
 * questions$.pipe(chatTurns(streamAgentTurn(agent))).subscribe((e) => {
 *   if (e.type === 'chunk' && e.part?.type === 'tool-call') console.log(`\n🔧 ${e.part.name}`, e.part.args);
 *   if (e.type === 'chunk') process.stdout.write(e.text);
 *   if (e.type === 'done') console.log(`\n${e.messages.length} messages saved`);
 * });
 * questions$.next('Python 3.0 是哪一年发布的？再过 16 年是哪一年？');
 * ```
 *
 * @see {@link chatTurns}
 * @see {@link ChatSession}, which takes `{ agent }`.
 * @see {@link fromAgent}
 *
 * @param agent A `createAgent` agent or a compiled graph whose input is `{ messages }`.
 * With a `configurable.thread_id` in `config` and an agent that has a checkpointer, the
 * thread holds the conversation and each turn sends only its question. A decision turn
 * (`TurnInput.decisions`) resumes the run that stopped for approval with
 * `new Command({ resume: approvalResume(decisions) })` (decision 0197).
 *
 * @param config Run options for every turn (`recursionLimit`, `configurable`, `context` …), as `fromAgent` takes them.
 * @param options `Command`: LangGraph's class, for decision turns.
 * @returns A function streaming one turn's run as parts.
 */
export function streamAgentTurn(
  agent: StreamableAgent<MessagesInput>,
  config?: AgentStreamConfig,
  options: StreamAgentTurnOptions = {},
): (input: TurnInput) => Observable<StreamPart> {
  if (typeof agent !== 'object' || agent === null || typeof (agent as { stream?: unknown }).stream !== 'function') {
    throw new TypeError(
      `streamAgentTurn: agent must be a createAgent agent or a compiled LangGraph graph (something with stream()), got ${describe(agent)}.`,
    );
  }
  assertObject('streamAgentTurn: config', config);
  assertObject('streamAgentTurn: options', options);
  const { Command } = options;
  assertFunction('streamAgentTurn: options.Command', Command, true);
  // The thread's checkpoint holds the conversation: sending the history again would repeat it.
  const threaded = hasCheckpointer(agent) && (config?.configurable as { thread_id?: unknown } | undefined)?.thread_id !== undefined;
  return ({ history, question, decisions }) => {
    if (decisions !== undefined) {
      if (Command === undefined) {
        throw new TypeError("streamAgentTurn: a decision turn resumes with LangGraph's Command: pass { Command } (import { Command } from '@langchain/langgraph').");
      }
      return fromAgent(agent, new Command({ resume: approvalResume(decisions) }) as unknown as MessagesInput, config);
    }
    return fromAgent(agent, { messages: threaded ? [new HumanMessage(question)] : [...history, new HumanMessage(question)] }, config);
  };
}

/** Options of {@link streamAgentTurn}. */
export interface StreamAgentTurnOptions {
  /** LangGraph's `Command` class, for decision turns (`new Command({ resume: approvalResume(decisions) })`). */
  Command?: CommandClass;
}

/** A compiled graph's or `createAgent` agent's checkpointer (false or undefined when it has none). */
export function hasCheckpointer(agent: object): boolean {
  const checkpointer = (agent as { checkpointer?: unknown }).checkpointer;
  return typeof checkpointer === 'object' && checkpointer !== null;
}
