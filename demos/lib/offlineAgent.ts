/**
 * The offline agent the protocol demos serve (`npm run agent-server`, the web page's 智能体协议
 * mode): the embedded model, the offline tools, and an approval before `python_release`.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { createAgent, humanInTheLoopMiddleware } from 'langchain';
import type { AgentProtocolGraph } from '../../src';
import { REALISTIC_LATENCY, ScriptedChatModel, createOfflineTools } from '../../src/offline';

/** Options of {@link offlineAgent}. */
export interface OfflineAgentOptions {
  /** Offline model latency; default {@link REALISTIC_LATENCY}. Also paces the tools. */
  latency?: { firstChunkDelayMs: number; chunkDelayMs: number };
  /** Another model (a spec's held model, ChatOpenAI); default a `ScriptedChatModel` with `latency`. */
  model?: BaseChatModel;
}

/**
 * The offline agent: `ScriptedChatModel`, the offline tools, an approval before `python_release`.
 *
 * @example
 * ```ts
 * const handler = createAgentProtocolHandler({ graphs: { agent: offlineAgent() } });
 * ```
 * @param options Latency or another model.
 * @returns A `createAgent` agent, as `createAgentProtocolHandler`'s `graphs` take it.
 */
export function offlineAgent(options: OfflineAgentOptions = {}): AgentProtocolGraph {
  const latency = options.latency ?? REALISTIC_LATENCY;
  return createAgent({
    model: options.model ?? new ScriptedChatModel({ ...latency }),
    tools: createOfflineTools({ delayMs: latency.firstChunkDelayMs }),
    middleware: [humanInTheLoopMiddleware({ interruptOn: { python_release: true } })],
  }) as unknown as AgentProtocolGraph;
}
