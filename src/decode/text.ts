import { PART_TYPES } from '../parts/events';
import type { StreamPart } from '../parts/types';
import { describe } from '../internal/validate';
import { TextInputError } from './errors';

/**
 * A LangChain message or message chunk (`AIMessageChunk`, any `BaseMessageChunk`, a plain
 * `{ content }` object), duck-typed so a browser bundle needs no `@langchain/core`: its
 * `content` is a string or an array of content parts.
 */
export interface MessageChunkLike {
  readonly content: string | readonly unknown[];
  /** Content-block events have an `event` and are no message (decision 0356). */
  readonly event?: never;
}

/**
 * What text operators accept: a string, a message chunk, or a {@link StreamPart}. Anything
 * else (LangGraph tuples, content-block events) goes through `toParts()` first (decision 0356).
 */
export type TextLike = string | MessageChunkLike | StreamPart;

const TEXT_PART_TYPES = new Set(['text', 'text_delta']);

/**
 * The text of one text-operator input. String content is returned as is; array content keeps
 * only text parts (images, tool-use and JSON deltas are not text). Parts give the model's
 * answer text only (no reasoning, tool arguments or tool results). Any other value (a LangGraph
 * tuple, a content-block event, a number) throws a {@link TextInputError} that says to pipe
 * through `toParts()`; message content of the wrong type throws a TypeError.
 */
export function textOf(value: unknown, where = 'textContent'): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    // Read `content` first: the common case is one property load (message chunks are often
    // dictionary-mode objects, where `in` and the load would be two hash lookups). Parts and
    // events with a `content` field (a tool result) are not messages.
    const content = (value as { content?: unknown }).content;
    if ((content !== undefined || 'content' in value) && !isPartOrEvent(value)) return contentText(content, where);
    const type = (value as { type?: unknown }).type;
    if (typeof type === 'string' && !('event' in value)) {
      if (type === 'text') return typeof (value as { text?: unknown }).text === 'string' ? (value as { text: string }).text : '';
      if (PART_TYPES.has(type)) return '';
    }
  }
  throw new TextInputError(where, value);
}

/** The text of a message's `content`. */
function contentText(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (content == null) return '';
  if (!Array.isArray(content)) throw new TypeError(`${where}: message content must be a string or an array of content parts, got ${describe(content)}.`);
  let out = '';
  for (const part of content) {
    if (typeof part === 'string') out += part;
    else if (
      typeof part === 'object' && part !== null &&
      TEXT_PART_TYPES.has((part as { type?: string }).type ?? '') &&
      typeof (part as { text?: unknown }).text === 'string'
    ) {
      out += (part as { text: string }).text;
    }
  }
  return out;
}

/** A part or content-block event that has a `content` field (`tool-result`, `content-block-start` …): not a message. */
function isPartOrEvent(value: object): boolean {
  return 'event' in value || (value as { type?: unknown }).type === 'tool-result';
}
