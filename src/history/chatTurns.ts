import {
  asyncScheduler, catchError, concat, concatMap, defer, EMPTY, from, ignoreElements, isObservable, map, NEVER,
  Observable, of, throwError, switchMap, takeUntil, tap, type MonoTypeOperatorFunction, type OperatorFunction, type SchedulerLike,
} from 'rxjs';
import { AIMessage, AIMessageChunk, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import type { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import { concat as concatChunks } from '@langchain/core/utils/stream';
import { ChunkStats } from '../operators/chunkStats';
import { StreamInterruptedError, StreamTimeoutError } from '../errors';
import { requireCompletion } from '../operators/requireCompletion';
import { assertFunction, assertObject, describe } from '../internal/validate';
import { isSyncMessageStore, SyncInMemoryChatMessageHistory } from './SyncInMemoryChatMessageHistory';
import type { ChatTurnsOptions, DecisionTurn, IncompleteReplyPolicy, StreamTurn, TurnEvent, TurnFailedEvent } from './types';
import { decisionTurnOf, savedAfterQuestion } from './decisionTurns';
import { assertMaxMessages, windowHistory } from './windowHistory';
import { isStreamPart } from '../decode/assemble';
import { RunCollector } from '../parts/collectRun';
import type { StreamPart } from '../parts/types';
import type { PartialReason } from './partialReply';

const POLICIES: readonly IncompleteReplyPolicy[] = ['discard', 'keep-partial'];

/** Read / write of one history, as Observables (sync stores emit synchronously). */
interface HistoryPort {
  read(): Observable<BaseMessage[]>;
  write(messages: BaseMessage[]): Observable<never>;
}

function portOf(history: BaseListChatMessageHistory): HistoryPort {
  if (isSyncMessageStore(history)) {
    return {
      read: () => defer(() => of(history.getMessagesSync())),
      write: (messages) => defer(() => {
        history.addMessagesSync(messages);
        return EMPTY;
      }),
    };
  }
  return {
    // Copy: LangChain's InMemoryChatMessageHistory returns its live array.
    read: () => defer(() => from(history.getMessages())).pipe(map((messages) => [...messages])),
    write: (messages) => defer(() => from(history.addMessages(messages))).pipe(ignoreElements()),
  };
}

/** The merged reply as a plain `AIMessage` (what gets stored). */
function toAIMessage(merged: AIMessageChunk | undefined): AIMessage {
  if (!merged) return new AIMessage({ content: '' });
  return new AIMessage({
    content: merged.content,
    id: merged.id,
    name: merged.name,
    additional_kwargs: merged.additional_kwargs,
    response_metadata: merged.response_metadata,
    usage_metadata: merged.usage_metadata,
    tool_calls: merged.tool_calls,
    invalid_tool_calls: merged.invalid_tool_calls,
  });
}


function partialReasonOf(stopped: boolean, error: unknown): PartialReason {
  if (stopped) return 'stop';
  if (error instanceof StreamInterruptedError) return 'cut';
  if (error instanceof StreamTimeoutError) return 'timeout';
  return 'error';
}

/** The partial reply, marked `partial: true` (docs/glossary.md "saved"); tool calls are dropped (they may be cut). */
function toPartialMessage(merged: AIMessage | AIMessageChunk | undefined, reason: PartialReason, error: unknown): AIMessage {
  const { finish_reason: _ignored, ...metadata } = (merged?.response_metadata ?? {}) as Record<string, unknown>;
  return new AIMessage({
    content: merged?.content ?? '',
    id: merged?.id,
    response_metadata: {
      ...metadata,
      partial: true,
      partial_reason: reason,
      ...(reason !== 'stop' && { error: error instanceof Error ? error.message : String(error) }),
    },
    additional_kwargs: merged?.additional_kwargs ?? {},
    usage_metadata: merged?.usage_metadata,
  });
}

/** The last `AIMessage` of a run's messages: its answer. */
function answerOf(messages: readonly BaseMessage[]): AIMessage {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m instanceof AIMessage) return m;
  }
  return new AIMessage({ content: '' });
}

/**
 * What is saved of a stopped or cut agent run (decision 0117): its messages so far
 * without a tool call that has no result, the last one the partial answer (marked
 * partial, never with a finish reason), an empty one when the run was cut after a
 * tool's result.
 */
export function toPartialRun(run: RunCollector, reason: PartialReason, error: unknown): BaseMessage[] {
  const messages = run.answeredMessages();
  const last = messages.at(-1);
  if (last instanceof AIMessage) messages.pop();
  return [...messages, toPartialMessage(last instanceof AIMessage ? last : undefined, reason, error)];
}

/**
 * The chat session as an operator over the user's questions. For each
 * question, in order: read the history, call `streamTurn` with the windowed
 * history, emit a `chunk` event per chunk, then save the question and the FULL
 * merged reply (never the last chunk) and emit `done`. A question that arrives
 * while a reply streams waits its turn; the history is never read and written
 * concurrently.
 *
 * Nothing cut is saved as complete: a reply that ends without a finish reason
 * (what a cleanly cut OpenAI stream looks like) or fails after its first chunk
 * is an `error` event carrying `StreamInterruptedError` with the `partialText`
 * (`requireCompletion: false` turns the check off). `stop$` ends the current
 * reply without ending the session: the turn emits `stopped`. A failed turn
 * emits `error` and the session goes on. With `onIncomplete: 'keep-partial'`
 * the question and the partial reply, marked `response_metadata.partial: true`,
 * are saved; with `'discard'` (default) nothing is. Unsubscribing aborts the
 * streaming turn, and nothing of it is saved.
 *
 * `chunks` and `firstChunkMs` count chunks with content only (text, reasoning
 * or a tool-call delta): the empty role chunk an OpenAI-compatible server sends
 * first is not the first chunk.
 *
 * The system prompt belongs to the prompt template inside `streamTurn`; it is
 * never stored nor counted in `maxMessages`.
 *
 * @example
 * ```ts
 * import { Subject } from 'rxjs';
 * import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { chatTurns, fromRunnable } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * const prompt = ChatPromptTemplate.fromMessages([
 *   ['system', '你是专业的Python助手'], new MessagesPlaceholder('history'), ['human', '{question}'],
 * ]);
 * const questions$ = new Subject<string>();
 * const stop$ = new Subject<void>();
 * questions$.pipe(
 *   chatTurns(({ history, question }) => fromRunnable(prompt.pipe(model), { history, question }), { stop$ }),
 * ).subscribe((e) => e.type === 'chunk' && process.stdout.write(e.text));
 * questions$.next('介绍Python');
 * ```
 *
 * @see {@link ChatSession}, a class over one such pipeline.
 * @see {@link windowHistory}, the window each turn sees.
 * @see {@link requireCompletion}, the check every turn applies by default.
 *
 * @param streamTurn Streams the reply to one question, given `{ history, question, turn }`; unsubscribing must abort it.
 * @param options `history`, `maxMessages`, `stop$`, `onIncomplete`, `requireCompletion` and `scheduler`.
 * @returns A function that returns an Observable of the turns' events (`chunk`, then `done`, `stopped` or `error`).
 */
export function chatTurns(streamTurn: StreamTurn, options: ChatTurnsOptions = {}): OperatorFunction<string | DecisionTurn, TurnEvent> {
  const settings = chatTurnsSettings(streamTurn, options);
  return (questions) =>
    defer(() => {
      const port = portOf(options.history ?? new SyncInMemoryChatMessageHistory());
      // Each turn built when it starts (its clock starts then), never while an earlier one streams.
      return questions.pipe(concatMap((question, turn) => defer(() => new Turn(settings, question, turn).events(port))));
    });
}

/** `chatTurns`' arguments, checked, with the defaults filled in. */
interface TurnSettings {
  streamTurn: StreamTurn;
  maxMessages: number;
  stop$: Observable<unknown>;
  onIncomplete: IncompleteReplyPolicy;
  scheduler: SchedulerLike;
  completion: MonoTypeOperatorFunction<AIMessageChunk | StreamPart> | undefined;
}

/** Call-time checks of `chatTurns`' arguments (TypeErrors and RangeErrors). */
function chatTurnsSettings(streamTurn: StreamTurn, options: ChatTurnsOptions): TurnSettings {
  assertFunction('chatTurns: streamTurn', streamTurn);
  assertObject('chatTurns: options', options);
  const {
    history, maxMessages = 10, stop$ = NEVER, onIncomplete = 'discard', scheduler = asyncScheduler, requireCompletion: check = true,
  } = options;
  if (history !== undefined && !isHistory(history)) {
    throw new TypeError(
      `chatTurns: options.history must be a LangChain BaseListChatMessageHistory (getMessages() and addMessages()), got ${describe(history)}.`,
    );
  }
  assertMaxMessages('chatTurns: options.maxMessages', maxMessages);
  if (!isObservable(stop$)) throw new TypeError(`chatTurns: options.stop$ must be an Observable, got ${describe(stop$)}.`);
  if (!POLICIES.includes(onIncomplete)) {
    throw new RangeError(`chatTurns: options.onIncomplete must be 'discard' or 'keep-partial', got ${describe(onIncomplete)}.`);
  }
  if (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.now !== 'function') {
    throw new TypeError(`chatTurns: options.scheduler must be an RxJS scheduler, got ${describe(scheduler)}.`);
  }
  if (typeof check !== 'boolean') assertObject('chatTurns: options.requireCompletion (true, false or { isFinal })', check, false);
  // Built once: it validates isFinal at call time. It reads a part stream as a run (decision 0117).
  const completion = check === false ? undefined : requireCompletion<AIMessageChunk | StreamPart>(check === true ? undefined : check);
  return { streamTurn, maxMessages, stop$, onIncomplete, scheduler, completion };
}

/** One turn: its reply streamed as `chunk` events, then saved (or not) and its last event. */
class Turn {
  /** A decision turn resumes the run the previous turn left awaiting (decision 0197). */
  private decisions: ReturnType<typeof decisionTurnOf>;
  private badInput: unknown;
  private readonly question: string;
  private readonly stats: ChunkStats;
  private merged: AIMessageChunk | undefined;
  /** Set by the first value when streamTurn streams parts (an agent run). */
  private run: RunCollector | undefined;
  private kind: 'chunks' | 'parts' | undefined;
  private text = '';
  private completed = false;
  private failed = false;
  private error: unknown;
  private misuse: TypeError | undefined;

  constructor(
    private readonly settings: TurnSettings,
    input: string | DecisionTurn,
    private readonly turn: number,
  ) {
    try {
      this.decisions = decisionTurnOf(input);
    } catch (e) {
      this.badInput = e; // the turn's error event, as any failure of a turn
    }
    this.question = this.decisions === undefined ? (input as string) : '';
    this.stats = new ChunkStats(settings.scheduler, 'chatTurns');
  }

  events(port: HistoryPort): Observable<TurnEvent> {
    return concat(this.reply$(port), defer(() => this.finish$(port)));
  }

  private reply$(port: HistoryPort): Observable<TurnEvent> {
    const { streamTurn, maxMessages, completion, stop$ } = this.settings;
    const { question, turn, decisions } = this;
    return port.read().pipe(
      switchMap((messages) => {
        if (this.badInput !== undefined) throw this.badInput;
        const raw = from(streamTurn({ history: windowHistory(messages, maxMessages), question, turn, ...(decisions && { decisions }) }))
          .pipe(map((value) => this.classify(value)));
        // A misused streamTurn is its TypeError, not a cut reply.
        const misuse = (e: unknown): unknown => (this.misuse !== undefined && (e as { cause?: unknown }).cause === this.misuse ? this.misuse : e);
        return completion ? raw.pipe(completion, catchError((e: unknown) => throwError(() => misuse(e)))) : raw;
      }),
      map((chunk) => this.chunkEvent(chunk)),
      tap({ complete: () => (this.completed = true) }),
      takeUntil(stop$),
      catchError((e: unknown) => {
        this.failed = true;
        this.error = e;
        return EMPTY;
      }),
    );
  }

  /** One turn streams message chunks or parts, never both: the first value decides. */
  private classify(value: AIMessageChunk | string | StreamPart): AIMessageChunk | StreamPart {
    try {
      const part = isStreamPart(value);
      this.kind ??= part ? 'parts' : 'chunks';
      if (this.kind === 'parts') {
        if (!part) {
          throw new TypeError(
            `chatTurns: streamTurn emitted parts, then ${describe(value)}; an agent turn streams parts only (pipe raw values through toParts()).`,
          );
        }
        this.run ??= new RunCollector(this.decisions?.flatMap((d) => (d.request.toolCallId === undefined ? [] : [d.request.toolCallId])));
        return value;
      }
      if (part) throw new TypeError(`chatTurns: streamTurn emitted message chunks, then a '${value.type}' part; a turn streams one or the other.`);
      return this.toChunk(value);
    } catch (e) {
      this.misuse = e as TypeError;
      throw e;
    }
  }

  private toChunk(value: AIMessageChunk | string): AIMessageChunk {
    if (typeof value !== 'string') return value;
    if (this.settings.completion) {
      throw new TypeError(
        'chatTurns: streamTurn emitted a string, which carries no finish reason, so a cut reply could not be told from a complete one. ' +
          'Stream the model\'s AIMessageChunks (no string output parser), or pass requireCompletion: false.',
      );
    }
    return new AIMessageChunk({ content: value });
  }

  private chunkEvent(chunk: AIMessageChunk | StreamPart): TurnEvent {
    const { turn, question } = this;
    const delta = this.stats.count(chunk) ?? '';
    this.text += delta;
    if (this.run !== undefined && isStreamPart(chunk)) {
      this.run.push(chunk);
      return { type: 'chunk', turn, question, part: chunk, text: delta };
    }
    chunk = chunk as AIMessageChunk;
    this.merged = this.merged ? (concatChunks(this.merged, chunk) as AIMessageChunk) : chunk;
    return { type: 'chunk', turn, question, chunk, text: delta };
  }

  /** After the reply: saves what the turn's outcome allows and emits its last event. */
  private finish$(port: HistoryPort): Observable<TurnEvent> {
    const { run, completed, failed, error, question, decisions } = this;
    if (completed && !failed) {
      // Waiting for a person: the run so far, its guarded calls marked (never done, never lost).
      const awaiting = run !== undefined && run.approvalRequests.length > 0;
      // A run's messages never keep a tool call without its result (AI SDK #11415).
      const saved = awaiting ? run.result().messages : run ? run.answeredMessages() : [toAIMessage(this.merged)];
      return this.save(port, saved, (): TurnEvent => {
        const { text, turn } = this;
        const { chunks, firstChunkMs } = this.stats;
        const durationMs = this.settings.scheduler.now() - this.stats.start;
        return awaiting
          ? { type: 'awaiting', turn, question, requests: run.approvalRequests, text, messages: saved, chunks, durationMs, firstChunkMs }
          : { type: 'done', turn, question, text, message: answerOf(saved), messages: saved, chunks, durationMs, firstChunkMs };
      });
    }
    const type = failed ? 'error' : 'stopped';
    if (this.settings.onIncomplete === 'discard') return of(this.failedEvent(type, error, false));
    const reason = partialReasonOf(!failed, error);
    const partial = run ? toPartialRun(run, reason, error) : [toPartialMessage(this.merged, reason, error)];
    return this.save(port, partial, () => this.failedEvent(type, error, true), String(question));
  }

  /** Writes the question and `messages` at once, then emits `last()`; a failed write is the turn's error. */
  private save(port: HistoryPort, messages: BaseMessage[], last: () => TurnEvent, question = this.question): Observable<TurnEvent> {
    return concat(
      port.write(savedAfterQuestion(question, this.decisions, messages)),
      defer(() => of(last())),
    ).pipe(catchError((e: unknown) => of(this.failedEvent('error', e, false))));
  }

  private failedEvent(type: 'stopped' | 'error', err: unknown, saved: boolean): TurnFailedEvent {
    const { turn, question, text, stats } = this;
    return {
      type, turn, question, partialText: text, chunks: stats.chunks, durationMs: this.settings.scheduler.now() - stats.start, firstChunkMs: stats.firstChunkMs, saved,
      ...(type === 'error' && { error: err }),
    };
  }
}

function isHistory(value: unknown): value is BaseListChatMessageHistory {
  return (
    typeof value === 'object' && value !== null &&
    typeof (value as BaseListChatMessageHistory).getMessages === 'function' &&
    typeof (value as BaseListChatMessageHistory).addMessages === 'function'
  );
}
