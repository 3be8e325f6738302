/**
 * The graph both sides of the agent-protocol bench serve: the offline agent (the embedded scripted
 * model and the offline tools, no approval), so a run is model → `python_release` tool → model, the
 * answer streamed token by token. Pacing is the same on both sides: `BENCH_FIRST_CHUNK_MS` before a
 * model call's first chunk (default 20) and `BENCH_CHUNK_MS` between chunks (default 8); both server
 * processes read them from the environment the bench gives them.
 */
import { createAgent } from 'langchain';
import { createOfflineTools, ScriptedChatModel } from '../src/offline';

/** The question every run asks (the offline agent answers it with one tool call). */
export const BENCH_QUESTION = 'Python 3.12 是哪天发布的？';

/** What it streams back (bench/agentProtocol.side.ts counts runs whose streamed text differs). */
export const BENCH_ANSWER = 'Python 3.12 于 2023 年 10 月 2 日发布。 🐍';

/** A fresh agent (each instance of ours builds its own, as separate processes would). */
export function createBenchAgent(): ReturnType<typeof createAgent> {
  const model = new ScriptedChatModel({
    firstChunkDelayMs: Number(process.env.BENCH_FIRST_CHUNK_MS ?? 20),
    chunkDelayMs: Number(process.env.BENCH_CHUNK_MS ?? 8),
  });
  return createAgent({ model, tools: createOfflineTools() });
}

/** What `@langchain/langgraph-api` loads by path (`agentProtocol.graph.ts:agent`). */
export const agent = createBenchAgent();
