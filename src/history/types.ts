import type { Observable, ObservableInput, SchedulerLike } from 'rxjs';
import type { AIMessage, AIMessageChunk, BaseMessage } from '@langchain/core/messages';
import type { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import type { RequireCompletionOptions } from '../operators/requireCompletion';
import type { ApprovalRequestPart, StreamPart } from '../parts/types';
import type { ApprovalDecision } from '../sources/approvalResume';

/**
 * A turn that answers the approval requests the previous agent run stopped at, instead of
 * asking a question: `chatTurns` takes it among the questions, `streamTurn` gets its
 * `decisions`, and what the resumed run adds is saved after the awaiting messages.
 */
export interface DecisionTurn {
  readonly decisions: readonly ApprovalDecision[];
}

/** What `streamTurn` receives for one turn. */
export interface TurnInput {
  /** The windowed history (see `windowHistory`), oldest first; no system prompt added. */
  history: BaseMessage[];
  /** The user's question of this turn. */
  question: string;
  /** 0-based turn number within the session (the question's index in the source). */
  turn: number;
  /** Set for a {@link DecisionTurn} (then `question` is ''): resume the agent run with these decisions. */
  decisions?: readonly ApprovalDecision[];
}

/**
 * Streams the reply to one turn, e.g.
 * `({ history, question }) => fromRunnable(prompt.pipe(model), { history, question })`.
 * Chunks are `AIMessageChunk`s. Plain strings are accepted (and wrapped) only with
 * `requireCompletion: false`: a string carries no finish reason, so a cut reply could
 * not be told from a complete one. Or the whole turn is an agent run: a stream of
 * {@link StreamPart}s (`fromAgent`, `streamAgentTurn(agent)`), whose messages are saved
 * (decision 0117).
 */
export type StreamTurn = (input: TurnInput) => ObservableInput<AIMessageChunk | string | StreamPart>;

/**
 * What happens to a stopped or failed turn: `'discard'` saves nothing (default);
 * `'keep-partial'` saves the question and the partial reply marked
 * `response_metadata.partial: true`.
 */
export type IncompleteReplyPolicy = 'discard' | 'keep-partial';

/**
 * The completion check of a chat turn (the `requireCompletion()` operator, on by
 * default): `true` uses `hasFinishReason`, an object gives your own `isFinal`,
 * `false` turns it off for models that never report a finish reason (LangChain's
 * `FakeListChatModel`, a chain ending in a string output parser).
 */
export type TurnCompletionCheck = boolean | RequireCompletionOptions<AIMessageChunk>;

/** Options of `chatTurns`. */
export interface ChatTurnsOptions {
  /**
   * Where the conversation is read from before and written to after each turn.
   * Any LangChain `BaseListChatMessageHistory`; stores that also implement
   * `SyncMessageStore` are read and written synchronously (decision 0020).
   * Default: a fresh `SyncInMemoryChatMessageHistory` per subscription.
   */
  history?: BaseListChatMessageHistory;
  /**
   * How many stored messages `streamTurn` sees at most (seed: 10). The window
   * never starts with an answer whose question was cut off; leading system
   * messages of the store are kept in front and not counted. Default 10;
   * `Infinity` keeps everything.
   */
  maxMessages?: number;
  /**
   * Each emission ends the reply that is streaming now (the CLI's Ctrl-C);
   * the session goes on with the next question. Only observed while a turn
   * runs, so use a hot source (a Subject).
   */
  stop$?: Observable<unknown>;
  /** Policy for stopped and failed turns. Default `'discard'`. */
  onIncomplete?: IncompleteReplyPolicy;
  /**
   * A reply must prove it finished (a `finish_reason` in some chunk), otherwise the
   * turn is an `error` event carrying `StreamInterruptedError` (with `partialText`)
   * and nothing is saved as complete: the OpenAI SDK ends a cleanly cut stream
   * silently, so without this check a cut reply looks like a short answer. A reply
   * that fails after its first chunk becomes `StreamInterruptedError` too.
   * Default `true`; `false` for models that never report a finish reason
   * (LangChain's `FakeListChatModel`); `{ isFinal }` for your own end marker.
   * An agent run (a part stream) is complete only when every step it started
   * finished with a finish reason (decision 0117); `isFinal` does not apply to it.
   */
  requireCompletion?: TurnCompletionCheck;
  /** Clock for `durationMs` / `firstChunkMs`. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

interface TurnEventBase {
  /** 0-based turn number. */
  turn: number;
  question: string;
}

/**
 * One chunk of the reply. `text` is this chunk's text (a delta), possibly '' (a
 * role-only, usage-only or tool-call chunk).
 */
export interface TurnMessageChunkEvent extends TurnEventBase {
  type: 'chunk';
  chunk: AIMessageChunk;
  part?: undefined;
  text: string;
}

/**
 * One part of an agent run (a turn whose `streamTurn` streams parts). `text` is the
 * answer text of a `text` part, '' for every other part (reasoning, tool calls, results).
 */
export interface TurnPartEvent extends TurnEventBase {
  type: 'chunk';
  chunk?: undefined;
  part: StreamPart;
  text: string;
}

/** One chunk of the reply: a model's `chunk`, or a `part` of an agent run. */
export type TurnChunkEvent = TurnMessageChunkEvent | TurnPartEvent;

/** The turn completed and question + full answer are saved in the history. */
export interface TurnDoneEvent extends TurnEventBase {
  type: 'done';
  /** The whole reply text (of an agent run: the text of all its steps). */
  text: string;
  /**
   * All chunks merged with LangChain `concat` (with `usage_metadata`), as saved; of an
   * agent run, its last `AIMessage` (the answer).
   */
  message: AIMessage;
  /**
   * Every message saved after the question: `[message]` for a model's reply; of an agent
   * run, its `AIMessage`s with their tool calls, the `ToolMessage`s and the answer.
   */
  messages: BaseMessage[];
  /** Chunks with content (text, reasoning or a tool-call delta; `hasContent`). */
  chunks: number;
  /** From the start of the turn (after waiting in the queue) to the save, ms. */
  durationMs: number;
  /** From the start of the turn to the first chunk with content, ms; `null` when none had content. */
  firstChunkMs: number | null;
}

/**
 * The turn ended without a complete reply; the session goes on. `stopped`: the
 * user ended it on purpose (`stop$`). `error`: it failed, was cut
 * (`StreamInterruptedError`) or timed out (`StreamTimeoutError`).
 */
export interface TurnFailedEvent extends TurnEventBase {
  type: 'stopped' | 'error';
  /** Text the user had seen when the reply ended. */
  partialText: string;
  /** The error, for `type: 'error'`. */
  error?: unknown;
  /** Chunks with content. */
  chunks: number;
  durationMs: number;
  /** `null` when no chunk had content. */
  firstChunkMs: number | null;
  /**
   * True when `onIncomplete: 'keep-partial'` saved the question and the partial reply
   * (marked partial; of an agent run, the messages so far without unanswered tool calls).
   */
  saved: boolean;
}

/**
 * The agent run stopped for a person's decision (`approval-request` parts, finish
 * `'awaiting-decision'`): the question and the run so far are saved, the `AIMessage` with the
 * guarded calls marked `response_metadata.awaiting_decision` (decision 0197). Neither done
 * nor cut: answer it with a {@link DecisionTurn}.
 */
export interface TurnAwaitingEvent extends TurnEventBase {
  type: 'awaiting';
  /** What the run waits for, in order. */
  requests: readonly ApprovalRequestPart[];
  /** The answer text so far. */
  text: string;
  /** Every message saved after the question (the last one holds the guarded calls). */
  messages: BaseMessage[];
  chunks: number;
  durationMs: number;
  firstChunkMs: number | null;
}

/** What `chatTurns` emits, discriminated by `type`. */
export type TurnEvent = TurnChunkEvent | TurnDoneEvent | TurnFailedEvent | TurnAwaitingEvent;
