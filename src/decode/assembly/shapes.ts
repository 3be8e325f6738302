import { mergeUsageMetadata, type UsageMetadata } from '@langchain/core/messages';
import { describe } from '../../internal/validate';
import { isGraphMessagePair } from '../graphTuples';
import { PART_TYPES } from '../../parts/events';
import type { PartOrigin, StreamPart } from '../../parts/types';

/** Receives each part the assembler produces (a Subscriber, or any `{ next }`). */
export interface PartSink {
  next(part: StreamPart): void;
}

/** The fields of a LangChain message that the assembler reads. */
export interface MessageLike {
  readonly type?: unknown;
  readonly id?: unknown;
  readonly name?: unknown;
  readonly content: unknown;
  readonly additional_kwargs?: { readonly reasoning_content?: unknown };
  readonly response_metadata?: Record<string, unknown>;
  readonly usage_metadata?: UsageMetadata;
  readonly tool_call_chunks?: ReadonlyArray<{ id?: unknown; name?: unknown; args?: unknown; index?: unknown }>;
  readonly tool_calls?: ReadonlyArray<{ id?: unknown; name?: unknown; args?: unknown }>;
  readonly invalid_tool_calls?: ReadonlyArray<{ id?: unknown; name?: unknown; args?: unknown }>;
  readonly tool_call_id?: unknown;
  readonly status?: unknown;
  /** Plain message objects (`{ role: 'assistant', content }`) as graph nodes may return them. */
  readonly role?: unknown;
}

/** True for a value that already is a {@link StreamPart}. */
export function isStreamPart(value: unknown): value is StreamPart {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && PART_TYPES.has(type) && !('lc_serializable' in value);
}

/** True for a LangChain message or a plain `{ content }` object. */
export function isMessageLike(value: unknown): value is MessageLike {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'content' in value && !('event' in value) && !isStreamPart(value);
}

/** `[message, metadata]` as LangGraph's `messages` mode yields it. */
export function isMessagePair(value: unknown): value is [MessageLike, Record<string, unknown>] {
  return isGraphMessagePair(value, isMessageLike);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Arguments as an object, or undefined when the text is not (yet) a JSON object. */
export function parseArgs(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** LangChain's sum of two usages, without the empty detail objects it adds. */
export function mergeUsage(a: UsageMetadata | undefined, b: UsageMetadata): UsageMetadata {
  if (a === undefined) return b;
  if (a.input_token_details === undefined && a.output_token_details === undefined && b.input_token_details === undefined && b.output_token_details === undefined) {
    // LangChain's sum without details, built whole: the general path's `delete` leaves a dictionary-mode object.
    return {
      input_tokens: (a.input_tokens ?? 0) + (b.input_tokens ?? 0),
      output_tokens: (a.output_tokens ?? 0) + (b.output_tokens ?? 0),
      total_tokens: (a.total_tokens ?? 0) + (b.total_tokens ?? 0),
    };
  }
  const sum = mergeUsageMetadata(a, b);
  if (sum.input_token_details && Object.keys(sum.input_token_details).length === 0) delete sum.input_token_details;
  if (sum.output_token_details && Object.keys(sum.output_token_details).length === 0) delete sum.output_token_details;
  return sum;
}

/** A usage that content-block events report, with the counts LangChain's type requires. */
export function normalizeUsage(usage: Partial<UsageMetadata>): UsageMetadata {
  return { ...usage, input_tokens: usage.input_tokens ?? 0, output_tokens: usage.output_tokens ?? 0, total_tokens: usage.total_tokens ?? 0 };
}

/** The part, with the graph node and namespace it came from (mutated: parts are fresh objects). */
export function withOrigin<P extends StreamPart>(part: P, origin: PartOrigin | undefined): P {
  if (origin === undefined) return part;
  if (origin.node !== undefined) (part as { node?: string }).node = origin.node;
  if (origin.namespace !== undefined) (part as { namespace?: readonly string[] }).namespace = origin.namespace;
  return part;
}

export function notParts(value: unknown): TypeError {
  return new TypeError(
    `toParts: cannot turn ${describe(value)} into parts; expected a string, a message chunk or message, a content-block event ` +
      '(model.streamEvents() without version), a LangGraph [message, metadata] pair or [mode, data] tuple, or a part.',
  );
}
