import { defer, type Observable } from 'rxjs';
import { BaseCallbackHandler, type HandleLLMNewTokenCallbackFields } from '@langchain/core/callbacks/base';
import type { Callbacks } from '@langchain/core/callbacks/manager';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { StreamPart } from '../parts/types';
import { assembleParts } from '../parts/toParts';
import { assertObject, describe } from '../internal/validate';
import { fromAsyncIterableFactory } from './fromAsyncIterableFactory';
import { resumedCallsOf } from './approvalResume';
import { hasFinishMarker } from '../decode/finishReason';

/**
 * What `fromAgent` needs: a compiled LangGraph graph (`StateGraph#compile()`) or a
 * `langchain` `createAgent` agent. Only `stream()` is called, so neither package is
 * loaded by rxjs-langchain.
 */
export interface StreamableAgent<I> {
  // A method (bivariant), so graphs and agents with their own option types fit.
  stream(input: I, options?: Record<string, unknown>): PromiseLike<AsyncIterable<unknown>> | AsyncIterable<unknown>;
}

/** Options of `fromAgent`: a RunnableConfig plus what LangGraph takes (`configurable`, `recursionLimit`, `context` …). */
export type AgentStreamConfig = Partial<RunnableConfig> & Record<string, unknown>;

/** The stream modes `fromAgent` asks for. */
export const AGENT_STREAM_MODES = ['messages', 'updates', 'custom'] as const;

/**
 * A cold Observable of the typed {@link StreamPart}s of one agent or graph run:
 * `agent.stream(input, { streamMode: ['messages', 'updates', 'custom'], subgraphs: true })`
 * turned into parts as it arrives. Model text and reasoning stream as `text` /
 * `reasoning` parts, each model call is a step (`step-start` … `step-finish` with its
 * finish reason and usage), tool calls stream as `tool-call-start` / `tool-call-delta`
 * and end in a `tool-call` with parsed arguments, each tool's answer is a
 * `tool-result`, writes to LangGraph's custom stream writer are `custom` parts, and
 * the run ends with `finish` (the last step's finish reason, summed usage). Parts carry
 * the graph `node` (and `namespace` inside subgraphs).
 *
 * A run that stops for a person's decision (LangGraph's `interrupt()`, e.g. `langchain`'s
 * `humanInTheLoopMiddleware`) emits an `approval-request` part per guarded call and ends
 * with `finish` `'awaiting-decision'` (decision 0195). Resume it on the same thread with
 * `fromAgent(agent, new Command({ resume: approvalResume(decisions) }), config)`: the
 * interrupted message is not streamed again, a rejected call's result is `denied: true`,
 * and teardown still aborts a running tool.
 *
 * LangGraph's `messages` mode drops the finish reason the provider reports (it stays in
 * LangChain's generation info); a callback handler added to the run's `callbacks` puts it
 * back into the chunk's `response_metadata`, as `model.stream()` does, so a step whose
 * stream was cut shows no finish reason (decision 0116).
 *
 * The four laws of a source hold: cold (one run per subscription), lazy, unicast, and
 * teardown aborts the run: the model request is aborted and a running tool sees its
 * `config.signal` abort. An abort of your own `config.signal` errors with
 * `StreamAbortedError`. `streamMode` and `subgraphs` in `config` are replaced.
 *
 * A graph runs on promises, which never settle inside `TestScheduler.run`. Test agents
 * with async/await, in virtual time with a `marbleChatModel` given a `VirtualTimeScheduler`
 * that `flushAsync` (rxjs-langchain/testing) drives (decision 0310).
 *
 * @example
 * ```ts
 * import { createAgent } from 'langchain';
 * import { abortOn, fromAgent, textContent } from 'rxjs-langchain';
 * import { createOfflineTools } from 'rxjs-langchain/offline';
 *
 * const agent = createAgent({ model: 'openai:gpt-4o-mini', tools: createOfflineTools() });
 * fromAgent(agent, { messages: [{ role: 'user', content: 'Python 3.0 哪年发布？再过 16 年是哪年？' }] })
 *   .pipe(textContent(), abortOn(['Java']))
 *   .subscribe((text) => process.stdout.write(text));
 * ```
 *
 * @param agent A compiled graph or a `createAgent` agent.
 * @param input The run's input, e.g. `{ messages: [...] }`.
 * @param config Run options (`configurable`, `recursionLimit`, `signal`, `context` …).
 * @returns An Observable of the run's parts.
 * @see toParts
 * @see collectRun
 */
export function fromAgent<I>(agent: StreamableAgent<I>, input: I, config?: AgentStreamConfig): Observable<StreamPart> {
  if (typeof agent !== 'object' || agent === null || typeof (agent as { stream?: unknown }).stream !== 'function') {
    throw new TypeError(
      `fromAgent: agent must be a compiled LangGraph graph or a createAgent agent (something with stream()), got ${describe(agent)}.`,
    );
  }
  assertObject('fromAgent: config', config);
  const resumed = resumedCallsOf(input);
  const runs = fromAsyncIterableFactory<unknown>(
    (signal) =>
      agent.stream(input, {
        ...config,
        callbacks: withFinishReasons(config?.callbacks as Callbacks | undefined),
        signal,
        streamMode: [...AGENT_STREAM_MODES],
        subgraphs: true,
      }),
    config?.signal,
  );
  return defer(() => assembleParts(runs, resumed));
}

/**
 * Copies the provider's finish marker from a streamed chunk's generation info into its
 * message's `response_metadata` (what core's `model.stream()` does and LangGraph's
 * `messages` mode leaves out). Awaited, so it runs in the same pass as LangGraph's own
 * handler, before the chunk reaches the stream's reader. Stateless: one instance serves
 * every run. Its price is LangChain's dispatch, not this body: any handler in a run's list is
 * called for every token and configured again for every value the streams yield (about 20 % of
 * an offline agent's CPU); a `handleLLMEnd`-only handler costs the same and would miss a node
 * that rebuilds the model's message (decision 0360).
 */
class FinishReasonHandler extends BaseCallbackHandler {
  name = 'rxjs-langchain-finish-reasons';
  override awaitHandlers = true;

  override handleLLMNewToken(
    _token: string, _idx: unknown, _runId: string, _parentRunId?: string, _tags?: string[], fields?: HandleLLMNewTokenCallbackFields,
  ): void {
    const chunk = fields?.chunk as { generationInfo?: Record<string, unknown>; message?: { response_metadata?: unknown } } | undefined;
    const info = chunk?.generationInfo;
    const message = chunk?.message;
    if (info === undefined || message === undefined || !hasFinishMarker(info)) return;
    const meta = typeof message.response_metadata === 'object' && message.response_metadata !== null ? message.response_metadata : {};
    message.response_metadata = { ...info, ...meta };
  }
}

const finishReasons = new FinishReasonHandler();

/** The run's callbacks plus {@link FinishReasonHandler}: an array is extended, a CallbackManager copied. */
function withFinishReasons(callbacks: Callbacks | undefined): Callbacks | undefined {
  if (callbacks === undefined || callbacks === null) return [finishReasons];
  if (Array.isArray(callbacks)) return [...callbacks, finishReasons];
  if (typeof (callbacks as { copy?: unknown }).copy === 'function') return callbacks.copy([finishReasons]);
  return callbacks;
}

