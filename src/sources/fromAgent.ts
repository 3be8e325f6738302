import { asyncScheduler, defer, throwError, type Observable } from 'rxjs';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { StreamPart } from '../parts/types';
import { assembleParts } from '../parts/toParts';
import { assertObject, describe } from '../internal/validate';
import { fromAsyncIterableFactory } from './fromAsyncIterableFactory';

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
 * the run ends with `finish` (last finish reason, summed usage). Parts carry the graph
 * `node` (and `namespace` inside subgraphs).
 *
 * The four laws of a source hold: cold (one run per subscription), lazy, unicast, and
 * teardown aborts the run: the model request is aborted and a running tool sees its
 * `config.signal` abort. An abort of your own `config.signal` errors with
 * `StreamAbortedError`. `streamMode` and `subgraphs` in `config` are replaced.
 *
 * A graph runs on promises, which never settle inside `TestScheduler.run`: subscribed
 * there, this errors with a TypeError; run agents in specs with async/await (the
 * marble model and `ScriptedChatModel` make them deterministic).
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
  const runs = fromAsyncIterableFactory<unknown>(
    (signal) => agent.stream(input, { ...config, signal, streamMode: [...AGENT_STREAM_MODES], subgraphs: true }),
    config?.signal,
  );
  return defer(() =>
    inVirtualTime()
      ? throwError(
          () =>
            new TypeError(
              'fromAgent: a graph or agent runs on promises, which never settle inside TestScheduler.run(); ' +
                'subscribe outside run() with async/await, e.g. await lastValueFrom(fromAgent(agent, input).pipe(toArray())).',
            ),
        )
      : assembleParts(runs),
  );
}

/** Under `TestScheduler.run`, `asyncScheduler`'s clock is the virtual one, far from the wall clock. */
function inVirtualTime(): boolean {
  return Math.abs(asyncScheduler.now() - Date.now()) > 60_000;
}
