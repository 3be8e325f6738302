import { filter, last, lastValueFrom, map, Observable, Subject, type SchedulerLike, type Subscription } from 'rxjs';
import type { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import { AIMessage, SystemMessage, type AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import type { Runnable } from '@langchain/core/runnables';
import { fromRunnable, type StreamableRunnable } from '../sources/fromRunnable';
import { hasContent } from '../decode/content';
import { describe } from '../internal/validate';
import { checkChatSessionOptions } from './checkChatSessionOptions';
import { markEdits } from './editedCalls';
import { chatTurns } from './chatTurns';
import { streamAgentTurn, type MessagesInput } from './streamAgentTurn';
import type { AgentStreamConfig, StreamableAgent } from '../sources/fromAgent';
import { ChatSessionClosedError } from '../errors';
import { SyncInMemoryChatMessageHistory } from './SyncInMemoryChatMessageHistory';
import type { DecisionTurn, IncompleteReplyPolicy, StreamTurn, TurnChunkEvent, TurnCompletionCheck, TurnDoneEvent, TurnEvent } from './types';
import type { ApprovalRequestPart } from '../parts/types';
import type { ApprovalDecision } from '../sources/approvalResume';
import { PendingApprovals, type CommandClass } from './pendingApprovals';

/** What `ask()` resolves with (`{ text, chunks, durationMs, error }`). */
export interface TurnResult {
  /** The whole reply, or the partial text of a stopped / failed turn. */
  text: string;
  /** The saved merged message (with `usage_metadata`; of an agent run, its answer); only for a completed turn. */
  message?: AIMessage;
  /** Every message saved after the question (of an agent run: tool calls, tool results, the answer); only for a completed turn. */
  messages?: BaseMessage[];
  /** Chunks with content. */
  chunks: number;
  durationMs: number;
  /** From the start of the turn to the first chunk with content, ms; `null` when none had content. */
  firstChunkMs: number | null;
  /** Set when the turn failed, was cut (`StreamInterruptedError`) or timed out. */
  error?: unknown;
  /** Set when the agent run stopped for a decision: what it waits for (answer with `approve`, `reject`, `edit` or `decide`). */
  approvalRequests?: readonly ApprovalRequestPart[];
  /** True when `stop()` ended the turn. */
  stopped?: boolean;
}

/** Options of {@link ChatSession}: give `model` (the session builds the prompt), `runnable` or `agent`. */
export interface ChatSessionOptions {
  /** A chat model; the session streams `[system, ...history, human question]` to it. */
  model?: Runnable<BaseLanguageModelInput, AIMessageChunk>;
  /** Or your own chain taking `{ history, question }` and streaming `AIMessageChunk`s. */
  runnable?: StreamableRunnable<{ history: BaseMessage[]; question: string }, AIMessageChunk | string>;
  /**
   * Or an agent (`createAgent`, a graph over `{ messages }`): each turn is one run over
   * `{ messages: [...history, question] }` (see `streamAgentTurn`); the whole run is saved.
   * Its system prompt is the agent's (`createAgent({ systemPrompt })`).
   */
  agent?: StreamableAgent<MessagesInput>;
  /**
   * Run options of every agent turn (`recursionLimit`, `configurable`, `context` …); with `agent` only.
   * With a `configurable.thread_id` and an agent that has a checkpointer, the thread holds the
   * conversation: each turn sends only its question (decision 0197).
   */
  agentConfig?: AgentStreamConfig;
  /**
   * LangGraph's `Command` class (`import { Command } from '@langchain/langgraph'`), for
   * `approve` / `reject` / `edit` / `decide`: they resume the run with `new Command({ resume })`.
   */
  Command?: CommandClass;
  /** System prompt (with `model` only; kept outside the window). Default 'You are a helpful assistant.' */
  system?: string;
  /** Default: a new `SyncInMemoryChatMessageHistory`. */
  history?: BaseListChatMessageHistory;
  /** History window, see `chatTurns`. Default 10. */
  maxMessages?: number;
  /** See `chatTurns`. Default `'discard'`. */
  onIncomplete?: IncompleteReplyPolicy;
  /**
   * A reply without a finish reason is a cut (`StreamInterruptedError`), never saved
   * as complete; see `chatTurns`. Default `true`; `false` for models that never
   * report a finish reason (LangChain's `FakeListChatModel`).
   */
  requireCompletion?: TurnCompletionCheck;
  /** Clock for durations. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Called for every chunk with content: its text and the running count of such chunks in the turn. */
  onChunk?: (text: string, count: number, event: TurnChunkEvent) => void;
  /** Called when a turn completed and was saved. */
  onComplete?: (result: TurnResult, event: TurnDoneEvent) => void;
}

/**
 * A production chat session, observable-first: one `chatTurns` pipeline fed
 * by a Subject of questions. Turns run one at a time (a second `ask()` waits),
 * the full merged answer is saved, `stop()` ends the current reply only.
 * A reply without a finish reason is a cut: `ask()` resolves with `error`
 * (`StreamInterruptedError`, `text` = the partial text) and nothing is saved as
 * complete (`requireCompletion: false` turns the check off).
 * `send()` is lazy: the question is sent on subscribe, and unsubscribing
 * stops that turn (or withdraws it while it waits).
 *
 * With `agent`, each turn is an agent run: chunk events carry its parts (tool
 * calls as their arguments stream, results, the answer), the whole run is saved
 * once every step finished with a finish reason, and a stopped or cut run never
 * saves a tool call without its result (decision 0117).
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { ChatSession } from 'rxjs-langchain';
 *
 * const chat = new ChatSession({ model: new ChatOpenAI({ model: 'gpt-4o-mini' }), system: '你是专业的Python助手' });
 * chat.send('介绍Python').subscribe((e) => e.type === 'chunk' && process.stdout.write(e.text));
 * const { text, durationMs } = await chat.ask('它有什么特点？'); // waits for the first turn
 * process.on('SIGINT', () => chat.stop());
 * ```
 *
 * @example
 * ```ts
 * import { createAgent } from 'langchain';
 * import { ChatSession } from 'rxjs-langchain';
 * import { createOfflineTools, ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
 * const chat = new ChatSession({ agent });
 * const { text, messages } = await chat.ask('Python 3.0 是哪一年发布的？再过 16 年是哪一年？');
 * // messages: AIMessage (tool call), ToolMessage, AIMessage (tool call), ToolMessage, AIMessage (the answer)
 * ```
 *
 * @see {@link chatTurns}, the operator underneath.
 * @see {@link ChatSessionClosedError}
 *
 * @param options `model` (with `system`), `runnable` or `agent` (with `agentConfig`), and `history`, `maxMessages`, `onIncomplete`, `requireCompletion`, `onChunk`, `onComplete`, `scheduler`.
 */
export class ChatSession {
  /** Where the conversation is stored. */
  readonly history: BaseListChatMessageHistory;
  /** Every event of every turn, for UIs that render the whole session. Errors with ChatSessionClosedError on close(). */
  readonly events$: Observable<TurnEvent>;

  private readonly questions = new Subject<string | DecisionTurn>();
  private readonly approvals: PendingApprovals;
  private readonly events = new Subject<TurnEvent>();
  private readonly stops = new Subject<void>();
  private readonly subscription: Subscription;
  private nextTurn = 0;
  private streaming: number | undefined;
  private readonly withdrawn = new Set<number>();
  private closed = false;
  /** The decision turn that runs now (its edits mark what it saves). */
  private deciding: { turn: number; decisions: readonly ApprovalDecision[] } | undefined;

  constructor(options: ChatSessionOptions) {
    checkChatSessionOptions(options);
    const { agent, agentConfig, onChunk, onComplete, Command } = options;
    this.history = options.history ?? new SyncInMemoryChatMessageHistory();
    const chain = agent === undefined ? chainOf(options) : undefined;
    const agentTurn = agent !== undefined ? streamAgentTurn(agent, agentConfig, { Command }) : undefined;
    this.approvals = new PendingApprovals(this.history, Command);

    const streamTurn: StreamTurn = (input) => {
      const { history, question, turn } = input;
      this.streaming = turn;
      this.deciding = input.decisions && { turn, decisions: input.decisions };
      if (this.withdrawn.delete(turn)) {
        // Withdrawn while waiting: stop it before any request (stop$ is already watched).
        return new Observable<never>(() => this.stops.next());
      }
      return agentTurn ? agentTurn(input) : fromRunnable(chain!, { history, question });
    };

    const turns = chatTurns(streamTurn, {
      history: this.history,
      maxMessages: options.maxMessages,
      onIncomplete: options.onIncomplete,
      requireCompletion: options.requireCompletion,
      scheduler: options.scheduler,
      stop$: this.stops,
    });
    this.events$ = this.events.asObservable();
    let countedTurn = -1;
    let count = 0;
    this.subscription = this.questions.pipe(turns).subscribe((event) => {
      if (event.type === 'chunk') {
        if (event.turn !== countedTurn) [countedTurn, count] = [event.turn, 0];
        if (hasContent(event.part ?? event.chunk)) {
          count++;
          if (onChunk) invokeCallback(() => onChunk(event.text, count, event));
        }
        return this.events.next(event);
      }
      const ended = this.asSaved(event);
      this.approvals.settle(ended);
      if (this.streaming === ended.turn) this.streaming = undefined;
      this.withdrawn.delete(ended.turn);
      if (ended.type === 'done' && onComplete) invokeCallback(() => onComplete(toResult(ended), ended));
      this.events.next(ended);
    });
  }

  /**
   * A decision turn's messages as the history holds them: each edited call's result marked with
   * the call as it ran (`chatTurns` saves them so; `applyEditedCalls` reads them back, decision 0287).
   */
  private asSaved(event: Exclude<TurnEvent, TurnChunkEvent>): Exclude<TurnEvent, TurnChunkEvent> {
    if (this.deciding?.turn !== event.turn || (event.type !== 'done' && event.type !== 'awaiting')) return event;
    return { ...event, messages: markEdits(event.messages, this.deciding.decisions) };
  }

  /**
   * The events of one turn for `question`, ending with its `done`,
   * `stopped` or `error` event. Lazy: each subscription sends the question
   * once. Unsubscribing stops the turn (or withdraws it while it waits).
   *
   * @param question The user's question.
   * @returns The turn's events; completes after its last one.
   */
  send(question: string): Observable<TurnEvent> {
    if (typeof question !== 'string') throw new TypeError(`ChatSession.send: question must be a string, got ${describe(question)}.`);
    if (this.closed) throw new ChatSessionClosedError();
    this.approvals.assertNoneWaiting();
    return this.turn(question);
  }

  /** The requests the last agent run stopped at (also after a reload: read from the history); empty when nothing waits. */
  get pendingApprovals(): readonly ApprovalRequestPart[] {
    return this.approvals.pending;
  }

  /**
   * Answers the pending approval requests and resumes the run on its thread; resolves with
   * the resumed turn's result (saved after the awaiting messages).
   *
   * @param decisions One decision per pending request (see `approvalResume`).
   * @returns The resumed turn's result.
   */
  decide(decisions: ApprovalDecision | readonly ApprovalDecision[]): Promise<TurnResult> {
    if (this.closed) return Promise.reject(new ChatSessionClosedError());
    let turn: DecisionTurn;
    try {
      turn = this.approvals.decisionTurn(Array.isArray(decisions) ? decisions : [decisions as ApprovalDecision]);
    } catch (e) {
      return Promise.reject(e);
    }
    return lastValueFrom(this.turn(turn).pipe(last(), map((event) => toResult(event as Exclude<TurnEvent, TurnChunkEvent>))));
  }

  /**
   * Approves every pending request: the guarded calls run as the model wrote them.
   *
   * @returns The resumed turn's result.
   */
  approve(): Promise<TurnResult> {
    return this.decide(this.approvals.pending.map((request): ApprovalDecision => ({ type: 'approve', request })));
  }

  /**
   * Rejects every pending request: the calls never run, and the model reads `message`.
   *
   * @param message What the model is told (default: the middleware's own rejection text).
   * @returns The resumed turn's result.
   */
  reject(message?: string): Promise<TurnResult> {
    return this.decide(this.approvals.pending.map((request): ApprovalDecision => ({ type: 'reject', request, ...(message !== undefined && { message }) })));
  }

  /**
   * Runs the one pending call with other arguments.
   *
   * @param args The arguments the tool runs with.
   * @returns The resumed turn's result.
   */
  edit(args: Record<string, unknown>): Promise<TurnResult> {
    const pending = this.approvals.pending;
    if (pending.length !== 1) {
      return Promise.reject(new TypeError(`ChatSession.edit: ${pending.length} requests are pending; edit answers exactly one (use decide() for several).`));
    }
    return this.decide({ type: 'edit', request: pending[0], args });
  }

  private turn(question: string | DecisionTurn): Observable<TurnEvent> {
    return new Observable<TurnEvent>((subscriber) => {
      if (this.closed) {
        subscriber.error(new ChatSessionClosedError());
        return;
      }
      const turn = this.nextTurn++;
      let finished = false;
      const sub = this.events.pipe(filter((e) => e.turn === turn)).subscribe({
        next: (event) => {
          if (event.type !== 'chunk') finished = true;
          subscriber.next(event);
          if (finished) subscriber.complete();
        },
        error: (e: unknown) => subscriber.error(e),
      });
      this.questions.next(question);
      return () => {
        sub.unsubscribe();
        if (finished || this.closed) return;
        if (this.streaming === turn) this.stops.next();
        else this.withdrawn.add(turn);
      };
    });
  }

  /**
   * Sends `question` and resolves with the turn's result; never rejects for a
   * failed or cut turn (see `error`), only with `ChatSessionClosedError`.
   *
   * @param question The user's question.
   * @returns The text, counts and timings of the turn, and its `error` or `stopped`.
   */
  ask(question: string): Promise<TurnResult> {
    return lastValueFrom(this.send(question).pipe(last(), map((event) => toResult(event as Exclude<TurnEvent, TurnChunkEvent>))));
  }

  /** Ends the reply that is streaming now; the session goes on. A no-op between turns. */
  stop(): void {
    this.stops.next();
  }

  /** Aborts the current reply (nothing of it is saved) and ends the session; pending turns error with ChatSessionClosedError. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription.unsubscribe();
    this.events.error(new ChatSessionClosedError());
  }
}

function toResult(event: Exclude<TurnEvent, TurnChunkEvent>): TurnResult {
  const base = { chunks: event.chunks, durationMs: event.durationMs, firstChunkMs: event.firstChunkMs };
  if (event.type === 'done') return { text: event.text, message: event.message, messages: event.messages, ...base };
  if (event.type === 'stopped') return { text: event.partialText, stopped: true, ...base };
  if (event.type === 'awaiting') return { text: event.text, messages: event.messages, approvalRequests: event.requests, ...base };
  return { text: event.partialText, error: event.error, ...base };
}

/** The chain of a session without an agent: the user's `runnable`, or `[system, ...history, question]` into `model`. */
function chainOf(options: ChatSessionOptions): StreamableRunnable<{ history: BaseMessage[]; question: string }, AIMessageChunk | string> {
  return options.runnable ?? ChatPromptTemplate.fromMessages([
    // A message, not a template: braces in the system prompt stay literal.
    new SystemMessage(options.system ?? 'You are a helpful assistant.'),
    new MessagesPlaceholder('history'),
    ['human', '{question}'],
  ]).pipe(options.model!);
}

/** A throwing user callback must not kill the session: report it like RxJS reports unhandled errors. */
function invokeCallback(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    setTimeout(() => {
      throw e;
    });
  }
}
