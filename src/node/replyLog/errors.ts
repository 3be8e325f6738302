import { RxLangChainError } from '../../RxLangChainError';

/**
 * A reply log has no reply by that id: it never started, or its grace period
 * (`graceMs`) after the end is over and the log was deleted.
 *
 * @example
 * ```ts
 * import { InMemoryReplyLog, ReplyNotFoundError } from 'rxjs-langchain/node';
 *
 * new InMemoryReplyLog().read('no-such-reply').subscribe({
 *   error: (e) => e instanceof ReplyNotFoundError && console.log(`ask again: ${e.replyId} is gone`),
 * });
 * ```
 *
 * @see {@link ReplyLog.read}, which raises it.
 *
 * @param replyId The id that was asked for.
 */
export class ReplyNotFoundError extends RxLangChainError {
  readonly replyId: string;

  constructor(replyId: string) {
    super('REPLY_NOT_FOUND', `No reply ${JSON.stringify(replyId)} is stored: it never started or its grace period (graceMs) is over. Ask again.`);
    this.replyId = replyId;
  }
}

/**
 * A reader asked to resume after an event (`after`, the SSE `Last-Event-ID`)
 * that is not in the reply's log: garbage, an event already trimmed away
 * (`maxEvents`), or (in memory) another reply's id. The missed events cannot
 * be replayed exactly, so nothing is replayed.
 *
 * @example
 * ```ts
 * import { InMemoryReplyLog, ReplyEventNotFoundError } from 'rxjs-langchain/node';
 *
 * const log = new InMemoryReplyLog();
 * log.read('reply-1', { after: 'not-an-event' }).subscribe({
 *   error: (e) => e instanceof ReplyEventNotFoundError && console.log(`cannot resume after ${e.after}`),
 * });
 * ```
 *
 * @see {@link ReplyLog.read}, which raises it.
 *
 * @param replyId The reply.
 * @param after The id the reader asked to resume after.
 */
export class ReplyEventNotFoundError extends RxLangChainError {
  readonly replyId: string;
  /** The id the reader asked to resume after. */
  readonly after: string;

  constructor(replyId: string, after: string) {
    super(
      'REPLY_EVENT_NOT_FOUND',
      `Reply ${JSON.stringify(replyId)} has no event ${JSON.stringify(after.length > 60 ? after.slice(0, 60) + '…' : after)} to resume after (another reply's id, or trimmed by maxEvents); read it from the start instead.`,
    );
    this.replyId = replyId;
    this.after = after;
  }
}

/**
 * The producer of a reply went away before ending it: its instance crashed or
 * lost Redis (`'no-heartbeat'`: its heartbeat key expired), its event stream
 * failed (`'failed'`), or it was unsubscribed without a stop (`'abandoned'`,
 * e.g. a server shutdown). Readers get every stored event first, then this.
 *
 * @example
 * ```ts
 * import { InMemoryReplyLog, ReplyProducerGoneError } from 'rxjs-langchain/node';
 *
 * const log = new InMemoryReplyLog();
 * log.read('reply-1').subscribe({
 *   error: (e) => e instanceof ReplyProducerGoneError && console.log(`cut (${e.reason}); ask again`),
 * });
 * ```
 *
 * @see {@link ReplyLog.read}, which raises it after the stored events.
 *
 * @param replyId The reply that was cut.
 * @param reason How its producer went away.
 * @param detail The producer's error message, for `'failed'`.
 */
export class ReplyProducerGoneError extends RxLangChainError {
  readonly replyId: string;
  readonly reason: 'no-heartbeat' | 'failed' | 'abandoned';

  constructor(replyId: string, reason: 'no-heartbeat' | 'failed' | 'abandoned', detail?: string) {
    const what =
      reason === 'no-heartbeat'
        ? 'its producer stopped sending heartbeats (the instance crashed or lost Redis)'
        : reason === 'failed'
          ? `its producer failed${detail ? `: ${detail}` : ''}`
          : 'its producer was shut down before the end';
    super('REPLY_PRODUCER_GONE', `Reply ${JSON.stringify(replyId)} was cut: ${what}. The stored events were delivered; ask again for the rest.`);
    this.replyId = replyId;
    this.reason = reason;
  }
}

/**
 * `ReplyLog.append` was given a reply id that is already in use (live, or still
 * kept for its grace period). Reply ids must be unique, e.g. `randomUUID()`.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { InMemoryReplyLog, ReplyExistsError } from 'rxjs-langchain/node';
 *
 * const log = new InMemoryReplyLog();
 * log.append('reply-1', of('data: a\n\n')).subscribe();
 * log.append('reply-1', of('data: b\n\n')).subscribe({ error: (e) => e instanceof ReplyExistsError && console.log('use a new id') });
 * ```
 *
 * @see {@link ReplyLog.append}, which raises it before subscribing to its events.
 *
 * @param replyId The id in use.
 */
export class ReplyExistsError extends RxLangChainError {
  readonly replyId: string;

  constructor(replyId: string) {
    super('REPLY_EXISTS', `Reply ${JSON.stringify(replyId)} already exists in the log; give every reply a new id (randomUUID()).`);
    this.replyId = replyId;
  }
}

/**
 * Another turn of the conversation held its lock for longer than `waitMs`:
 * turns of one conversation run one at a time, across instances.
 *
 * @example
 * ```ts
 * import { NEVER, of } from 'rxjs';
 * import { ConversationBusyError, InMemoryConversationLock } from 'rxjs-langchain/node';
 *
 * const lock = new InMemoryConversationLock({ waitMs: 100 });
 * lock.run('c-1', NEVER).subscribe(); // a turn that takes long
 * lock.run('c-1', of('next turn')).subscribe({ error: (e) => e instanceof ConversationBusyError && console.log('busy: try later') });
 * ```
 *
 * @see {@link ConversationLock}, whose `hold` and `run` raise it.
 *
 * @param conversationId The conversation.
 * @param waitMs How long the turn waited.
 */
export class ConversationBusyError extends RxLangChainError {
  readonly conversationId: string;
  readonly waitMs: number;

  constructor(conversationId: string, waitMs: number) {
    super(
      'CONVERSATION_BUSY',
      `Conversation ${JSON.stringify(conversationId)} is busy: another turn held its lock for over ${waitMs} ms (waitMs). Wait for that reply or stop it.`,
    );
    this.conversationId = conversationId;
    this.waitMs = waitMs;
  }
}

/**
 * A held conversation lock expired before it could be renewed (the process
 * stalled for longer than `ttlMs`, or Redis lost the key), so another turn
 * may already run. The turn is ended; nothing of it is saved as complete.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { of } from 'rxjs';
 * import { ConversationLockLostError, RedisConversationLock, type RedisClient } from 'rxjs-langchain/node';
 *
 * const client = (await createClient({ url: process.env.REDIS_URL }).connect()) as RedisClient;
 * new RedisConversationLock({ client }).run('c-1', of('turn')).subscribe({
 *   error: (e) => e instanceof ConversationLockLostError && console.warn(e.message),
 * });
 * ```
 *
 * @see {@link RedisConversationLock}, which raises it when a renewal finds another holder.
 *
 * @param conversationId The conversation whose lock was lost.
 */
export class ConversationLockLostError extends RxLangChainError {
  readonly conversationId: string;

  constructor(conversationId: string) {
    super(
      'CONVERSATION_LOCK_LOST',
      `The lock of conversation ${JSON.stringify(conversationId)} expired while its turn ran (a stall longer than ttlMs); the turn was ended. Raise ttlMs if turns stall.`,
    );
    this.conversationId = conversationId;
  }
}

/**
 * A backing store (reply log, conversation lock, history, owners) is down, full or too slow
 * to answer: the request was fine and retrying later may work. `createChatHandler` answers a
 * request that fails with it 503 with `Retry-After` instead of 500. The Redis stores' errors
 * (`RedisUnavailableError`, `RedisTimeoutError`, `RedisRefusedError`, `RedisUnreachableError`)
 * extend it; a store of your own throws it (or a subclass) for the same answer.
 *
 * @example
 * ```ts
 * import { StoreUnavailableError } from 'rxjs-langchain';
 *
 * // in a history of your own, when its database is down:
 * const down = new StoreUnavailableError('STORE_UNAVAILABLE', 'The history database is not reachable.');
 * down instanceof StoreUnavailableError; // true: the chat handler answers 503 with Retry-After
 * ```
 *
 * @see {@link createChatHandler}, which answers it with 503.
 *
 * @param code A stable code, e.g. `'REDIS_UNAVAILABLE'`.
 * @param message What failed and what to check.
 * @param options `cause`: the store's own error.
 */
export class StoreUnavailableError extends RxLangChainError {}
