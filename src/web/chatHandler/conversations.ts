import type { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import { concat, defer, filter, finalize, from, ignoreElements, map, of, ReplaySubject, switchMap, tap, throwError, type Observable, type Subscription } from 'rxjs';
import { ConversationBusyError } from '../../errors';
import { chatTurns } from '../../history/chatTurns';
import type { TurnEvent } from '../../history/types';
import { windowHistory } from '../../history/windowHistory';
import { randomId } from '../../internal/id';
import type { ConversationLock, ReplyLog } from '../../replyLog/types';
import { toTurnServerSentEvents } from '../../replyLog/toTurnServerSentEvents';
import { encodeServerSentEvent } from '../serverSentEventFrame';
import { toUIMessageStream } from '../toUIMessageStream';
import { UI_MESSAGE_STREAM_DONE } from '../uiMessageChunk';
import { encodeUIMessageChunk } from '../uiMessageStreamFrames';
import { ChatRequestError, conversationNotFound } from './errors';
import { foldHistory, regeneratedQuestion, withoutLastTurn } from './foldHistory';
import type { ConversationOwners } from './owners';
import type { RunCaps } from './runCaps';
import type { ChatFinish, ChatProtocol, ChatStream } from './types';
import type { ApprovalSecret } from '../approvalSignature';
import { uiTurn, type UITurnInput } from './uiTurn';
import { stopTurns, type StopAnswer } from './stopTurns';
import type { GatedDecisions } from './decisionGate';
import { applyEditedCalls as applyEdits, markEdits } from '../../history/editedCalls';
import type { ThreadState } from './agentStream';

/** What the conversation machinery needs, resolved from the handler's options. */
export interface ConversationsConfig {
  stream: ChatStream;
  system: string | undefined;
  history(conversationId: string): BaseListChatMessageHistory;
  log: ReplyLog;
  lock: ConversationLock;
  owners: ConversationOwners;
  caps: RunCaps;
  retryAfterSeconds: number;
  maxMessages: number;
  errorText(error: unknown): string;
  onFinish?: (finish: ChatFinish) => void | Promise<void>;
  /** Signs approval requests and verifies answers (`toolApprovalSecret`). */
  toolApprovalSecret?: ApprovalSecret;
  /** Why a decision cannot be taken here (a model, an agent without a thread or `Command`); undefined when it can. */
  decisionRefusal?: ChatRequestError;
  /** Where a conversation's agent thread stands (its checkpointer's word), when the agent keeps threads. */
  threadState?(conversationId: string): Promise<ThreadState>;
}

/** A turn's identity: its conversation, who asks, and its reply's id in the log. */
export interface TurnRef {
  conversationId: string;
  principal: string | undefined;
  replyId: string;
}

/**
 * Turns of conversations, whatever the wire: each turn holds a place under the caps, waits for
 * its conversation's lock, claims the conversation for its principal, and appends its frames to
 * the reply log whether or not anyone reads them; every client (the one that sent it included)
 * is a reader of the log. The history is read before the run and written after it in one
 * `addMessages([question, answer])` call.
 */
export class Conversations {
  /** Running producers: they outlive their first client, so close() ends them. */
  readonly #producers = new Set<Subscription>();
  /** Each accepted turn's stop, by reply id: listened to from its acceptance, so a stop before its reply exists is kept. */
  readonly #stops = new Map<string, Observable<void>>();

  constructor(readonly config: ConversationsConfig) {}

  /** A place under the caps for one run, or a 429 with `Retry-After`. */
  acquire(principal: string | undefined): () => void {
    const release = this.config.caps.acquire(principal);
    if (release) return release;
    throw this.#tooMany(this.config.caps.refusedBy(principal));
  }

  /**
   * The 429 of {@link acquire} at once when this instance already runs `maxConcurrentRuns`: a
   * route that only starts runs calls it before reading its body (decision 0420), so a server at
   * its cap refuses in a fraction of the time a read body, a parse and the checks would take.
   */
  assertRoom(): void {
    if (this.config.caps.full) throw this.#tooMany('instance');
  }

  #tooMany(cap: 'principal' | 'instance'): ChatRequestError {
    const { caps, retryAfterSeconds } = this.config;
    const which = cap === 'principal' ? `you already run ${caps.maxPerPrincipal}` : `this server already runs ${caps.maxRuns}`;
    return new ChatRequestError(429, `Too many replies at once (${which}); retry in ${retryAfterSeconds} s or stop one.`, { 'retry-after': String(retryAfterSeconds) });
  }

  /** 404 unless `principal` owns the conversation (or nobody does yet); no check without `authorize`. */
  async assertVisible(conversationId: string, principal: string | undefined, ownerless: 'ok' | 'not-found'): Promise<void> {
    if (principal === undefined) return;
    const owner = await this.config.owners.owner(conversationId);
    if (owner === principal || (owner === null && ownerless === 'ok')) return;
    throw conversationNotFound();
  }

  /**
   * Starts a turn: `events$` (frames without ids) goes into the reply log under the lock, after
   * the claim. Resolves once its first frame is stored (the caller then reads the log); rejects
   * with a 404 (someone else owns it), a 409 (busy) or the error that kept it from starting.
   * `release` (the turn's place under the caps) is called when the producer ends.
   */
  start(ref: TurnRef, events$: Observable<string>, release: () => void, gate?: () => Promise<void>): Promise<void> {
    const { log, lock, owners } = this.config;
    const claimed$ = defer(() => (ref.principal === undefined ? of(true) : from(owners.claim(ref.conversationId, ref.principal)).pipe(map((owner) => owner === ref.principal))));
    // The gate runs under the lock, before the reply exists: a refusal (a decision answered already) leaves no reply behind.
    const work$ = claimed$.pipe(
      switchMap((mine) => (mine ? from(gate ? gate() : Promise.resolve()) : throwError(() => conversationNotFound()))),
      // Only the first stored event tells anything here (the turn started): the others stop at once
      // instead of crossing the lock's operators each (decision 0375).
      switchMap(() => log.append(ref.replyId, events$, { conversationId: ref.conversationId }).pipe(filter((_entry, index) => index === 0))),
    );
    const stopped = this.#listen(ref.replyId);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const producer = lock
        // Listed by the lock from now on, so a stop reaches the turn while it waits, claims or stores its first frame (decision 0325).
        .run(ref.conversationId, work$, { id: ref.replyId, principal: ref.principal })
        .pipe(
          finalize(() => {
            stopped.unsubscribe();
            this.#stops.delete(ref.replyId);
            release();
          }),
        )
        .subscribe({
          next: () => {
            if (started) return;
            started = true;
            resolve();
          },
          error: (error: unknown) => {
            this.#producers.delete(producer);
            if (!started) reject(error instanceof ConversationBusyError ? new ChatRequestError(409, error.message) : error);
          },
          complete: () => {
            this.#producers.delete(producer);
            if (!started) reject(new Error('The turn ended before its first event.'));
          },
        });
      if (!producer.closed) this.#producers.add(producer);
    });
  }

  /** Listens for stops of `replyId` until the turn ends; {@link stops} replays one to the reply. */
  #listen(replyId: string): Subscription {
    const stop$ = new ReplaySubject<void>(1);
    this.#stops.set(replyId, stop$);
    return this.config.log.stops(replyId).subscribe(stop$);
  }

  /**
   * The stop of a turn's reply (its `stop$`): a stop sent at any time since the turn was accepted,
   * on any instance. A stop before the model is called means it is never called.
   */
  stops(replyId: string): Observable<void> {
    return defer(() => this.#stops.get(replyId) ?? this.config.log.stops(replyId));
  }

  /** The history as the user sees it (regenerated turns folded, edited calls as they ran). */
  async messages(conversationId: string): Promise<BaseMessage[]> {
    return applyEdits(foldHistory(await this.config.history(conversationId).getMessages()));
  }

  /** The system prompt as messages (none without one). */
  systemMessages(): BaseMessage[] {
    return this.config.system === undefined ? [] : [new SystemMessage(this.config.system)];
  }

  /** What a reply's model sees: the system prompt, the history window, the question (none for a decision turn). */
  input(history: BaseMessage[], question: BaseMessage | undefined): BaseMessage[] {
    return [...this.systemMessages(), ...windowHistory(history, this.config.maxMessages), ...(question ? [question] : [])];
  }

  /** An AI SDK turn's frames (UI message stream), see {@link uiTurn}. */
  uiTurn(ref: TurnRef, input: UITurnInput): Observable<string> {
    return uiTurn(this, ref, input);
  }

  /**
   * A turn in the library's SSE framing (`fromServerSentEvents` reads it; the WebSocket
   * protocol too): `start` with the ids, then `chunk`s, then `done` (saved; `stopped: true`
   * marked partial), `approval-request` (saved awaiting a decision) or `error`. `question` is the
   * question, or the decisions a gate read under the lock (a decision turn).
   */
  sseTurn(ref: TurnRef, question: string | GatedDecisions, protocol: ChatProtocol = 'server-sent-events'): Observable<string> {
    const history = this.config.history(ref.conversationId);
    const decisions = (): GatedDecisions['decisions'] => (typeof question === 'string' ? undefined : question.decisions);
    const folded = {
      getMessages: async () => applyEdits(foldHistory(await history.getMessages())),
      addMessages: (m: BaseMessage[]) => history.addMessages(markEdits(m, decisions())),
      addMessage: (m: BaseMessage) => history.addMessages(markEdits([m], decisions())),
    };
    const start = encodeServerSentEvent({ event: 'start', data: JSON.stringify({ conversationId: ref.conversationId, replyId: ref.replyId }) });
    // A decision turn's decisions are read under the lock (by the gate) before this is subscribed.
    const input$ = defer(() => of(typeof question === 'string' ? question : { decisions: question.decisions ?? [] }));
    const turn$ = input$.pipe(
      chatTurns(({ history: window, question: q, decisions }) => this.config.stream({ messages: this.input(window, decisions ? undefined : new HumanMessage(q)), conversationId: ref.conversationId, principal: ref.principal, protocol, ...(decisions && { decisions }) }), {
        history: folded as unknown as BaseListChatMessageHistory,
        maxMessages: Infinity, // #input windows it
        stop$: this.stops(ref.replyId), // a stop sent to any instance, since the turn was accepted
        onIncomplete: 'keep-partial', // the model should know what the user already saw
      }),
      tap((event: TurnEvent) => {
        // An awaiting turn (a tool call waiting for a person) has not finished: no onFinish yet.
        if (event.type === 'done') void this.finished(ref, 'done', event.text);
        else if (event.type === 'stopped' || event.type === 'error') void this.finished(ref, event.type, event.partialText);
      }),
      toTurnServerSentEvents({ errorData: (error) => this.errorData(error) }),
    );
    return concat(of(start), turn$);
  }

  /** Stops the conversation's turns wherever they run, also before their replies exist; see {@link stopTurns}. */
  stop(conversationId: string, principal: string | undefined): Promise<StopAnswer> {
    return stopTurns(this.config, conversationId, principal);
  }

  /** A reply id: a UUID. */
  newReplyId(): string {
    return randomId('r').slice(2);
  }

  /** The payload of an SSE / WebSocket `error`: `{ name, message, code? }`, the message through `errorText`. */
  errorData(error: unknown): { name: string; message: string; code?: string } {
    const code = (error as { code?: unknown } | null)?.code;
    return { name: error instanceof Error ? error.name : 'Error', message: this.config.errorText(error), ...(typeof code === 'string' && { code }) };
  }

  /** Ends every producer of this instance. */
  close(): void {
    for (const producer of this.#producers) producer.unsubscribe();
    this.#producers.clear();
  }

  /** Tells `onFinish` a turn ended (after its save); its failure is ignored. */
  async finished(ref: TurnRef, outcome: ChatFinish['outcome'], text: string): Promise<void> {
    try {
      await this.config.onFinish?.({ conversationId: ref.conversationId, principal: ref.principal, replyId: ref.replyId, outcome, text });
    } catch {
      // onFinish is the application's; its failure must not fail a saved turn.
    }
  }
}
