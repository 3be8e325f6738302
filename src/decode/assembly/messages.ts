import { finishReasonOf } from '../finishReason';
import type { PartOrigin, ToolResultPart } from '../../parts/types';
import { isPlainObject, mergeUsage, str, withOrigin, type MessageLike } from './shapes';
import { inferredFinishReason, type Assembly, type Step } from './steps';
import { appendArgs, finishCall, newCall, toolCallChunk } from './toolCalls';

/**
 * Decodes a LangChain message or chunk (or a plain `{ role, content }` object): a chunk
 * continues its step, a whole message is a step of its own or closes the step that
 * streamed it, a tool message is a `tool-result`.
 */
export function decodeMessage(a: Assembly, m: MessageLike, originKey: string, origin: PartOrigin | undefined, whole = false): void {
  a.assembled = true;
  const type = m.type ?? roleType(m.role, m.tool_call_id);
  if (type === 'tool') return toolResult(a, m, origin);
  if (type !== undefined && type !== 'ai' && type !== 'AIMessageChunk') return; // human, system …: not the model's output
  const id = str(m.id);
  if (!whole && Array.isArray(m.tool_call_chunks)) return decodeChunk(a, m, id, originKey, origin);
  if (!whole && type === undefined) return decodeChunk(a, m, id, originKey, origin); // a plain { content } chunk
  // A whole AIMessage: from `updates`, or `messages` with a model that does not stream.
  if (!a.messageIds.has(id ?? '') && a.interrupts.isResumedMessage(m.tool_calls)) return; // announced before the interrupt
  if (id !== undefined && a.messageIds.has(id)) {
    const streamed = a.open.find((s) => s.id === id);
    if (streamed) closeStreamed(a, streamed, m);
    return;
  }
  // Streamed by its node without an id: this is that message, whole.
  const unnamed = whole ? a.open.find((s) => s.originKey === originKey && s.id === undefined && s.blocks === undefined) : undefined;
  if (unnamed) {
    if (id !== undefined) a.adopt(unnamed, id);
    closeStreamed(a, unnamed, m);
    return;
  }
  for (const s of a.open.filter((s) => s.originKey === originKey)) a.closeStep(s);
  wholeMessage(a, m, a.openStep(id, originKey, origin), origin);
}

/** A message that arrived whole is its step: content, complete tool calls, usage, finish reason. */
function wholeMessage(a: Assembly, m: MessageLike, step: Step, origin: PartOrigin | undefined): void {
  emitContent(a, m, origin);
  const calls = m.tool_calls ?? [];
  const invalid = m.invalid_tool_calls ?? [];
  let index = 0;
  for (const tc of [...calls, ...invalid]) {
    const parsed = calls.includes(tc) && isPlainObject(tc.args) ? (tc.args as Record<string, unknown>) : undefined;
    const args = parsed ? JSON.stringify(parsed) : typeof tc.args === 'string' ? tc.args : '';
    const call = newCall(step, index++, str(tc.id), str(tc.name));
    call.parsed = parsed;
    appendArgs(a, call, args, origin);
    finishCall(a, step, call);
  }
  if (m.usage_metadata) step.usage = mergeUsage(step.usage, m.usage_metadata);
  step.finishReason = finishReasonOf(m.response_metadata) ?? inferredFinishReason(step);
  a.closeStep(step);
}

/**
 * The whole message of a step that streamed: it ends the step, and brings what
 * streaming callbacks may leave out of the chunks (the finish reason, sometimes usage).
 * No finish reason is inferred here: LangGraph hands on the message of a stream that
 * was cut cleanly just as whole (decision 0116).
 */
function closeStreamed(a: Assembly, step: Step, m: MessageLike): void {
  step.finishReason ??= finishReasonOf(m.response_metadata);
  if (step.usage === undefined && m.usage_metadata) step.usage = m.usage_metadata;
  a.closeStep(step);
}

/** One chunk of a streamed message (the hot path: the bulk of any stream). */
export function decodeChunk(a: Assembly, m: MessageLike, id: string | undefined, originKey: string, origin: PartOrigin | undefined): void {
  const open = a.open;
  const last = open.length === 1 ? open[0] : undefined;
  // Most chunks continue the one open message.
  const step = last !== undefined && last.originKey === originKey && last.id !== undefined && last.id === id ? last : a.stepFor(id, originKey, origin);
  const content = m.content;
  if (typeof content === 'string') {
    const reasoning = m.additional_kwargs?.reasoning_content;
    if (typeof reasoning === 'string' && reasoning.length > 0) a.sink.next(withOrigin({ type: 'reasoning', text: reasoning }, origin));
    if (content.length > 0) a.sink.next(withOrigin({ type: 'text', text: content }, origin));
  } else emitContent(a, m, origin);
  const chunks = m.tool_call_chunks;
  if (chunks !== undefined && chunks.length > 0) for (let i = 0; i < chunks.length; i++) toolCallChunk(a, step, chunks[i], origin);
  const usage = m.usage_metadata;
  if (usage) step.usage = mergeUsage(step.usage, usage);
  const meta = m.response_metadata;
  if (meta !== undefined) {
    const reason = finishReasonOf(meta);
    if (reason !== undefined) {
      step.finishReason = reason;
      a.endMessage(step);
    }
  }
}

/** Emits the reasoning and text of a message or chunk. */
function emitContent(a: Assembly, m: MessageLike, origin: PartOrigin | undefined): void {
  const reasoning = m.additional_kwargs?.reasoning_content;
  if (typeof reasoning === 'string' && reasoning.length > 0) a.sink.next(withOrigin({ type: 'reasoning', text: reasoning }, origin));
  const content = m.content;
  if (typeof content === 'string') {
    if (content.length > 0) a.sink.next(withOrigin({ type: 'text', text: content }, origin));
    return;
  }
  if (!Array.isArray(content)) return;
  for (const block of content) {
    if (typeof block === 'string') {
      if (block.length > 0) a.sink.next(withOrigin({ type: 'text', text: block }, origin));
      continue;
    }
    if (typeof block !== 'object' || block === null) continue;
    const b = block as { type?: unknown; text?: unknown; reasoning?: unknown; thinking?: unknown };
    if ((b.type === 'text' || b.type === 'text_delta') && typeof b.text === 'string') {
      if (b.text.length > 0) a.sink.next(withOrigin({ type: 'text', text: b.text }, origin));
    } else if (b.type === 'reasoning' || b.type === 'thinking') {
      const text = typeof b.reasoning === 'string' ? b.reasoning : typeof b.thinking === 'string' ? b.thinking : '';
      if (text.length > 0) a.sink.next(withOrigin({ type: 'reasoning', text }, origin));
    }
    // tool_use / input_json_delta blocks repeat what tool_call_chunks carry
  }
}

/** A tool message: it closes the step that made the call, and is a `tool-result` (`denied` when a person rejected it). */
function toolResult(a: Assembly, m: MessageLike, origin: PartOrigin | undefined): void {
  const id = str(m.tool_call_id) ?? '';
  if (a.resultIds.has(id)) return;
  a.resultIds.add(id);
  const owner = a.open.find((s) => s.calls.some((c) => c.id === id || c.partId === id));
  if (owner) a.closeStep(owner);
  const name = str(m.name) ?? a.callNames.get(id) ?? '';
  const part: ToolResultPart = { type: 'tool-result', id, name, content: m.content, isError: m.status === 'error' };
  a.sink.next(withOrigin(a.interrupts.isRejected(id) ? { ...part, isError: true, denied: true } : part, origin));
}

/** The message type of a plain `{ role, content }` object; undefined (a chunk) when it has no role. */
function roleType(role: unknown, toolCallId: unknown): string | undefined {
  if (role === undefined) return typeof toolCallId === 'string' ? 'tool' : undefined;
  if (role === 'assistant' || role === 'ai') return 'ai';
  if (role === 'tool') return 'tool';
  return 'other';
}
