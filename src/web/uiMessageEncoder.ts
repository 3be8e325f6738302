import { mergeUsageMetadata, type UsageMetadata } from '@langchain/core/messages';
import type { StreamPart } from '../parts/types';
import { describe } from '../internal/validate';
import type { ProgressEvent, ProgressTracker } from '../operators/progress';
import { PartAssembler } from '../decode/assemble';
import type { UIFinishReason, UIMessageChunk } from './uiMessageChunk';
import { approvalRequestChunk, deniedChunk } from './approvalChunks';
import { toolPartChunks } from './uiToolChunks';

/** What the encoder reads: parts, message chunks (`fromRunnable(model, …)`), or plain text. */
export type UIEncoderInput = StreamPart | { readonly content: unknown } | string;

/** What {@link UIMessageEncoder} needs of `toUIMessageStream`'s options, validated. */
export interface UIEncoderConfig {
  readonly where: string;
  readonly sendReasoning: boolean;
  readonly dynamicTools: boolean;
  readonly sendMetadata: boolean;
  readonly customData: 'transient' | 'persistent' | 'drop';
  readonly errorText: (error: unknown) => string;
  /** Milliseconds since the stream started (for `firstChunkMs`). */
  readonly elapsed: () => number;
  /** True once the subscriber is closed: the rest of a batch of parts is dropped. */
  readonly closed: () => boolean;
}

/** The metadata `toUIMessageStream({ metadata: true })` sends. */
export interface UIMessageStreamMetadata {
  usage: UsageMetadata | null;
  firstChunkMs: number | null;
}

const FINISH_REASONS: Record<string, UIFinishReason> = {
  stop: 'stop', end_turn: 'stop', stop_sequence: 'stop', STOP: 'stop', eos: 'stop',
  length: 'length', max_tokens: 'length', MAX_TOKENS: 'length',
  content_filter: 'content-filter', 'content-filter': 'content-filter', SAFETY: 'content-filter', refusal: 'content-filter',
  tool_calls: 'tool-calls', 'tool-calls': 'tool-calls', tool_use: 'tool-calls', function_call: 'tool-calls',
  error: 'error', other: 'other',
  // The run waits for a person's decision about its tool calls (as the AI SDK's own server ends there).
  'awaiting-decision': 'tool-calls',
};

/**
 * The AI SDK's finish reason for a provider's (`finish_reason: 'tool_calls'` → `'tool-calls'`,
 * Anthropic's `end_turn` → `'stop'`, …); `'other'` for anything unknown.
 */
export function toUIFinishReason(reason: string): UIFinishReason {
  return Object.prototype.hasOwnProperty.call(FINISH_REASONS, reason) ? FINISH_REASONS[reason] : 'other';
}

/** `errorText(error)`, never throwing: a failing or non-string redactor gives a generic text. */
function errorTextOf(errorText: (error: unknown) => string, error: unknown): string {
  try {
    const text = errorText(error);
    return typeof text === 'string' ? text : 'The stream failed.';
  } catch {
    return 'The stream failed.';
  }
}

/**
 * The state machine of one UI message stream (one per subscription): each method hands the
 * chunks its input makes to `emit`, in the order the AI SDK client accepts (steps, one open text
 * or reasoning block, tool input before output, `finish` once). No Observable here: the operator
 * that owns it (`toUIMessageStream`) subscribes and emits.
 */
export class UIMessageEncoder {
  private firstChunkMs: number | null = null;
  private open: 'text' | 'reasoning' | undefined;
  private openId = '';
  private blocks = 0;
  private stepOpen = false;
  /** `finish` sent; later values are ignored. */
  private finished = false;
  private lastFinishReason: string | undefined;
  private usage: UsageMetadata | undefined;
  /** Message chunks → parts, as `toParts()`. */
  private adapter: PartAssembler | undefined;
  private readonly pending: StreamPart[] = [];
  readonly announced = new Set<string>();

  constructor(
    private readonly config: UIEncoderConfig,
    private readonly tracker: ProgressTracker | undefined,
    private readonly emit: (chunk: UIMessageChunk) => void,
  ) {}

  /** The `start` chunk. */
  start(messageId: string): void {
    this.emit({ type: 'start', messageId });
  }

  /** The chunks of one source value; throws a TypeError for a value of no known shape. */
  push(value: UIEncoderInput): void {
    if (this.finished) return;
    if (typeof value === 'string') return this.textLike('text', value);
    if (typeof value !== 'object' || value === null) throw this.notInput(describe(value));
    // Parts by their `type` first: a tool-result part has `content` too.
    if (typeof (value as { type?: unknown }).type === 'string' && this.part(value as StreamPart)) return;
    if (!('content' in value)) throw this.notInput(`a value of type ${describe((value as { type?: unknown }).type)}`);
    this.adapter ??= new PartAssembler({ next: (part) => this.pending.push(part) });
    this.adapter.push(value);
    this.drain();
  }

  /** The source completed: the last parts, then `finish` if none came. */
  complete(): void {
    if (this.adapter) {
      this.adapter.end();
      this.drain();
    }
    if (!this.finished) this.finish(this.lastFinishReason, undefined);
  }

  /** The source failed: open blocks and the step end, then one `error` chunk. */
  fail(error: unknown): void {
    this.closeStep();
    this.emit({ type: 'error', errorText: errorTextOf(this.config.errorText, error) });
  }

  /** A stop: the reply ends with `abort` (nothing when `finish` was already sent). */
  abort(reason: unknown): void {
    if (this.finished) return;
    this.closeStep();
    this.emit(typeof reason === 'string' && reason !== '' ? { type: 'abort', reason } : { type: 'abort' });
  }

  private notInput(what: string): TypeError {
    return new TypeError(`${this.config.where}: expected StreamParts, AIMessageChunks or strings, got ${what}.`);
  }

  private drain(): void {
    const pending = this.pending;
    for (let i = 0; i < pending.length && !this.config.closed(); i++) if (!this.finished) this.part(pending[i]);
    pending.length = 0;
  }

  private sawContent(): void {
    if (this.firstChunkMs === null) this.firstChunkMs = this.config.elapsed();
  }

  private closeBlock(): void {
    if (this.open === undefined) return;
    this.emit(this.open === 'text' ? { type: 'text-end', id: this.openId } : { type: 'reasoning-end', id: this.openId });
    this.open = undefined;
  }

  private openStep(): void {
    if (this.stepOpen) return;
    this.stepOpen = true;
    this.emit({ type: 'start-step' });
  }

  private closeStep(): void {
    this.closeBlock();
    if (!this.stepOpen) return;
    this.stepOpen = false;
    this.emit({ type: 'finish-step' });
  }

  private textLike(kind: 'text' | 'reasoning', text: string): void {
    if (text.length === 0) return;
    this.sawContent();
    this.openStep();
    if (this.open !== kind) {
      this.closeBlock();
      this.open = kind;
      this.openId = `${kind}-${++this.blocks}`;
      this.emit(kind === 'text' ? { type: 'text-start', id: this.openId } : { type: 'reasoning-start', id: this.openId });
    }
    const id = this.openId;
    this.emit(kind === 'text' ? { type: 'text-delta', id, delta: text } : { type: 'reasoning-delta', id, delta: text });
    if (kind === 'text' && this.tracker) {
      const event = this.tracker.push(text);
      if (event) this.emit(progressChunk(event));
    }
  }

  private finish(reason: string | undefined, finalUsage: UsageMetadata | undefined): void {
    this.closeStep();
    this.finished = true;
    if (this.tracker) this.emit(progressChunk(this.tracker.final()));
    if (this.config.sendMetadata) {
      const messageMetadata: UIMessageStreamMetadata = { usage: finalUsage ?? this.usage ?? null, firstChunkMs: this.firstChunkMs };
      this.emit({ type: 'message-metadata', messageMetadata });
    }
    this.emit(reason === undefined ? { type: 'finish' } : { type: 'finish', finishReason: toUIFinishReason(reason) });
  }

  /** Handles a part; false for a `type` that is not a part's. */
  private part(part: StreamPart): boolean {
    switch (part.type) {
      case 'text':
        this.textLike('text', part.text);
        return true;
      case 'reasoning':
        if (this.config.sendReasoning) this.textLike('reasoning', part.text);
        else if (part.text.length > 0) this.sawContent();
        return true;
      case 'tool-call-start':
      case 'tool-call-delta':
      case 'tool-call':
      case 'tool-result':
        return this.toolPart(part);
      case 'approval-request': {
        this.closeStep();
        const chunk = approvalRequestChunk(part, this.announced, (part as { signature?: string }).signature);
        if (chunk) this.emit(chunk);
        return true;
      }
      default:
        return this.runPart(part);
    }
  }

  /** A tool call's parts: the step and blocks around them, then their chunks (`uiToolChunks.ts`). */
  private toolPart(part: StreamPart & { type: 'tool-call-start' | 'tool-call-delta' | 'tool-call' | 'tool-result' }): boolean {
    if (part.type === 'tool-result') {
      this.closeBlock();
      const denied = deniedChunk(part);
      if (denied) this.emit(denied);
      else for (const chunk of toolPartChunks(part, this.announced, this.config.dynamicTools)) this.emit(chunk);
      return true;
    }
    if (part.type === 'tool-call-delta' && (part.argsText.length === 0 || !this.announced.has(part.id))) return true;
    this.sawContent();
    if (part.type !== 'tool-call-delta') {
      this.openStep();
      this.closeBlock();
    }
    for (const chunk of toolPartChunks(part, this.announced, this.config.dynamicTools)) this.emit(chunk);
    return true;
  }

  /** Steps, usage, custom data and the run's finish. */
  private runPart(part: StreamPart): boolean {
    switch (part.type) {
      case 'step-start':
        this.closeStep();
        this.openStep();
        return true;
      case 'step-finish':
        this.closeStep();
        if (part.finishReason) this.lastFinishReason = part.finishReason;
        return true;
      case 'usage':
        this.usage = mergeUsageMetadata(this.usage, part.usage);
        return true;
      case 'custom':
        if (this.config.customData === 'drop') return true;
        this.emit({ type: 'data-custom', data: part.data, ...(this.config.customData === 'transient' && { transient: true }) });
        return true;
      case 'finish':
        this.finish(part.finishReason, part.usage);
        return true;
      default:
        return false;
    }
  }
}

function progressChunk(event: ProgressEvent): UIMessageChunk {
  return { type: 'data-progress', data: event, transient: true };
}
