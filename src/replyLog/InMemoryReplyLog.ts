import { defer, finalize, map, Observable, tap, throwError } from 'rxjs';
import { ReplyEventNotFoundError, ReplyExistsError, ReplyNotFoundError, ReplyProducerGoneError } from '../errors';
import { assertObject } from '../internal/validate';
import { assertAfter, assertEvent, assertEvents, assertId, replyLogOptions } from './checks';
import type { AppendReplyOptions, LatestReply, ReadReplyOptions, ReplyLog, ReplyLogEntry, ReplyLogOptions } from './types';

type End = { kind: 'done' } | { kind: 'failed'; message: string } | { kind: 'abandoned' };

interface StoredReply {
  /** entries[head…] are kept; entries before `head` were trimmed (compacted now and then). */
  entries: ReplyLogEntry[];
  head: number;
  /** Absolute index of entries[0] (how many were dropped by compaction). */
  base: number;
  end?: End;
  readers: Set<() => void>;
  conversationId?: string;
  expiry?: ReturnType<typeof setTimeout>;
  stopped?: boolean;
}

/**
 * The reply log of one process (the default): each reply's events in memory,
 * kept `graceMs` after the end, at most `maxEvents` per reply. Ids are
 * increasing integers as strings. The same contract as `RedisReplyLog`
 * (specs/node/replyLog.contract.ts runs against both), for one instance.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { endWith, map } from 'rxjs';
 * import { fromRunnable, textContent } from 'rxjs-langchain';
 * import { InMemoryReplyLog, sendReplyLog } from 'rxjs-langchain/node';
 * import { ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const log = new InMemoryReplyLog({ graceMs: 60_000 });
 * const frames$ = fromRunnable(new ScriptedChatModel(), 'hello').pipe(
 *   textContent(),
 *   map((text) => `event: chunk\ndata: ${JSON.stringify({ text })}\n\n`), // frames without their id: line
 *   endWith('event: done\ndata: {}\n\n'),
 * );
 * log.append('reply-1', frames$).subscribe(); // the producer: runs whether or not anyone reads
 * createServer((req, res) => {
 *   const after = req.headers['last-event-id'];
 *   sendReplyLog(log.read('reply-1', { after: typeof after === 'string' ? after : undefined }), res); // any reader
 * }).listen(3000, '127.0.0.1');
 * ```
 *
 * @param options `graceMs` (default 5 minutes) and `maxEvents` (default 10000).
 * @see {@link RedisReplyLog}, the same log shared by instances; {@link sendReplyLog}, its SSE delivery.
 */
export class InMemoryReplyLog implements ReplyLog {
  readonly #graceMs: number;
  readonly #maxEvents: number;
  readonly #replies = new Map<string, StoredReply>();
  readonly #latest = new Map<string, string>();
  readonly #stopListeners = new Map<string, Set<() => void>>();
  #nextId = 0;

  constructor(options: ReplyLogOptions = {}) {
    const { graceMs, maxEvents } = replyLogOptions('InMemoryReplyLog', options);
    this.#graceMs = graceMs;
    this.#maxEvents = maxEvents;
  }

  append(replyId: string, events: Observable<string>, options: AppendReplyOptions = {}): Observable<ReplyLogEntry> {
    assertId('InMemoryReplyLog.append: replyId', replyId);
    assertEvents('InMemoryReplyLog.append: events', events);
    assertObject('InMemoryReplyLog.append: options', options);
    if (options.conversationId !== undefined) assertId('InMemoryReplyLog.append: options.conversationId', options.conversationId);
    return defer(() => {
      if (this.#replies.has(replyId)) return throwError(() => new ReplyExistsError(replyId));
      const reply: StoredReply = { entries: [], head: 0, base: 0, readers: new Set(), conversationId: options.conversationId };
      this.#replies.set(replyId, reply);
      if (options.conversationId !== undefined) this.#latest.set(options.conversationId, replyId);
      const end = (how: End): void => {
        if (reply.end) return;
        reply.end = how;
        this.#notify(reply);
        reply.expiry = setTimeout(() => this.#delete(replyId, reply), this.#graceMs);
        reply.expiry.unref?.();
      };
      return events.pipe(
        map((data) => {
          assertEvent(data);
          return this.#push(reply, data);
        }),
        tap({
          complete: () => end({ kind: 'done' }),
          error: (error: unknown) => end({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
        }),
        finalize(() => end({ kind: 'abandoned' })), // a no-op after complete / error
      );
    });
  }

  read(replyId: string, options: ReadReplyOptions = {}): Observable<ReplyLogEntry> {
    assertId('InMemoryReplyLog.read: replyId', replyId);
    assertObject('InMemoryReplyLog.read: options', options);
    assertAfter('InMemoryReplyLog.read: options.after', options.after);
    const { after } = options;
    return new Observable<ReplyLogEntry>((subscriber) => {
      const reply = this.#replies.get(replyId);
      if (!reply) return subscriber.error(new ReplyNotFoundError(replyId));
      let next = reply.base + reply.head; // absolute index of the next entry to emit
      if (after !== undefined) {
        const at = this.#indexOf(reply, after);
        if (at < 0) return subscriber.error(new ReplyEventNotFoundError(replyId, after));
        next = at + 1;
      }
      let draining = false;
      const drain = (): void => {
        if (draining) return; // re-entered from a synchronous append downstream
        draining = true;
        try {
          while (!subscriber.closed && next < reply.base + reply.entries.length) {
            if (next < reply.base + reply.head) return subscriber.error(new ReplyEventNotFoundError(replyId, String(next)));
            subscriber.next(reply.entries[next++ - reply.base]);
          }
          if (!subscriber.closed && reply.end) {
            if (reply.end.kind === 'done') subscriber.complete();
            else subscriber.error(new ReplyProducerGoneError(replyId, reply.end.kind, reply.end.kind === 'failed' ? reply.end.message : undefined));
          }
        } finally {
          draining = false;
        }
      };
      reply.readers.add(drain);
      subscriber.add(() => reply.readers.delete(drain)); // registered before the first value
      drain();
    });
  }

  stop(replyId: string): Promise<boolean> {
    assertId('InMemoryReplyLog.stop: replyId', replyId);
    const reply = this.#replies.get(replyId);
    const live = reply !== undefined && reply.end === undefined;
    if (live) reply.stopped = true;
    for (const listener of [...(this.#stopListeners.get(replyId) ?? [])]) listener();
    return Promise.resolve(live);
  }

  stops(replyId: string): Observable<void> {
    assertId('InMemoryReplyLog.stops: replyId', replyId);
    return new Observable<void>((subscriber) => {
      const listener = (): void => {
        subscriber.next();
        subscriber.complete();
      };
      let listeners = this.#stopListeners.get(replyId);
      if (!listeners) this.#stopListeners.set(replyId, (listeners = new Set()));
      listeners.add(listener);
      subscriber.add(() => {
        listeners.delete(listener);
        if (listeners.size === 0 && this.#stopListeners.get(replyId) === listeners) this.#stopListeners.delete(replyId);
      });
      if (this.#replies.get(replyId)?.stopped) listener();
    });
  }

  latestReply(conversationId: string): Promise<LatestReply | null> {
    assertId('InMemoryReplyLog.latestReply: conversationId', conversationId);
    const replyId = this.#latest.get(conversationId);
    const reply = replyId === undefined ? undefined : this.#replies.get(replyId);
    return Promise.resolve(replyId !== undefined && reply ? { replyId, live: reply.end === undefined } : null);
  }

  /** Drops every reply and its timers; readers of live replies get `ReplyProducerGoneError('abandoned')`. */
  close(): Promise<void> {
    for (const [replyId, reply] of [...this.#replies]) {
      if (!reply.end) {
        reply.end = { kind: 'abandoned' };
        this.#notify(reply);
      }
      this.#delete(replyId, reply);
    }
    return Promise.resolve();
  }

  #push(reply: StoredReply, data: string): ReplyLogEntry {
    const entry: ReplyLogEntry = { id: String(++this.#nextId), data };
    reply.entries.push(entry);
    if (reply.entries.length - reply.head > this.#maxEvents) reply.head++;
    if (reply.head > 1024 && reply.head * 2 > reply.entries.length) {
      reply.entries = reply.entries.slice(reply.head);
      reply.base += reply.head;
      reply.head = 0;
    }
    this.#notify(reply);
    return entry;
  }

  /** Absolute index of the kept entry with this id, or -1. Ids increase, so a binary search. */
  #indexOf(reply: StoredReply, id: string): number {
    if (!/^[1-9]\d{0,15}$/.test(id)) return -1;
    const wanted = Number(id);
    let lo = reply.head;
    let hi = reply.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = Number(reply.entries[mid].id);
      if (at === wanted) return reply.base + mid;
      if (at < wanted) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  #notify(reply: StoredReply): void {
    for (const reader of [...reply.readers]) reader();
  }

  #delete(replyId: string, reply: StoredReply): void {
    clearTimeout(reply.expiry);
    if (this.#replies.get(replyId) !== reply) return;
    this.#replies.delete(replyId);
    if (reply.conversationId !== undefined && this.#latest.get(reply.conversationId) === replyId) this.#latest.delete(reply.conversationId);
  }
}
