import { mergeUsageMetadata, type AIMessageChunk, type UsageMetadata } from '@langchain/core/messages';
import { textOf } from '../internal/text';
import type { StreamPart } from '../parts/types';

/**
 * The smallest AIMessageChunk → StreamPart adapter `toUIMessageStream` needs until
 * `toParts()` lands: text, reasoning, tool-call chunks assembled by index, usage and the
 * finish reason. One per subscription. To be replaced by `toParts()` (issue 16).
 */
export interface ChunkPartsAdapter {
  push(chunk: AIMessageChunk, out: StreamPart[]): void;
  end(out: StreamPart[]): void;
}

interface PendingCall {
  id: string;
  name: string;
  argsText: string;
  started: boolean;
}

const FINISH_KEYS = ['finish_reason', 'stop_reason', 'done_reason', 'finishReason'] as const;

export function createChunkPartsAdapter(): ChunkPartsAdapter {
  const calls = new Map<number | string, PendingCall>();
  let finishReason: string | undefined;
  let usage: UsageMetadata | undefined;

  const flushCalls = (out: StreamPart[]): void => {
    for (const call of calls.values()) {
      let args: unknown;
      try {
        args = call.argsText.trim() === '' ? {} : JSON.parse(call.argsText);
      } catch {
        args = undefined;
      }
      if (typeof args === 'object' && args !== null && !Array.isArray(args)) {
        out.push({ type: 'tool-call', id: call.id, name: call.name, args: args as Record<string, unknown> });
      } else {
        out.push({ type: 'tool-call', id: call.id, name: call.name, args: {}, invalid: true, argsText: call.argsText });
      }
    }
    calls.clear();
  };

  return {
    push(chunk, out) {
      const reasoning = reasoningOf(chunk);
      if (reasoning) out.push({ type: 'reasoning', text: reasoning });
      const text = textOf(chunk, 'toUIMessageStream');
      if (text) out.push({ type: 'text', text });
      for (const piece of chunk.tool_call_chunks ?? []) {
        const key = piece.index ?? piece.id ?? 0;
        let call = calls.get(key);
        if (!call) {
          call = { id: piece.id ?? `call_${key}`, name: piece.name ?? '', argsText: '', started: false };
          calls.set(key, call);
        }
        if (!call.name && piece.name) call.name = piece.name;
        if (!call.started && call.name) {
          call.started = true;
          out.push({ type: 'tool-call-start', id: call.id, name: call.name, index: typeof key === 'number' ? key : calls.size - 1 });
          if (call.argsText) out.push({ type: 'tool-call-delta', id: call.id, argsText: call.argsText });
        }
        if (piece.args) {
          call.argsText += piece.args;
          if (call.started) out.push({ type: 'tool-call-delta', id: call.id, argsText: piece.args });
        }
      }
      if (chunk.usage_metadata) usage = mergeUsageMetadata(usage, chunk.usage_metadata);
      const meta = chunk.response_metadata as Record<string, unknown> | undefined;
      for (const key of FINISH_KEYS) {
        const value = meta?.[key];
        if (typeof value === 'string' && value) finishReason = value;
      }
    },
    end(out) {
      flushCalls(out);
      if (finishReason !== undefined) out.push({ type: 'finish', finishReason, ...(usage && { usage }) });
      else if (usage) out.push({ type: 'usage', usage });
    },
  };
}

function reasoningOf(chunk: AIMessageChunk): string {
  const kw = (chunk.additional_kwargs as { reasoning_content?: unknown } | undefined)?.reasoning_content;
  let out = typeof kw === 'string' ? kw : '';
  if (Array.isArray(chunk.content)) {
    for (const block of chunk.content as unknown[]) {
      if (typeof block !== 'object' || block === null) continue;
      const b = block as { type?: unknown; reasoning?: unknown; thinking?: unknown };
      if (b.type === 'reasoning' && typeof b.reasoning === 'string') out += b.reasoning;
      else if (b.type === 'thinking' && typeof b.thinking === 'string') out += b.thinking;
    }
  }
  return out;
}
