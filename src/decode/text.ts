import { describe } from '../internal/validate';
import { PART_TYPES } from '../parts/events';
import { graphMessage } from './graphTuples';
import type { PartSourceValue } from '../parts/types';

/**
 * What text operators accept: a string, anything with LangChain `content`, and
 * what `toParts()` recognises (parts, content-block events, LangGraph pairs and tuples).
 */
export type TextLike = string | { content: unknown } | PartSourceValue;

const TEXT_PART_TYPES = new Set(['text', 'text_delta']);

/**
 * The text of one stream value. String content is returned as is; array
 * content keeps only text parts (images, tool-use and JSON deltas are not text).
 * Parts, content-block events and LangGraph `[message, metadata]` pairs /
 * `[mode, data]` tuples give the model's answer text only (no reasoning, tool
 * arguments or tool results). Throws a TypeError naming the bad value, so a
 * wrong pipeline fails loudly.
 */
export function textOf(value: unknown, where = 'textContent'): string {
  if (typeof value === 'string') return value;
  // Read `content` first: the common case is one property load (message chunks are often
  // dictionary-mode objects, where `in` and the load would be two hash lookups). Parts and
  // events with a `content` field (a tool result) are not messages.
  const content = typeof value === 'object' && value !== null ? (value as { content?: unknown }).content : undefined;
  if ((content !== undefined || (typeof value === 'object' && value !== null && 'content' in value)) && !isPartOrEvent(value as object)) {
    if (typeof content === 'string') return content;
    if (content == null) return '';
    if (Array.isArray(content)) {
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
    throw new TypeError(`${where}: message content must be a string or an array of content parts, got ${describe(content)}.`);
  }
  const text = typeof value === 'object' && value !== null ? streamValueText(value, where) : undefined;
  if (text !== undefined) return text;
  throw new TypeError(`${where}: expected a string or a message chunk with content, got ${describe(value)}.`);
}

/** A part or content-block event that has a `content` field (`tool-result`, `content-block-start` …): not a message. */
function isPartOrEvent(value: object): boolean {
  return 'event' in value || (value as { type?: unknown }).type === 'tool-result';
}

/** The model's text in a part, content-block event, pair or tuple; undefined for none of those. */
function streamValueText(value: object, where: string): string | undefined {
  if (Array.isArray(value)) {
    const data = graphMessage(value);
    if (data === undefined) return undefined;
    return data === null ? '' : textOf(data, where);
  }
  const v = value as { type?: unknown; text?: unknown; event?: unknown; delta?: { type?: unknown; text?: unknown }; content?: { type?: unknown; text?: unknown } };
  if (typeof v.event === 'string') {
    if (v.event === 'content-block-delta') return v.delta?.type === 'text-delta' && typeof v.delta.text === 'string' ? v.delta.text : '';
    if (v.event === 'content-block-start') return v.content?.type === 'text' && typeof v.content.text === 'string' ? v.content.text : '';
    return v.event.startsWith('on_') ? undefined : '';
  }
  if (typeof v.type === 'string') {
    if (v.type === 'text') return typeof v.text === 'string' ? v.text : '';
    return PART_TYPES.has(v.type) ? '' : undefined;
  }
  return undefined;
}
