import type { Observable } from 'rxjs';

/**
 * One stored event of a reply: its `id` (the SSE `id:`, what a client sends
 * back as `Last-Event-ID`) and its encoded `data`, stored and returned byte for
 * byte. The log never looks inside `data`: an SSE frame without its `id:` line
 * (`event: chunk\ndata: {…}\n\n`), a UI message stream frame, anything.
 */
export interface ReplyLogEntry {
  readonly id: string;
  readonly data: string;
}

/** Options of {@link ReplyLog.append}. */
export interface AppendReplyOptions {
  /**
   * The conversation this reply belongs to: {@link ReplyLog.latestReply} then
   * finds the reply by conversation (the AI SDK resumes by chat id).
   */
  conversationId?: string;
}

/** Options of {@link ReplyLog.read}. */
export interface ReadReplyOptions {
  /**
   * Resume after this event id (the SSE `Last-Event-ID`): the events after it
   * are replayed, then the live tail. Omitted: from the first event.
   */
  after?: string;
}

/** What {@link ReplyLog.latestReply} returns. */
export interface LatestReply {
  readonly replyId: string;
  /** True while its producer runs (not ended, heartbeat alive). */
  readonly live: boolean;
}

/**
 * The log of each reply's events, so a client that drops can resume on any
 * instance without the model running again (the producer writes, every
 * client is a reader). `InMemoryReplyLog` serves one process;
 * `RedisReplyLog` shares the log between instances through Redis Streams.
 * Both pass the same specs.
 *
 * - `append` is the producer: cold, one subscription writes one reply and
 *   keeps writing with no reader connected; unsubscribing aborts the source
 *   (the model) and readers get `ReplyProducerGoneError('abandoned')`.
 * - `read` is a reader: cold, each subscription replays what is stored (after
 *   `after`) and then follows the live tail until the reply ends; its teardown
 *   releases what it holds (its place in Redis' blocking read) and nothing else.
 * - A reply is kept for `graceMs` after its end, then deleted.
 */
export interface ReplyLog {
  /**
   * Appends every event of `events` to the log of `replyId`, in order, and
   * marks the end when `events` completes. Emits each entry once it is stored;
   * completes once the end is stored. Errors with `ReplyExistsError` when the
   * id is taken (before subscribing to `events`), with a `TypeError` for an
   * event that is not a well-formed string, and with `events`' own error
   * (readers then get `ReplyProducerGoneError('failed')`).
   */
  append(replyId: string, events: Observable<string>, options?: AppendReplyOptions): Observable<ReplyLogEntry>;
  /**
   * Reads the reply: the stored events (after `options.after`), then each new
   * one as it is appended; completes at the end of the reply. Errors with
   * `ReplyNotFoundError`, `ReplyEventNotFoundError` (an unknown `after`), or,
   * after every stored event, `ReplyProducerGoneError` (a crashed, failed or
   * abandoned producer): never a hang.
   */
  read(replyId: string, options?: ReadReplyOptions): Observable<ReplyLogEntry>;
  /**
   * Asks the producer of `replyId`, on whichever instance runs it, to stop.
   * Resolves to true when a producer was running it.
   */
  stop(replyId: string): Promise<boolean>;
  /**
   * Emits once (then completes) when `stop(replyId)` is called on any
   * instance, also when the stop came before the subscription. Pass it as
   * `chatTurns`' `stop$`.
   */
  stops(replyId: string): Observable<void>;
  /** The reply last appended with this `conversationId`, while it is kept; null when none. */
  latestReply(conversationId: string): Promise<LatestReply | null>;
  /** Releases what the log itself opened (connections, timers). Running appends and reads error or end. */
  close(): Promise<void>;
}

/** Options common to both reply logs. */
export interface ReplyLogOptions {
  /** How long a reply stays readable after its end (or after its producer's last heartbeat), ms. Default 300000 (5 minutes). */
  graceMs?: number;
  /** Events kept per reply; older ones are trimmed (resuming before them gives `ReplyEventNotFoundError`). Default 10000. */
  maxEvents?: number;
}

/**
 * A turn in a conversation's lock: waiting for it or holding it. The chat handler names each turn
 * by its reply id, so a stop can reach a turn before its reply exists (decision 0325).
 */
export interface LockTurn {
  /** The turn's id (the chat handler's reply id): what a stop is addressed to. */
  readonly id: string;
  /** Who asked for the turn, when there is an `authorize`: only they may stop it before it owns the conversation. */
  readonly principal?: string;
}

/**
 * Serializes the turns of each conversation: one turn at a time per
 * conversation id. `InMemoryConversationLock` for one process,
 * `RedisConversationLock` across instances.
 */
export interface ConversationLock {
  /**
   * Emits once when this subscription holds the lock of `conversationId`, and
   * holds it until unsubscribed (teardown releases it; teardown while waiting
   * stops waiting). Errors with `ConversationBusyError` after `waitMs` of
   * waiting, `ConversationLockLostError` if the lock expired while held.
   * With `turn`, the subscription is listed by {@link turns} while it waits
   * and while it holds the lock. `onWaiting` is called once when the lock's
   * first answer is "held by another turn" (the hold now waits): a caller that
   * answers "queued" at once can tell a waiting turn from a store that refused
   * (an error) without a timer. Optional for a lock of your own: without it,
   * such a caller waits until the lock is held.
   */
  hold(conversationId: string, turn?: LockTurn, onWaiting?: () => void): Observable<void>;
  /**
   * Runs `work` while holding the lock of `conversationId`: subscribes to it
   * once the lock is held, releases the lock when `work` completes, errors or
   * is unsubscribed. `turn` and `onWaiting` as in {@link hold}.
   */
  run<T>(conversationId: string, work: Observable<T>, turn?: LockTurn, onWaiting?: () => void): Observable<T>;
  /**
   * The turns of `conversationId` that wait for or hold its lock now, oldest
   * first (those held or waited for with a `turn`). Optional: the chat
   * handler's stop reaches a turn before its reply exists only through it.
   */
  turns?(conversationId: string): Promise<LockTurn[]>;
}

/** Options common to both conversation locks. */
export interface ConversationLockOptions {
  /** How long a turn waits for the lock before `ConversationBusyError`, ms. Default 30000. */
  waitMs?: number;
}
