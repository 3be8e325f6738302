import type { UsageMetadata } from '@langchain/core/messages';
import { finishReasonOf } from '../finishReason';
import { TOOL_BLOCK_TYPES } from '../toolBlocks';
import { MODEL_STREAM_EVENTS } from '../../parts/events';
import { isPlainObject, normalizeUsage, str } from './shapes';
import type { Assembly, Block, Call, Step } from './steps';
import { appendArgs, completeParsedCalls, finishCall, maybeStart, newCall } from './toolCalls';

type Content = Record<string, unknown> | undefined;

/**
 * Decodes a content-block event of `model.streamEvents()` without `version`
 * (`message-start`, `content-block-start` / `-delta` / `-finish`, `usage`, `message-finish`,
 * `error`); v1/v2 events are refused with a pointer to the source that reads them.
 */
export function decodeModelEvent(a: Assembly, e: Record<string, unknown>, event: string): void {
  if (!MODEL_STREAM_EVENTS.has(event)) {
    throw new TypeError(
      `toParts: ${JSON.stringify(event)} is not a content-block event of model.streamEvents() (called without version). ` +
        'v1/v2 events (on_chat_model_stream …) are not parts: use fromModelEvents(model, input), fromAgent, or fromRunnable.',
    );
  }
  a.assembled = true;
  switch (event) {
    case 'message-start': {
      for (const s of a.open.filter((s) => s.originKey === '')) a.closeStep(s);
      const step = a.openStep(str(e.id), '', undefined);
      step.blocks = new Map();
      if (isPlainObject(e.usage)) step.usage = normalizeUsage(e.usage as Partial<UsageMetadata>);
      return;
    }
    case 'content-block-start':
      return blockStart(a, eventStep(a), e.index as number, e.content as Content);
    case 'content-block-delta':
      return blockDelta(a, eventStep(a), e.index as number, e);
    case 'content-block-finish':
      return blockFinish(a, eventStep(a), e.index as number, e.content as Content);
    case 'usage': {
      if (isPlainObject(e.usage)) eventStep(a).usage = normalizeUsage(e.usage as Partial<UsageMetadata>);
      return;
    }
    case 'message-finish':
      return messageFinish(a, e);
    case 'error': {
      const err = new Error(`The model stream reported an error: ${String(e.message)}`) as Error & { code?: unknown };
      if (e.code !== undefined) err.code = e.code;
      throw err;
    }
    default:
      return; // provider passthrough
  }
}

function messageFinish(a: Assembly, e: Record<string, unknown>): void {
  const step = eventStep(a);
  const meta = isPlainObject(e.responseMetadata) ? (e.responseMetadata as Record<string, unknown>) : undefined;
  const reason = str(e.reason) ?? finishReasonOf(meta);
  if (reason !== undefined) step.finishReason = reason;
  if (isPlainObject(e.usage)) step.usage = normalizeUsage(e.usage as Partial<UsageMetadata>);
  a.closeStep(step);
}

function eventStep(a: Assembly): Step {
  const step = a.open.find((s) => s.originKey === '') ?? a.openStep(undefined, '', undefined);
  step.blocks ??= new Map();
  return step;
}

function blockStart(a: Assembly, step: Step, index: number, content: Content): void {
  const type = typeof content?.type === 'string' ? content.type : '';
  const block: Block = { kind: 'other', emitted: 0 };
  step.blocks!.set(index, block);
  if (type === 'text') {
    block.kind = 'text';
    blockText(a, block, content?.text);
  } else if (type === 'reasoning' || type === 'thinking') {
    block.kind = 'reasoning';
    blockText(a, block, content?.reasoning ?? content?.thinking);
  } else if (TOOL_BLOCK_TYPES.has(type)) {
    block.kind = 'tool';
    const position = typeof content?.index === 'number' ? content.index : index;
    completeParsedCalls(a, step);
    const call = newCall(step, position, str(content?.id), str(content?.name));
    block.call = call;
    if (type === 'tool_call' && isPlainObject(content?.args)) {
      call.parsed = content!.args as Record<string, unknown>;
      appendArgs(a, call, JSON.stringify(call.parsed), undefined);
      finishCall(a, step, call);
    } else {
      if (typeof content?.args === 'string') appendArgs(a, call, content.args, undefined);
      else maybeStart(a, call, undefined);
    }
  }
}

function blockText(a: Assembly, block: Block, text: unknown): void {
  if (typeof text !== 'string' || text.length === 0) return;
  block.emitted += text.length;
  a.sink.next({ type: block.kind === 'reasoning' ? 'reasoning' : 'text', text });
}

function blockDelta(a: Assembly, step: Step, index: number, e: Record<string, unknown>): void {
  let delta = e.delta as Record<string, unknown> | undefined;
  if (!isPlainObject(delta)) delta = contentShapedDelta(e.content);
  if (delta === undefined) return;
  let block = step.blocks!.get(index);
  switch (delta.type) {
    case 'text-delta':
      if (!block) step.blocks!.set(index, (block = { kind: 'text', emitted: 0 }));
      return blockText(a, block.kind === 'reasoning' ? { kind: 'text', emitted: 0 } : block, delta.text);
    case 'reasoning-delta':
      if (!block) step.blocks!.set(index, (block = { kind: 'reasoning', emitted: 0 }));
      return blockText(a, block.kind === 'reasoning' ? block : { kind: 'reasoning', emitted: 0 }, delta.reasoning);
    case 'tool-call-delta': {
      const call = block?.call ?? blockStartTool(a, step, index);
      if (typeof delta.args === 'string' && !call.done) appendArgs(a, call, delta.args, undefined);
      return;
    }
    case 'block-delta':
      return toolBlockSnapshot(a, block?.call, step, index, delta.fields as Content);
    default:
      return; // data-delta and future delta types carry no part
  }
}

/** A `block-delta` of a tool block: a snapshot of the call so far; emits what it adds. */
function toolBlockSnapshot(a: Assembly, known: Call | undefined, step: Step, index: number, fields: Content): void {
  if (!isPlainObject(fields) || typeof fields.type !== 'string' || !TOOL_BLOCK_TYPES.has(fields.type)) return;
  const call = known ?? blockStartTool(a, step, index);
  if (call.done) return;
  if (call.id === undefined && typeof fields.id === 'string') call.id = fields.id;
  if (call.name === undefined && typeof fields.name === 'string') call.name = fields.name;
  if (typeof fields.args === 'string') {
    if (fields.args.startsWith(call.args)) appendArgs(a, call, fields.args.slice(call.args.length), undefined);
    else call.args = fields.args;
  } else maybeStart(a, call, undefined);
}

function blockStartTool(a: Assembly, step: Step, index: number): Call {
  blockStart(a, step, index, { type: 'tool_call_chunk' });
  return step.blocks!.get(index)!.call!;
}

function blockFinish(a: Assembly, step: Step, index: number, content: Content): void {
  let block = step.blocks!.get(index);
  const type = typeof content?.type === 'string' ? content.type : '';
  if (!block) {
    // A block that arrives whole.
    blockStart(a, step, index, content);
    block = step.blocks!.get(index)!;
    if (block.kind !== 'tool') return;
  }
  if (block.kind === 'text' && block.emitted === 0) return blockText(a, block, content?.text);
  if (block.kind === 'reasoning' && block.emitted === 0) return blockText(a, block, content?.reasoning ?? content?.thinking);
  const call = block.call;
  if (!call || call.done) return;
  if (call.id === undefined && typeof content?.id === 'string') call.id = content.id;
  if (call.name === undefined && typeof content?.name === 'string') call.name = content.name;
  if (type === 'tool_call' && call.args.length === 0 && isPlainObject(content?.args)) {
    call.parsed = content!.args as Record<string, unknown>;
    appendArgs(a, call, JSON.stringify(call.parsed), undefined);
  }
  finishCall(a, step, call);
}

/** The older content-shaped delta (`event.content` instead of `event.delta`) that core still accepts. */
function contentShapedDelta(content: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(content)) return undefined;
  if (content.type === 'text' && typeof content.text === 'string') return { type: 'text-delta', text: content.text };
  if (content.type === 'reasoning' && typeof content.reasoning === 'string') return { type: 'reasoning-delta', reasoning: content.reasoning };
  if (content.type === 'thinking' && typeof content.thinking === 'string') return { type: 'reasoning-delta', reasoning: content.thinking };
  if (typeof content.type === 'string') return { type: 'block-delta', fields: content };
  return undefined;
}
