import type { UsageMetadata } from '@langchain/core/messages';
import type { ModelStreamEvent } from './events';

/**
 * Where a part came from when it was streamed by a graph: the LangGraph node
 * (`'model'`, `'tools'`, …) and, inside subgraphs, the namespace path.
 */
export interface PartOrigin {
  readonly node?: string;
  readonly namespace?: readonly string[];
}

/** A piece of the answer's text. */
export interface TextPart extends PartOrigin {
  readonly type: 'text';
  readonly text: string;
}

/** A piece of the model's reasoning (thinking) text, shown apart from the answer. */
export interface ReasoningPart extends PartOrigin {
  readonly type: 'reasoning';
  readonly text: string;
}

/** The model began a tool call: its id and name are known, its arguments follow. */
export interface ToolCallStartPart extends PartOrigin {
  readonly type: 'tool-call-start';
  readonly id: string;
  readonly name: string;
  /** The call's position within its message (several calls stream interleaved by index). */
  readonly index: number;
}

/** More of a tool call's JSON arguments, as the model wrote them (not parseable on its own). */
export interface ToolCallDeltaPart extends PartOrigin {
  readonly type: 'tool-call-delta';
  readonly id: string;
  readonly argsText: string;
}

/**
 * A complete tool call with parsed arguments (`{}` for a zero-argument tool).
 * When the arguments never parse as JSON, `invalid: true` and `argsText` holds
 * the raw text; never a crash.
 */
export interface ToolCallPart extends PartOrigin {
  readonly type: 'tool-call';
  readonly id: string;
  readonly name: string;
  readonly args: Record<string, unknown>;
  readonly invalid?: true;
  readonly argsText?: string;
}

/** A tool's answer to the call with the same `id`. */
export interface ToolResultPart extends PartOrigin {
  readonly type: 'tool-result';
  readonly id: string;
  readonly name: string;
  readonly content: unknown;
  readonly isError: boolean;
  /**
   * The tool never ran: a person rejected the call (a `reject` decision of a resumed run);
   * `content` is the rejection the model reads, `isError` is true.
   */
  readonly denied?: true;
}

/** What a person may decide about an approval request (`langchain`'s HITL decisions, and `respond` for other interrupts). */
export type ApprovalDecisionType = 'approve' | 'edit' | 'reject' | 'respond';

/**
 * The run stopped for a person's decision (an interrupt of LangGraph's `interrupt()`), and
 * the run's `finish` says `'awaiting-decision'`. For `langchain`'s `humanInTheLoopMiddleware`
 * there is one part per guarded tool call (`actionRequests[index]` with its `reviewConfigs`
 * entry): the call's id, tool name, input and the decisions allowed. Any other interrupt is
 * one part whose `value` is the interrupt's payload and whose only decision is `respond`.
 */
export interface ApprovalRequestPart extends PartOrigin {
  readonly type: 'approval-request';
  /** Unique per request: `<interruptId>:<index>` (the AI SDK's `approvalId`). */
  readonly id: string;
  /** LangGraph's interrupt id (what `Command({ resume: { [id]: … } })` answers). */
  readonly interruptId: string;
  /** Position within the interrupt (`actionRequests` index); 0 for other interrupts. */
  readonly index: number;
  /** How many requests the interrupt holds: a resume answers all of them at once. */
  readonly count: number;
  /** The id of the tool call it guards (matched in the run's tool calls), when known. */
  readonly toolCallId?: string;
  /** The guarded tool's name. */
  readonly toolName?: string;
  /** The call's arguments as the model wrote them. */
  readonly input?: Record<string, unknown>;
  /** The text the middleware made for a person (`description`). */
  readonly description?: string;
  /** The decisions this request accepts (`reviewConfigs[index].allowedDecisions`; `['respond']` for other interrupts). */
  readonly allowedDecisions: readonly ApprovalDecisionType[];
  /** JSON schema of the arguments an `edit` may give, when the middleware has one. */
  readonly argsSchema?: Record<string, unknown>;
  /** The interrupt's whole payload, as LangGraph stored it. */
  readonly value: unknown;
}

/** A model step (one model call of an agent run) began. Steps count from 0. */
export interface StepStartPart extends PartOrigin {
  readonly type: 'step-start';
  readonly step: number;
}

/** A model step ended, with its finish reason and usage when the model reported them. */
export interface StepFinishPart extends PartOrigin {
  readonly type: 'step-finish';
  readonly step: number;
  readonly finishReason?: string;
  readonly usage?: UsageMetadata;
}

/** Token usage reported by the model (per message). */
export interface UsagePart extends PartOrigin {
  readonly type: 'usage';
  readonly usage: UsageMetadata;
}

/** Data a graph node or tool wrote with LangGraph's custom stream writer. */
export interface CustomPart extends PartOrigin {
  readonly type: 'custom';
  readonly data: unknown;
}

/**
 * The whole run ended: the last finish reason and the summed usage. A run that stopped
 * for a person's decision ends with `finishReason: 'awaiting-decision'` after its
 * `approval-request` parts: it is neither complete nor cut.
 */
export interface FinishPart extends PartOrigin {
  readonly type: 'finish';
  readonly finishReason: string;
  readonly usage?: UsageMetadata;
}

/**
 * The typed stream of a model call or an agent run: what `toParts()`,
 * `fromModelEvents` and `fromAgent` emit, and what the web framing reads.
 * Discriminated on `type`.
 */
export type StreamPart =
  | TextPart
  | ReasoningPart
  | ToolCallStartPart
  | ToolCallDeltaPart
  | ToolCallPart
  | ToolResultPart
  | StepStartPart
  | StepFinishPart
  | UsagePart
  | CustomPart
  | ApprovalRequestPart
  | FinishPart;

/** The `type` of every part. */
export type StreamPartType = StreamPart['type'];

/**
 * What `toParts()` (and `textContent()`) accept: strings, LangChain messages and
 * chunks, content-block events, LangGraph `[message, metadata]` pairs and
 * `[mode, data]` / `[namespace, mode, data]` tuples, and parts themselves.
 */
export type PartSourceValue =
  | StreamPart
  | string
  | { readonly content: unknown }
  | ModelStreamEvent
  | { readonly event: string }
  | readonly unknown[];
