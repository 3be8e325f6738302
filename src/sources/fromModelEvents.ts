import type { Observable } from 'rxjs';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { ModelStreamEvent } from '../parts/events';
import { assertObject, describe } from '../internal/validate';
import { fromAsyncIterableFactory } from './fromAsyncIterableFactory';

/** The part of a chat model that `fromModelEvents` needs: `@langchain/core` 1.4's `streamEvents` without `version`. */
export interface ModelEventsRunnable<I> {
  streamEvents(input: I, options?: Partial<RunnableConfig>): AsyncIterable<unknown>;
}

/**
 * A cold Observable of the content-block events of `model.streamEvents(input, config)`
 * called without `version` (`@langchain/core` >= 1.4): `message-start`,
 * `content-block-start` / `-delta` / `-finish`, `usage`, `message-finish` with the
 * finish reason and usage. The four laws of a source hold: cold, lazy, unicast, and
 * teardown aborts the model request (the `signal` goes into the call options).
 *
 * The `ChatModelStream` that `streamEvents` returns is both an async iterable and a
 * thenable (awaiting it resolves to the final message); this source iterates it.
 * Pipe `toParts()` for typed parts, then `textContent()` for the text (text operators refuse the
 * events themselves, decision 0356).
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromModelEvents, textContent, toParts } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromModelEvents(model, '讲一个关于Python的笑话')
 *   .pipe(toParts(), textContent())
 *   .subscribe((text) => process.stdout.write(text));
 * ```
 *
 * @param model A chat model (`BaseChatModel` of `@langchain/core` >= 1.4).
 * @param input What the model takes: a string, messages or a prompt value.
 * @param config Call options (`signal`, `tools` …). An abort of `config.signal` errors with `StreamAbortedError`.
 * @returns An Observable of {@link ModelStreamEvent}s.
 * @see toParts
 * @see fromRunnable
 */
export function fromModelEvents<I>(
  model: ModelEventsRunnable<I>,
  input: I,
  config?: Partial<RunnableConfig>,
): Observable<ModelStreamEvent> {
  if (typeof model !== 'object' || model === null || typeof (model as { streamEvents?: unknown }).streamEvents !== 'function') {
    throw new TypeError(`fromModelEvents: model must be a LangChain chat model with a streamEvents() method, got ${describe(model)}.`);
  }
  assertObject('fromModelEvents: config', config);
  return fromAsyncIterableFactory<ModelStreamEvent>((signal) => {
    const events = model.streamEvents(input, { ...config, signal });
    if (typeof (events as { [Symbol.asyncIterator]?: unknown })?.[Symbol.asyncIterator] !== 'function') {
      throw new TypeError(
        `fromModelEvents: model.streamEvents() returned ${describe(events)}, not an async iterable of events; ` +
          'it needs @langchain/core >= 1.4 (streamEvents without version). Use fromStreamEvents for v2 events.',
      );
    }
    return events as AsyncIterable<ModelStreamEvent>;
  }, config?.signal);
}
