import { AIMessageChunk, type AIMessageChunkFields, type UsageMetadata } from '@langchain/core/messages';
import { describe } from '../internal/validate';

/** What a marble value may be: a string (becomes an `AIMessageChunk`) or a chunk. */
export type MarbleChunkValue = string | AIMessageChunk;

/** Token counts; `total_tokens` defaults to input + output. */
export type UsageInput = Omit<UsageMetadata, 'total_tokens'> & { total_tokens?: number };

/** Options of {@link chunks}. */
export interface ChunksOptions {
  /** `usage_metadata` put on one chunk (the last key of the map unless `on` says otherwise), as providers do. */
  usage?: UsageInput;
  /** `response_metadata` put on that same chunk, e.g. `{ finish_reason: 'stop' }`. */
  responseMetadata?: Record<string, unknown>;
  /** The key that gets `usage` / `responseMetadata`. Default: the last key. */
  on?: string;
}

/**
 * One `AIMessageChunk` with string content; `fields` adds e.g. `usage_metadata`.
 *
 * @example
 * ```ts
 * import { chunk, marbleChatModel } from 'rxjs-langchain/testing';
 *
 * const model = marbleChatModel('-a-b|', { a: chunk('你'), b: chunk('好', { usage: { input_tokens: 3, output_tokens: 2 } }) });
 * ```
 *
 * @see {@link chunks} for a whole value map.
 *
 * @param text The chunk's content.
 * @param fields Other `AIMessageChunk` fields, and `usage` for `usage_metadata` (the total is added).
 * @returns The chunk.
 */
export function chunk(
  text: string,
  fields?: Omit<AIMessageChunkFields, 'content' | 'usage_metadata'> & { usage?: UsageInput },
): AIMessageChunk {
  if (typeof text !== 'string') throw new TypeError(`chunk: text must be a string, got ${describe(text)}.`);
  const { usage, ...rest } = fields ?? {};
  return new AIMessageChunk({
    ...rest,
    content: text,
    ...(usage && { usage_metadata: toUsage(usage, 'chunk') }),
  });
}

/**
 * A marble value map of `AIMessageChunk`s from strings (chunks are kept as
 * they are), with `usage_metadata` / `response_metadata` on the last key, the
 * way providers put it on the final chunk.
 *
 * @example
 * ```ts
 * import { chunks, marbleChatModel } from 'rxjs-langchain/testing';
 *
 * const values = chunks({ a: 'Hel', b: 'lo' }, { usage: { input_tokens: 5, output_tokens: 2 } });
 * const model = marbleChatModel('-a-b|', values);
 * ```
 *
 * @see {@link chunk} for one chunk.
 *
 * @param values The marble value map: strings (made chunks) or `AIMessageChunk`s (kept).
 * @param options `usage` and `responseMetadata` for the chunk of the last key (or of the key `on`).
 * @returns The same keys, each an `AIMessageChunk`.
 */
export function chunks<K extends string>(
  values: Record<K, MarbleChunkValue>,
  options?: ChunksOptions,
): Record<K, AIMessageChunk> {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new TypeError(`chunks: values must be an object mapping marble letters to strings or chunks, got ${describe(values)}.`);
  }
  const keys = Object.keys(values) as K[];
  const on = options?.on ?? keys[keys.length - 1];
  if (options?.on !== undefined && !keys.includes(options.on as K)) {
    throw new TypeError(`chunks: options.on is ${JSON.stringify(options.on)}, which is not a key of values (${keys.join(', ')}).`);
  }
  const out = {} as Record<K, AIMessageChunk>;
  for (const key of keys) {
    const value = values[key];
    let message = toChunk(value, `chunks: values.${key}`);
    if (key === on && (options?.usage || options?.responseMetadata)) {
      message = new AIMessageChunk({
        content: message.content,
        tool_call_chunks: message.tool_call_chunks,
        additional_kwargs: message.additional_kwargs,
        id: message.id,
        usage_metadata: options.usage ? toUsage(options.usage, 'chunks') : message.usage_metadata,
        response_metadata: { ...message.response_metadata, ...options.responseMetadata },
      });
    }
    out[key] = message;
  }
  return out;
}

/** Options of {@link toolCallChunk}. */
export interface ToolCallChunkOptions {
  name?: string;
  /** A piece of the JSON arguments (streamed tool calls arrive in pieces), or an object to serialise whole. */
  args?: string | Record<string, unknown>;
  id?: string;
  /** Which tool call of the message this piece belongs to. Default 0. */
  index?: number;
}

/**
 * A tool-call-only `AIMessageChunk` (empty text), as providers stream tool calls.
 *
 * @example
 * ```ts
 * import { marbleChatModel, toolCallChunk } from 'rxjs-langchain/testing';
 *
 * const model = marbleChatModel('-a-b|', {
 *   a: toolCallChunk({ name: 'search', args: '{"q":', id: 'call_1' }),
 *   b: toolCallChunk({ args: '"猫"}' }),
 * });
 * ```
 *
 * @see {@link chunk} for text chunks.
 *
 * @param options `name`, `args` (a piece of the JSON arguments), `id` and `index` of the tool call.
 * @returns A chunk whose only content is the tool-call delta.
 */
export function toolCallChunk(options: ToolCallChunkOptions): AIMessageChunk {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`toolCallChunk: options must be an object like { name, args, id }, got ${describe(options)}.`);
  }
  const args = typeof options.args === 'object' && options.args !== null ? JSON.stringify(options.args) : options.args;
  return new AIMessageChunk({
    content: '',
    tool_call_chunks: [{ name: options.name, args, id: options.id, index: options.index ?? 0, type: 'tool_call_chunk' }],
  });
}

/** A marble value as an `AIMessageChunk`. */
export function toChunk(value: unknown, where: string): AIMessageChunk {
  if (typeof value === 'string') return new AIMessageChunk({ content: value });
  if (value instanceof AIMessageChunk) return value;
  throw new TypeError(`${where} must be a string or an AIMessageChunk, got ${describe(value)}.`);
}

function toUsage(usage: UsageInput, where: string): UsageMetadata {
  const { input_tokens, output_tokens } = usage;
  if (!Number.isInteger(input_tokens) || input_tokens < 0 || !Number.isInteger(output_tokens) || output_tokens < 0) {
    throw new RangeError(`${where}: usage needs input_tokens and output_tokens as integers >= 0, got ${JSON.stringify(usage)}.`);
  }
  return { ...usage, input_tokens, output_tokens, total_tokens: usage.total_tokens ?? input_tokens + output_tokens };
}
