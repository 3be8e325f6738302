import type { Observable, ObservableInput, SchedulerLike } from 'rxjs';
import type { AIMessage, AIMessageChunk, BaseMessage } from '@langchain/core/messages';
import type { BaseListChatMessageHistory } from '@langchain/core/chat_history';

/** What `streamTurn` receives for one turn. */
export interface TurnInput {
  /** The windowed history (see `windowHistory`), oldest first; no system prompt added. */
  history: BaseMessage[];
  /** The user's question of this turn. */
  question: string;
  /** 0-based turn number within the session (the question's index in the source). */
  turn: number;
}

/**
 * Streams the reply to one turn, e.g.
 * `({ history, question }) => fromRunnable(prompt.pipe(model), { history, question })`.
 * Chunks are `AIMessageChunk`s (plain strings are accepted and wrapped).
 */
export type StreamTurn = (input: TurnInput) => ObservableInput<AIMessageChunk | string>;

/** What happens to an interrupted or failed turn: `'discard'` saves nothing (default). */
export type InterruptPolicy = 'discard' | 'keep-partial';

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
  /** Policy for interrupted and failed turns. Default `'discard'`. */
  onInterrupt?: InterruptPolicy;
  /** Clock for `durationMs` / `firstChunkMs`. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

interface TurnEventBase {
  /** 0-based turn number. */
  turn: number;
  question: string;
}

/** One chunk of the reply. `text` is this chunk's text (a delta), possibly ''. */
export interface TurnChunkEvent extends TurnEventBase {
  type: 'chunk';
  chunk: AIMessageChunk;
  text: string;
}

/** The turn completed and question + full answer are saved in the history. */
export interface TurnDoneEvent extends TurnEventBase {
  type: 'done';
  /** The whole reply text. */
  text: string;
  /** All chunks merged with LangChain `concat` (with `usage_metadata`), as saved. */
  message: AIMessage;
  /** Number of chunks received. */
  chunks: number;
  /** From the start of the turn (after waiting in the queue) to the save, ms. */
  durationMs: number;
  /** From the start of the turn to the first chunk, ms; undefined without chunks. */
  firstChunkMs: number | undefined;
}

/** The turn was stopped (`stop$`) or failed; the session goes on. */
export interface TurnFailedEvent extends TurnEventBase {
  type: 'interrupted' | 'error';
  /** Text received before the stop or error. */
  partialText: string;
  /** The error, for `type: 'error'`. */
  error?: unknown;
  chunks: number;
  durationMs: number;
  firstChunkMs: number | undefined;
  /** True when `onInterrupt: 'keep-partial'` saved the question and the partial reply. */
  saved: boolean;
}

/** What `chatTurns` emits, discriminated by `type`. */
export type TurnEvent = TurnChunkEvent | TurnDoneEvent | TurnFailedEvent;
