import type { Observable } from 'rxjs';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { StreamEvent } from '@langchain/core/tracers/log_stream';
import { assertObject, describe } from '../internal/validate';
import { fromAsyncIterableFactory } from './fromAsyncIterableFactory';

/** The part of a LangChain `Runnable` that `fromStreamEvents` needs. */
export interface StreamEventsRunnable<I> {
  streamEvents(
    input: I,
    options: Partial<RunnableConfig> & { version: 'v2' },
  ): AsyncIterable<StreamEvent>;
}

/** Options of `fromStreamEvents`: a RunnableConfig plus the event filters LangChain accepts. */
export type StreamEventsConfig = Partial<RunnableConfig> & {
  includeNames?: string[];
  includeTypes?: string[];
  includeTags?: string[];
  excludeNames?: string[];
  excludeTypes?: string[];
  excludeTags?: string[];
};

/**
 * A cold Observable of `runnable.streamEvents(input, { version: 'v2' })`, with
 * the same four laws as `fromRunnable` (cold, lazy, unicast, teardown aborts).
 * The event schema version is pinned to v2 so a LangChain upgrade cannot
 * silently change what subscribers receive.
 *
 * @example
 * ```ts
 * import { filter } from 'rxjs';
 * import { ChatPromptTemplate } from '@langchain/core/prompts';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromStreamEvents } from 'rxjs-langchain';
 *
 * const prompt = ChatPromptTemplate.fromMessages([['human', '{question}']]);
 * fromStreamEvents(prompt.pipe(new ChatOpenAI({ model: 'gpt-4o-mini' })), { question: 'hi' })
 *   .pipe(filter((e) => e.event === 'on_chat_model_stream'))
 *   .subscribe((e) => process.stdout.write(e.data.chunk.text));
 * ```
 *
 * @see {@link fromRunnable} for the chunks alone.
 *
 * @param runnable A chain, model, agent or graph with LangChain's `streamEvents()`.
 * @param input The runnable's input.
 * @param config LangChain's `RunnableConfig` plus the `include*` / `exclude*` event filters.
 * @returns A cold Observable of LangChain's v2 `StreamEvent`s, aborted on unsubscribe.
 */
export function fromStreamEvents<I>(
  runnable: StreamEventsRunnable<I>,
  input: I,
  config?: StreamEventsConfig,
): Observable<StreamEvent> {
  if (typeof runnable !== 'object' || runnable === null || typeof (runnable as { streamEvents?: unknown }).streamEvents !== 'function') {
    throw new TypeError(`fromStreamEvents: runnable must be a LangChain Runnable with a streamEvents() method, got ${describe(runnable)}.`);
  }
  assertObject('fromStreamEvents: config', config);
  return fromAsyncIterableFactory<StreamEvent>(
    (signal) => runnable.streamEvents(input, { ...config, signal, version: 'v2' }),
    config?.signal,
  );
}
