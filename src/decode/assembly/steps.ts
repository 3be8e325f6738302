import type { UsageMetadata } from '@langchain/core/messages';
import { AWAITING_DECISION, InterruptDecoder, type ResumedCalls } from './interrupts';
import type { PartOrigin } from '../../parts/types';
import { mergeUsage, withOrigin, type PartSink } from './shapes';
import { finishCall } from './toolCalls';

/** A tool call being assembled. */
export interface Call {
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

/** A content block of a content-block event stream. */
export interface Block {
  kind: 'text' | 'reasoning' | 'tool' | 'other';
  /** Text emitted for a text or reasoning block. */
  emitted: number;
  call?: Call;
}

/** One model message being assembled. */
export interface Step {
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
 * What every decoder of the assembler shares: the sink, the open steps (one per model
 * message), the run's finish reason and usage, and what has been seen (message ids, tool
 * call names, result ids). Steps open at a message's first value and close when the
 * message is over for sure.
 */
export class Assembly {
  readonly open: Step[] = [];
  private steps = 0;
  private runFinishReason: string | undefined;
  private runUsage: UsageMetadata | undefined;
  /** Ids of AI messages already turned into a step (messages and updates both carry them). */
  readonly messageIds = new Set<string>();
  /** Tool call id → name, for results that lack a name. */
  readonly callNames = new Map<string, string>();
  readonly resultIds = new Set<string>();
  /** Something other than parts came in, so `end` reports the run's `finish`. */
  assembled = false;
  sawFinish = false;
  /** Origin and origin key by graph node and namespace. */
  readonly origins = new Map<string, readonly [PartOrigin | undefined, string]>();
  /** `__interrupt__` updates → `approval-request` parts (decision 0195). */
  readonly interrupts: InterruptDecoder;

  constructor(readonly sink: PartSink, resumed?: ResumedCalls) {
    this.interrupts = new InterruptDecoder((part) => sink.next(part), resumed);
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

  /** The open step of message `id` from `originKey`, or a new one (a new message of a node ends its previous one). */
  stepFor(id: string | undefined, originKey: string, origin: PartOrigin | undefined): Step {
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

  /** A step that opened without an id learns it. */
  adopt(step: Step, id: string): void {
    step.id = id;
    this.messageIds.add(id);
  }

  openStep(id: string | undefined, originKey: string, origin: PartOrigin | undefined): Step {
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
  endMessage(step: Step): void {
    step.ended = true;
    for (const call of step.calls) finishCall(this, step, call);
  }

  closeStep(step: Step): void {
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

/**
 * A message that arrived whole without streaming (a model that does not stream) proves
 * the model finished, but may not say how: say what it was. Not for streamed steps.
 */
export function inferredFinishReason(step: Step): string {
  return step.calls.length > 0 ? 'tool_calls' : 'stop';
}
