import type { Observable } from 'rxjs';
import { HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { fromAgent, type AgentStreamConfig, type StreamableAgent } from '../sources/fromAgent';
import type { StreamPart } from '../parts/types';
import { assertObject, describe } from '../internal/validate';
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
 * @param config Run options for every turn (`recursionLimit`, `configurable`, `context` …), as `fromAgent` takes them.
 * @returns A function streaming one turn's run as parts.
 */
export function streamAgentTurn(
  agent: StreamableAgent<MessagesInput>,
  config?: AgentStreamConfig,
): (input: TurnInput) => Observable<StreamPart> {
  if (typeof agent !== 'object' || agent === null || typeof (agent as { stream?: unknown }).stream !== 'function') {
    throw new TypeError(
      `streamAgentTurn: agent must be a createAgent agent or a compiled LangGraph graph (something with stream()), got ${describe(agent)}.`,
    );
  }
  assertObject('streamAgentTurn: config', config);
  return ({ history, question }) => fromAgent(agent, { messages: [...history, new HumanMessage(question)] }, config);
}
