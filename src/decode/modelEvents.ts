import { MODEL_STREAM_EVENTS, type ModelStreamEvent } from '../parts/events';

/**
 * True for a content-block event of `model.streamEvents()` without `version` (`message-start`,
 * `content-block-delta` …), as a model or the agent protocol's `messages` channel sends it.
 * v1/v2 events (`on_chat_model_stream` …) are not: they need `fromModelEvents`.
 *
 * @example
 * isModelStreamEvent({ event: 'content-block-delta', index: 0, delta: { type: 'text-delta', text: '你好' } }); // true
 * isModelStreamEvent({ event: 'on_chat_model_stream', data: {} }); // false
 * @param value Any stream value.
 * @returns Whether `value` is a {@link ModelStreamEvent}.
 */
export function isModelStreamEvent(value: unknown): value is ModelStreamEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = (value as { event?: unknown }).event;
  return typeof event === 'string' && MODEL_STREAM_EVENTS.has(event);
}
