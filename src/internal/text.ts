import { describe } from './validate';

/** What text operators accept: a string, or anything with LangChain `content`. */
export type TextLike = string | { content: unknown };

const TEXT_PART_TYPES = new Set(['text', 'text_delta']);

/**
 * The text of one stream value. String content is returned as is; array
 * content keeps only text parts (images, tool-use and JSON deltas are not text).
 * Throws a TypeError naming the bad value, so a wrong pipeline fails loudly.
 */
export function textOf(value: unknown, where = 'textContent'): string {
  if (typeof value === 'string') return value;
  // Read `content` first: the common case is one property load (message chunks are often
  // dictionary-mode objects, where `in` and the load would be two hash lookups).
  const content = typeof value === 'object' && value !== null ? (value as { content?: unknown }).content : undefined;
  if (typeof content === 'string') return content;
  if (content !== undefined || (typeof value === 'object' && value !== null && 'content' in value)) {
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
  throw new TypeError(`${where}: expected a string or a message chunk with content, got ${describe(value)}.`);
}
