import { mergeUsageMetadata, type UsageMetadata } from '@langchain/core/messages';
import { describe } from '../internal/validate';
import { finishReasonOf } from '../decode/finishReason';
import { graphTuple, isGraphMessagePair } from '../decode/graphTuples';
import { TOOL_BLOCK_TYPES } from '../decode/toolBlocks';
import { MODEL_STREAM_EVENTS, PART_TYPES, STREAM_MODES } from './events';
import { AWAITING_DECISION, InterruptDecoder, type ResumedCalls } from './interrupts';
import type { PartOrigin, StreamPart, ToolCallPart, ToolResultPart } from './types';

/** Receives each part the assembler produces (a Subscriber, or any `{ next }`). */
export interface PartSink {
  next(part: StreamPart): void;
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

interface Call {
  /** The step (message) it belongs to. */
  readonly step: number;
  /** Position within the message. */
  readonly index: number;
  id: string | undefined;
  name: string | undefined;
  /** The raw argument text so far. */
  args: string;
  /** Arguments already parsed (a complete `tool_calls` entry). */
  parsed: Record<string, unknown> | undefined;
  /** The id the parts use (fixed at `tool-call-start`). */
  partId: string;
  started: boolean;
  done: boolean;
}

interface Block {
  kind: 'text' | 'reasoning' | 'tool' | 'other';
  /** Text emitted for a text or reasoning block. */
  emitted: number;
  call?: Call;
}

interface Step {
  readonly step: number;
  /** The message id, when the model gave one. */
  id: string | undefined;
  readonly originKey: string;
  readonly origin: PartOrigin | undefined;
  readonly calls: Call[];
  lastCall: Call | undefined;
  finishReason: string | undefined;
  usage: UsageMetadata | undefined;
  /** The message is over (finish reason, message-finish): its open tool calls are complete. */
  ended: boolean;
  /** Content blocks by index (content-block events only). */
  blocks: Map<number, Block> | undefined;
}

/**
 * Turns model chunks, content-block events, LangGraph stream tuples and tool
 * messages into {@link StreamPart}s, one value at a time. One assembler per
 * subscription; `push` for each value, `end` on completion.
 *
 * Steps: a step opens at the first chunk (or event, or complete message) of an
 * AI message and closes when the message is over for sure: its node sends the
 * whole message in an `updates` tuple, a tool result or the next message of
 * the same node arrives, or the stream completes. (A finish reason alone does
 * not close it: providers send usage after it.)
 */
export class PartAssembler {
  private readonly open: Step[] = [];
  private steps = 0;
  private runFinishReason: string | undefined;
  private runUsage: UsageMetadata | undefined;
  /** Ids of AI messages already turned into a step (messages and updates both carry them). */
  private readonly messageIds = new Set<string>();
  /** Tool call id → name, for results that lack a name. */
  private readonly callNames = new Map<string, string>();
  private readonly resultIds = new Set<string>();
  /** Something other than parts came in, so `end` reports the run's `finish`. */
  private assembled = false;
  private sawFinish = false;
  private readonly origins = new Map<string, readonly [PartOrigin | undefined, string]>();
  /** `__interrupt__` updates → `approval-request` parts (decision 0195). */
  private readonly interrupts: InterruptDecoder;

  constructor(private readonly sink: PartSink, resumed?: ResumedCalls) {
    this.interrupts = new InterruptDecoder((part) => sink.next(part), resumed);
  }

  /** Converts one value; throws a TypeError for a value of no known shape. */
  push(value: unknown): void {
    if (typeof value === 'object' && value !== null && (value as MessageLike).type === 'ai' && (value as MessageLike).tool_call_chunks !== undefined) {
      // The hot path: an AIMessageChunk (fromRunnable(model), the bulk of any stream).
      this.assembled = true;
      const id = (value as MessageLike).id;
      this.chunk(value as MessageLike, typeof id === 'string' && id.length > 0 ? id : undefined, '', undefined);
      return;
    }
    if (typeof value === 'string') {
      if (value.length === 0) return;
      this.assembled = true;
      this.stepFor(undefined, '', undefined);
      this.sink.next({ type: 'text', text: value });
      return;
    }
    if (typeof value !== 'object' || value === null) throw notParts(value);
    if (Array.isArray(value)) return this.tuple(value);
    if ('content' in value && !('event' in value)) {
      const type = (value as { type?: unknown }).type;
      if (type === undefined || typeof type !== 'string' || !PART_TYPES.has(type) || 'lc_serializable' in value) {
        return this.message(value as MessageLike, '', undefined);
      }
    }
    const event = (value as { event?: unknown }).event;
    if (typeof event === 'string') return this.modelEvent(value as Record<string, unknown>, event);
    if (isStreamPart(value)) {
      if (value.type === 'finish') this.sawFinish = true;
      this.sink.next(value);
      return;
    }
    throw notParts(value);
  }

  /** The source completed: closes open steps and reports the run's `finish`. */
  end(): void {
    while (this.open.length > 0) this.closeStep(this.open[0]);
    if (this.assembled && !this.sawFinish) {
      this.sawFinish = true;
      const finishReason = this.interrupts.awaiting ? AWAITING_DECISION : this.runFinishReason ?? 'unknown';
      this.sink.next({ type: 'finish', finishReason, ...(this.runUsage && { usage: this.runUsage }) });
    }
  }

  // ── LangGraph tuples ───────────────────────────────────────────────

  private tuple(value: readonly unknown[]): void {
    const tuple = graphTuple(value, isMessageLike);
    if (tuple === undefined) throw notParts(value);
    const { namespace, mode, data } = tuple;
    this.assembled = true;
    switch (mode) {
      case 'messages': {
        if (!isMessagePair(data)) throw notParts(value);
        const message = data[0];
        const metadata = data[1] as Record<string, unknown> | undefined;
        const node = typeof metadata?.langgraph_node === 'string' ? metadata.langgraph_node : undefined;
        const [origin, key] = this.originFor(node, namespace);
        this.message(message, key, origin);
        return;
      }
      case 'updates':
        return this.updates(data, namespace);
      case 'custom': {
        this.sink.next({ type: 'custom', data, ...(namespace && { namespace }) });
        return;
      }
      default:
        return; // values, debug, tasks, checkpoints, tools: nothing a part stream needs
    }
  }

  private updates(data: unknown, namespace: readonly string[] | undefined): void {
    if (typeof data !== 'object' || data === null) return;
    for (const [node, update] of Object.entries(data)) {
      if (node === '__interrupt__') {
        // A graph interrupts between nodes: the steps before it are over, their messages whole (decision 0195).
        for (const step of [...this.open]) {
          step.finishReason ??= inferredFinishReason(step);
          this.closeStep(step);
        }
        this.interrupts.decode(update, namespace && { namespace });
        continue;
      }
      const updates = Array.isArray(update) ? update : [update];
      for (const u of updates) {
        if (typeof u !== 'object' || u === null) continue;
        const messages = (u as { messages?: unknown }).messages;
        const list = Array.isArray(messages) ? messages : messages === undefined ? [] : [messages];
        const [origin, key] = this.originFor(node, namespace);
        for (const m of list) if (isMessageLike(m)) this.message(m, key, origin, true);
      }
    }
  }

  /** The origin of a node's values and its key, made once per node and namespace (every chunk of a graph asks). */
  private originFor(node: string | undefined, namespace: readonly string[] | undefined): readonly [PartOrigin | undefined, string] {
    const key = namespace === undefined ? node ?? '' : `${namespace.join('|')}|${node ?? ''}`;
    let entry = this.origins.get(key);
    if (entry === undefined) {
      const origin = originOf(node, namespace);
      entry = [origin, originKeyOf(origin)];
      this.origins.set(key, entry);
    }
    return entry;
  }

  // ── Messages ───────────────────────────────────────────────────────

  private message(m: MessageLike, originKey: string, origin: PartOrigin | undefined, whole = false): void {
    this.assembled = true;
    const type = m.type ?? roleType(m.role, m.tool_call_id);
    if (type === 'tool') return this.toolResult(m, origin);
    if (type !== undefined && type !== 'ai' && type !== 'AIMessageChunk') return; // human, system …: not the model's output
    const id = typeof m.id === 'string' && m.id.length > 0 ? m.id : undefined;
    if (!whole && Array.isArray(m.tool_call_chunks)) return this.chunk(m, id, originKey, origin);
    if (!whole && type === undefined) return this.chunk(m, id, originKey, origin); // a plain { content } chunk
    // A whole AIMessage: from `updates`, or `messages` with a model that does not stream.
    if (!this.messageIds.has(id ?? '') && this.interrupts.isResumedMessage(m.tool_calls)) return; // announced before the interrupt
    if (id !== undefined && this.messageIds.has(id)) {
      const streamed = this.open.find((s) => s.id === id);
      if (streamed) this.closeStreamed(streamed, m);
      return;
    }
    // Streamed by its node without an id: this is that message, whole.
    const unnamed = whole ? this.open.find((s) => s.originKey === originKey && s.id === undefined && s.blocks === undefined) : undefined;
    if (unnamed) {
      if (id !== undefined) this.adopt(unnamed, id);
      this.closeStreamed(unnamed, m);
      return;
    }
    for (const s of this.open.filter((s) => s.originKey === originKey)) this.closeStep(s);
    const step = this.openStep(id, originKey, origin);
    this.content(m, origin);
    const calls = m.tool_calls ?? [];
    const invalid = m.invalid_tool_calls ?? [];
    let index = 0;
    for (const tc of [...calls, ...invalid]) {
      const parsed = calls.includes(tc) && isPlainObject(tc.args) ? (tc.args as Record<string, unknown>) : undefined;
      const args = parsed ? JSON.stringify(parsed) : typeof tc.args === 'string' ? tc.args : '';
      const call = this.newCall(step, index++, str(tc.id), str(tc.name));
      call.parsed = parsed;
      this.appendArgs(call, args, origin);
      this.finishCall(step, call);
    }
    if (m.usage_metadata) step.usage = mergeUsage(step.usage, m.usage_metadata);
    step.finishReason = finishReasonOf(m.response_metadata) ?? inferredFinishReason(step);
    this.closeStep(step);
  }

  /**
   * The whole message of a step that streamed: it ends the step, and brings what
   * streaming callbacks may leave out of the chunks (the finish reason, sometimes usage).
   * No finish reason is inferred here: LangGraph hands on the message of a stream that
   * was cut cleanly just as whole (decision 0116).
   */
  private closeStreamed(step: Step, m: MessageLike): void {
    step.finishReason ??= finishReasonOf(m.response_metadata);
    if (step.usage === undefined && m.usage_metadata) step.usage = m.usage_metadata;
    this.closeStep(step);
  }

  private chunk(m: MessageLike, id: string | undefined, originKey: string, origin: PartOrigin | undefined): void {
    const open = this.open;
    const last = open.length === 1 ? open[0] : undefined;
    // Most chunks continue the one open message.
    const step = last !== undefined && last.originKey === originKey && last.id !== undefined && last.id === id ? last : this.stepFor(id, originKey, origin);
    const content = m.content;
    if (typeof content === 'string') {
      const reasoning = m.additional_kwargs?.reasoning_content;
      if (typeof reasoning === 'string' && reasoning.length > 0) this.sink.next(withOrigin({ type: 'reasoning', text: reasoning }, origin));
      if (content.length > 0) this.sink.next(withOrigin({ type: 'text', text: content }, origin));
    } else this.content(m, origin);
    const chunks = m.tool_call_chunks;
    if (chunks !== undefined && chunks.length > 0) for (let i = 0; i < chunks.length; i++) this.toolCallChunk(step, chunks[i], origin);
    const usage = m.usage_metadata;
    if (usage) step.usage = mergeUsage(step.usage, usage);
    const meta = m.response_metadata;
    if (meta !== undefined) {
      const reason = finishReasonOf(meta);
      if (reason !== undefined) {
        step.finishReason = reason;
        this.endMessage(step);
      }
    }
  }

  /** Emits the reasoning and text of a message or chunk. */
  private content(m: MessageLike, origin: PartOrigin | undefined): void {
    const reasoning = m.additional_kwargs?.reasoning_content;
    if (typeof reasoning === 'string' && reasoning.length > 0) this.sink.next(withOrigin({ type: 'reasoning', text: reasoning }, origin));
    const content = m.content;
    if (typeof content === 'string') {
      if (content.length > 0) this.sink.next(withOrigin({ type: 'text', text: content }, origin));
      return;
    }
    if (!Array.isArray(content)) return;
    for (const block of content) {
      if (typeof block === 'string') {
        if (block.length > 0) this.sink.next(withOrigin({ type: 'text', text: block }, origin));
        continue;
      }
      if (typeof block !== 'object' || block === null) continue;
      const b = block as { type?: unknown; text?: unknown; reasoning?: unknown; thinking?: unknown };
      if ((b.type === 'text' || b.type === 'text_delta') && typeof b.text === 'string') {
        if (b.text.length > 0) this.sink.next(withOrigin({ type: 'text', text: b.text }, origin));
      } else if (b.type === 'reasoning' || b.type === 'thinking') {
        const text = typeof b.reasoning === 'string' ? b.reasoning : typeof b.thinking === 'string' ? b.thinking : '';
        if (text.length > 0) this.sink.next(withOrigin({ type: 'reasoning', text }, origin));
      }
      // tool_use / input_json_delta blocks repeat what tool_call_chunks carry
    }
  }

  private toolResult(m: MessageLike, origin: PartOrigin | undefined): void {
    const id = str(m.tool_call_id) ?? '';
    if (this.resultIds.has(id)) return;
    this.resultIds.add(id);
    const owner = this.open.find((s) => s.calls.some((c) => c.id === id || c.partId === id));
    if (owner) this.closeStep(owner);
    const name = str(m.name) ?? this.callNames.get(id) ?? '';
    const part: ToolResultPart = { type: 'tool-result', id, name, content: m.content, isError: m.status === 'error' };
    this.sink.next(withOrigin(this.interrupts.isRejected(id) ? { ...part, isError: true, denied: true } : part, origin));
  }

  // ── Content-block events ───────────────────────────────────────────

  private modelEvent(e: Record<string, unknown>, event: string): void {
    if (!MODEL_STREAM_EVENTS.has(event)) {
      throw new TypeError(
        `toParts: ${JSON.stringify(event)} is not a content-block event of model.streamEvents() (called without version). ` +
          'v1/v2 events (on_chat_model_stream …) are not parts: use fromModelEvents(model, input), fromAgent, or fromRunnable.',
      );
    }
    this.assembled = true;
    switch (event) {
      case 'message-start': {
        for (const s of this.open.filter((s) => s.originKey === '')) this.closeStep(s);
        const step = this.openStep(str(e.id), '', undefined);
        step.blocks = new Map();
        if (isPlainObject(e.usage)) step.usage = normalizeUsage(e.usage as Partial<UsageMetadata>);
        return;
      }
      case 'content-block-start':
        return this.blockStart(this.eventStep(), e.index as number, e.content as Record<string, unknown> | undefined);
      case 'content-block-delta':
        return this.blockDelta(this.eventStep(), e.index as number, e);
      case 'content-block-finish':
        return this.blockFinish(this.eventStep(), e.index as number, e.content as Record<string, unknown> | undefined);
      case 'usage': {
        if (isPlainObject(e.usage)) this.eventStep().usage = normalizeUsage(e.usage as Partial<UsageMetadata>);
        return;
      }
      case 'message-finish': {
        const step = this.eventStep();
        const meta = isPlainObject(e.responseMetadata) ? (e.responseMetadata as Record<string, unknown>) : undefined;
        const reason = str(e.reason) ?? finishReasonOf(meta);
        if (reason !== undefined) step.finishReason = reason;
        if (isPlainObject(e.usage)) step.usage = normalizeUsage(e.usage as Partial<UsageMetadata>);
        this.closeStep(step);
        return;
      }
      case 'error': {
        const err = new Error(`The model stream reported an error: ${String(e.message)}`) as Error & { code?: unknown };
        if (e.code !== undefined) err.code = e.code;
        throw err;
      }
      default:
        return; // provider passthrough
    }
  }

  private eventStep(): Step {
    const step = this.open.find((s) => s.originKey === '') ?? this.openStep(undefined, '', undefined);
    step.blocks ??= new Map();
    return step;
  }

  private blockStart(step: Step, index: number, content: Record<string, unknown> | undefined): void {
    const type = typeof content?.type === 'string' ? content.type : '';
    const block: Block = { kind: 'other', emitted: 0 };
    step.blocks!.set(index, block);
    if (type === 'text') {
      block.kind = 'text';
      this.blockText(block, content?.text);
    } else if (type === 'reasoning' || type === 'thinking') {
      block.kind = 'reasoning';
      this.blockText(block, content?.reasoning ?? content?.thinking);
    } else if (TOOL_BLOCK_TYPES.has(type)) {
      block.kind = 'tool';
      const position = typeof content?.index === 'number' ? content.index : index;
      this.completeParsedCalls(step);
      const call = this.newCall(step, position, str(content?.id), str(content?.name));
      block.call = call;
      if (type === 'tool_call' && isPlainObject(content?.args)) {
        call.parsed = content!.args as Record<string, unknown>;
        this.appendArgs(call, JSON.stringify(call.parsed), undefined);
        this.finishCall(step, call);
      } else {
        if (typeof content?.args === 'string') this.appendArgs(call, content.args, undefined);
        else this.maybeStart(call, undefined);
      }
    }
  }

  private blockText(block: Block, text: unknown): void {
    if (typeof text !== 'string' || text.length === 0) return;
    block.emitted += text.length;
    this.sink.next({ type: block.kind === 'reasoning' ? 'reasoning' : 'text', text });
  }

  private blockDelta(step: Step, index: number, e: Record<string, unknown>): void {
    let delta = e.delta as Record<string, unknown> | undefined;
    if (!isPlainObject(delta)) delta = contentShapedDelta(e.content);
    if (delta === undefined) return;
    let block = step.blocks!.get(index);
    switch (delta.type) {
      case 'text-delta':
        if (!block) step.blocks!.set(index, (block = { kind: 'text', emitted: 0 }));
        return this.blockText(block.kind === 'reasoning' ? { kind: 'text', emitted: 0 } : block, delta.text);
      case 'reasoning-delta':
        if (!block) step.blocks!.set(index, (block = { kind: 'reasoning', emitted: 0 }));
        return this.blockText(block.kind === 'reasoning' ? block : { kind: 'reasoning', emitted: 0 }, delta.reasoning);
      case 'tool-call-delta': {
        const call = block?.call ?? this.blockStartTool(step, index);
        if (typeof delta.args === 'string' && !call.done) this.appendArgs(call, delta.args, undefined);
        return;
      }
      case 'block-delta': {
        const fields = delta.fields as Record<string, unknown> | undefined;
        if (!isPlainObject(fields) || typeof fields.type !== 'string' || !TOOL_BLOCK_TYPES.has(fields.type)) return;
        const call = block?.call ?? this.blockStartTool(step, index);
        if (call.done) return;
        if (call.id === undefined && typeof fields.id === 'string') call.id = fields.id;
        if (call.name === undefined && typeof fields.name === 'string') call.name = fields.name;
        // A snapshot of the arguments so far: emit what it adds.
        if (typeof fields.args === 'string') {
          if (fields.args.startsWith(call.args)) this.appendArgs(call, fields.args.slice(call.args.length), undefined);
          else call.args = fields.args;
        } else this.maybeStart(call, undefined);
        return;
      }
      default:
        return; // data-delta and future delta types carry no part
    }
  }

  private blockStartTool(step: Step, index: number): Call {
    this.blockStart(step, index, { type: 'tool_call_chunk' });
    return step.blocks!.get(index)!.call!;
  }

  private blockFinish(step: Step, index: number, content: Record<string, unknown> | undefined): void {
    let block = step.blocks!.get(index);
    const type = typeof content?.type === 'string' ? content.type : '';
    if (!block) {
      // A block that arrives whole.
      this.blockStart(step, index, content);
      block = step.blocks!.get(index)!;
      if (block.kind !== 'tool') return;
    }
    if (block.kind === 'text' && block.emitted === 0) return this.blockText(block, content?.text);
    if (block.kind === 'reasoning' && block.emitted === 0) return this.blockText(block, content?.reasoning ?? content?.thinking);
    const call = block.call;
    if (!call || call.done) return;
    if (call.id === undefined && typeof content?.id === 'string') call.id = content.id;
    if (call.name === undefined && typeof content?.name === 'string') call.name = content.name;
    if (type === 'tool_call' && call.args.length === 0 && isPlainObject(content?.args)) {
      call.parsed = content!.args as Record<string, unknown>;
      this.appendArgs(call, JSON.stringify(call.parsed), undefined);
    }
    this.finishCall(step, call);
  }

  // ── Tool-call assembly ─────────────────────────────────────────────

  private toolCallChunk(step: Step, tc: { id?: unknown; name?: unknown; args?: unknown; index?: unknown }, origin: PartOrigin | undefined): void {
    const id = typeof tc.id === 'string' && tc.id.length > 0 ? tc.id : undefined;
    const index = typeof tc.index === 'number' ? tc.index : undefined;
    let call: Call | undefined;
    const calls = step.calls;
    if (index !== undefined) {
      for (let i = 0; i < calls.length; i++) if (calls[i].index === index) call = calls[i];
    } else if (id !== undefined) {
      call = calls.find((c) => c.id === id);
    } else {
      call = step.lastCall;
    }
    if (call === undefined) {
      // The next index starts: earlier calls whose arguments are whole JSON are complete.
      this.completeParsedCalls(step);
      call = this.newCall(step, index ?? calls.length, id, str(tc.name));
    } else {
      if (call.id === undefined && id !== undefined) call.id = id;
      if (call.name === undefined && typeof tc.name === 'string' && tc.name.length > 0) call.name = tc.name;
    }
    step.lastCall = call;
    if (call.done) return;
    const args = tc.args;
    if (typeof args === 'string') this.appendArgs(call, args, origin);
    else if (isPlainObject(args)) this.appendArgs(call, JSON.stringify(args), origin);
    else this.maybeStart(call, origin);
  }

  private newCall(step: Step, index: number, id: string | undefined, name: string | undefined): Call {
    const call: Call = { step: step.step, index, id, name, args: '', parsed: undefined, partId: '', started: false, done: false };
    step.calls.push(call);
    step.lastCall = call;
    return call;
  }

  /** Emits `tool-call-start` once the name is known (the id may still be missing: then one is made up). */
  private maybeStart(call: Call, origin: PartOrigin | undefined): void {
    if (call.started || call.name === undefined) return;
    call.started = true;
    call.partId = call.id ?? `tool-call-${call.step}-${call.index}`;
    this.callNames.set(call.partId, call.name);
    this.sink.next(withOrigin({ type: 'tool-call-start', id: call.partId, name: call.name, index: call.index }, origin));
    if (call.args.length > 0) this.sink.next(withOrigin({ type: 'tool-call-delta', id: call.partId, argsText: call.args }, origin));
  }

  private appendArgs(call: Call, text: string, origin: PartOrigin | undefined): void {
    if (text.length === 0) return this.maybeStart(call, origin);
    call.args += text;
    if (call.started) this.sink.next(withOrigin({ type: 'tool-call-delta', id: call.partId, argsText: text }, origin));
    else this.maybeStart(call, origin);
  }

  /** When another call starts: open calls whose arguments already parse are complete. */
  private completeParsedCalls(step: Step): void {
    for (const call of step.calls) {
      if (!call.done && call.args.length > 0 && parseArgs(call.args) !== undefined) this.finishCall(step, call);
    }
  }

  private finishCall(step: Step, call: Call): void {
    if (call.done) return;
    const origin = step.origin;
    call.done = true;
    if (!call.started) {
      call.name ??= '';
      this.maybeStart(call, origin);
    }
    let args = call.parsed;
    let invalid = call.name === '';
    if (args === undefined) {
      if (call.args.trim().length === 0) args = {}; // a zero-argument tool (args '' or never sent)
      else {
        args = parseArgs(call.args);
        if (args === undefined) {
          args = {};
          invalid = true;
        }
      }
    }
    const part: ToolCallPart = invalid
      ? { type: 'tool-call', id: call.partId, name: call.name!, args, invalid: true, argsText: call.args }
      : { type: 'tool-call', id: call.partId, name: call.name!, args };
    this.interrupts.seeCall(step.step, part);
    this.sink.next(withOrigin(part, origin));
  }

  // ── Steps ──────────────────────────────────────────────────────────

  private stepFor(id: string | undefined, originKey: string, origin: PartOrigin | undefined): Step {
    const open = this.open;
    // Fast path: one open step, same message.
    if (open.length === 1) {
      const s = open[0];
      if (s.originKey === originKey && (id === undefined || s.id === id || s.id === undefined)) {
        if (s.id === undefined && id !== undefined) this.adopt(s, id);
        return s;
      }
    }
    if (id !== undefined) {
      const byId = open.find((s) => s.id === id);
      if (byId) return byId;
    }
    const sameOrigin = open.filter((s) => s.originKey === originKey);
    for (const s of sameOrigin) {
      if (id === undefined || s.id === undefined) {
        if (s.id === undefined && id !== undefined) this.adopt(s, id);
        return s;
      }
    }
    // A new message of the same node: the previous one is over.
    for (const s of sameOrigin) this.closeStep(s);
    return this.openStep(id, originKey, origin);
  }

  private adopt(step: Step, id: string): void {
    step.id = id;
    this.messageIds.add(id);
  }

  private openStep(id: string | undefined, originKey: string, origin: PartOrigin | undefined): Step {
    const step: Step = {
      step: this.steps++,
      id,
      originKey,
      origin,
      calls: [],
      lastCall: undefined,
      finishReason: undefined,
      usage: undefined,
      ended: false,
      blocks: undefined,
    };
    if (id !== undefined) this.messageIds.add(id);
    this.open.push(step);
    this.sink.next(withOrigin({ type: 'step-start', step: step.step }, origin));
    return step;
  }

  /** The message is over: its open tool calls are complete. */
  private endMessage(step: Step): void {
    step.ended = true;
    for (const call of step.calls) this.finishCall(step, call);
  }

  private closeStep(step: Step): void {
    const i = this.open.indexOf(step);
    if (i < 0) return;
    this.endMessage(step);
    this.open.splice(i, 1);
    const { usage, finishReason, origin } = step;
    if (usage) {
      this.runUsage = mergeUsage(this.runUsage, usage);
      this.sink.next(withOrigin({ type: 'usage', usage }, origin));
    }
    // The run's finish reason is its last step's: a run whose last step was cut is 'unknown'.
    this.runFinishReason = finishReason;
    this.sink.next(
      withOrigin(
        { type: 'step-finish', step: step.step, ...(finishReason !== undefined && { finishReason }), ...(usage && { usage }) },
        origin,
      ),
    );
  }
}

/** The message type of a plain `{ role, content }` object; undefined (a chunk) when it has no role. */
function roleType(role: unknown, toolCallId: unknown): string | undefined {
  if (role === undefined) return typeof toolCallId === 'string' ? 'tool' : undefined;
  if (role === 'assistant' || role === 'ai') return 'ai';
  if (role === 'tool') return 'tool';
  return 'other';
}

/**
 * A message that arrived whole without streaming (a model that does not stream) proves
 * the model finished, but may not say how: say what it was. Not for streamed steps.
 */
function inferredFinishReason(step: Step): string {
  return step.calls.length > 0 ? 'tool_calls' : 'stop';
}

function notParts(value: unknown): TypeError {
  return new TypeError(
    `toParts: cannot turn ${describe(value)} into parts; expected a string, a message chunk or message, a content-block event ` +
      '(model.streamEvents() without version), a LangGraph [message, metadata] pair or [mode, data] tuple, or a part.',
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** `[message, metadata]` as LangGraph's `messages` mode yields it. */
export function isMessagePair(value: unknown): value is [MessageLike, Record<string, unknown>] {
  return isGraphMessagePair(value, isMessageLike);
}

function originOf(node: string | undefined, namespace: readonly string[] | undefined): PartOrigin | undefined {
  if (node === undefined && namespace === undefined) return undefined;
  return { ...(node !== undefined && { node }), ...(namespace !== undefined && { namespace }) };
}

function originKeyOf(origin: PartOrigin | undefined): string {
  if (origin === undefined) return '';
  return origin.namespace ? `${origin.namespace.join('|')}|${origin.node ?? ''}` : origin.node ?? '';
}

function withOrigin<P extends StreamPart>(part: P, origin: PartOrigin | undefined): P {
  if (origin === undefined) return part;
  if (origin.node !== undefined) (part as { node?: string }).node = origin.node;
  if (origin.namespace !== undefined) (part as { namespace?: readonly string[] }).namespace = origin.namespace;
  return part;
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
  const sum = mergeUsageMetadata(a, b);
  if (sum.input_token_details && Object.keys(sum.input_token_details).length === 0) delete sum.input_token_details;
  if (sum.output_token_details && Object.keys(sum.output_token_details).length === 0) delete sum.output_token_details;
  return sum;
}

function normalizeUsage(usage: Partial<UsageMetadata>): UsageMetadata {
  return { ...usage, input_tokens: usage.input_tokens ?? 0, output_tokens: usage.output_tokens ?? 0, total_tokens: usage.total_tokens ?? 0 };
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
