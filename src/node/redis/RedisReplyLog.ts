import { randomUUID } from 'node:crypto';
import {
  asyncScheduler, catchError, concat, defer, EMPTY, finalize, from, ignoreElements, map, merge, Observable, Subject, switchMap, tap, throwError,
  type OperatorFunction, type SchedulerAction, type SchedulerLike, type Subscription,
} from 'rxjs';
import { ReplyEventNotFoundError, ReplyExistsError, ReplyNotFoundError, ReplyProducerGoneError } from '../../errors';
import { assertObject, assertPositiveInteger, describe } from '../../internal/validate';
import { assertAfter, assertEvent, assertEvents, assertId, replyLogOptions } from '../replyLog/checks';
import type { AppendReplyOptions, LatestReply, ReadReplyOptions, ReplyLog, ReplyLogEntry, ReplyLogOptions } from '../replyLog/types';
import { assertPrefix, assertRedisClient, ignore, PEXPIRE_IF_EQUAL, type RedisClient } from './client';
import { asRedisFault, connectDuplicate, deadline, DEFAULT_COMMAND_TIMEOUT_MS, isRedisFault, urlOf, withDeadline } from './deadline';
import { RedisTimeoutError, RedisUnavailableError } from './errors';
import { asNodeRedis, type NodeRedisClient } from './nodeRedis';
import { coalesce } from './coalesce';
import { eventIdAt } from './entryIds';
import { entryWriter, type EntryWriter } from './entryWriter';
import { ChannelHub } from './channelHub';
import { assertRedisReplyLogOptionNames } from './replyLogOptionNames';
import { LocalFeed } from './localFeed';
import { KEYFRAME_EVERY } from './frameCodec';
import { quietTimer, type QuietTimer } from './quietTimer';
import { compareIds, replyReader, type ReplyReader, type StreamMessage } from './replyReader';

/** Options of {@link RedisReplyLog}. */
export interface RedisReplyLogOptions extends ReplyLogOptions {
  /** A connected node-redis 4 client; yours to close. The log duplicates it for blocking reads and pub/sub. */
  client: RedisClient;
  /** Prefix of every key and channel. Default `'rxlc:'`. */
  prefix?: string;
  /**
   * How often an instance with live producers renews its heartbeat key (on a
   * connection of its own, so a backlog of writes cannot delay it), and how
   * often an idle reader checks the heartbeat of its reply's instance, ms. Default 1000.
   */
  heartbeatMs?: number;
  /**
   * An instance whose heartbeat is older than this is gone (its key expires):
   * readers of its replies get everything stored, then `ReplyProducerGoneError('no-heartbeat')`.
   * Must be over `heartbeatMs`. Default 10000 (a loaded event loop can delay a timer by seconds).
   */
  producerTimeoutMs?: number;
  /**
   * Blocking connections the instance's readers share: each runs one `XREAD BLOCK` over the live
   * replies of its readers, so a wake-up brings new events of many replies at once. Default 1: every
   * connection costs Redis about 20 KB of buffers, and one `XREAD` serves hundreds of replies
   * (decision 0320).
   */
  tailConnections?: number;
  /**
   * Connections producers write on (duplicates of your client), one per reply (so
   * its events stay in order), taken in turn. Default 1: a connection costs Redis
   * about 20 KB of buffers, and coalesced entries (`flushMs`) make writes few
   * (decision 0320); raise it when one connection's writes fall behind. Producers
   * never write on your client, so a stop, a lock or a history write never waits
   * behind a backlog of stream writes (decision 0350).
   */
  writers?: number;
  /**
   * Longest wait for one Redis command, ms: a producer whose writes or heartbeat get no answer
   * for this long fails with `RedisTimeoutError`; `read`, `stop`, `latestReply` reject with it.
   * A stall shorter than this (even longer than `producerTimeoutMs`) ends nothing. A down
   * connection never waits: `RedisUnavailableError` at once, or at the next heartbeat. Default 15000.
   */
  commandTimeoutMs?: number;
  /**
   * The flush window, ms (decision 0320): events that come less than this after the last write are
   * stored together, in one stream entry, when the window closes; an event that comes with no window
   * open is stored at once. So an event waits at most `flushMs` before readers on any instance (and
   * the producer's own client) can get it, and a fast model's tokens cost Redis one entry per window
   * instead of one each. 0: one entry per event, at once. Default 50.
   */
  flushMs?: number;
  /**
   * Runs the heartbeat, readers' liveness checks and the flush window, and tells the time (virtual time in specs:
   * then a producer beats and a reader checks only when the spec advances the clock). Default `asyncScheduler`.
   */
  scheduler?: SchedulerLike;
}

/** A live reply's TTL is at least this (refreshed every quarter of it), ms. */
const LIVE_TTL_FLOOR_MS = 10 * 60_000;

/** Entries per XRANGE / XREAD page. */
const PAGE = 512;
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** Claims a reply id (fails when its log or its producer key exists) and marks the instance alive. */
const CLAIM =
  "if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end " +
  "redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2]) redis.call('SET', KEYS[3], '1', 'PX', ARGV[3]) return 1";

/** Extends a live reply's log and producer key, only while this instance still owns it (not after its end). */
const REFRESH =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) redis.call('PEXPIRE', KEYS[2], ARGV[2]) return 1 end return 0";

interface Keys {
  log: string;
  /** The producing instance's id, while the reply is live. */
  producer: string;
  stop: string;
  /** Where a compaction copies the log, to rename it back (decision 0280). */
  compact: string;
}

/** A reply this instance is producing now. */
interface LiveProducer {
  keys: Keys;
  replyId: string;
  pointer?: string;
  refreshedAt: number;
  /** The connection its writes go on. */
  client: NodeRedisClient;
  /** Writes sent and not answered yet, and since when the oldest of them waits. */
  pending: number;
  waitingSince: number;
  /** Its entries' codec, ids and trim point. */
  entries: EntryWriter;
  /** Hands readers of this instance what Redis stored (decision 0375). */
  feed: LocalFeed;
  fail(error: unknown): void;
}

/** A reader following a live reply: the mux delivers what comes after `last`. */
interface TailWatch {
  last: string;
  deliver(messages: StreamMessage[]): void;
  fail(error: unknown): void;
}

/** One shared blocking connection and the replies its readers follow. */
interface TailShard {
  watches: Map<string, Set<TailWatch>>;
  conn?: Promise<{ client: NodeRedisClient; id: number }>;
  /** An XREAD is in flight; `dirty`: the set of replies changed since it was sent. */
  blocked: boolean;
  dirty: boolean;
  unblocking: boolean;
  running: boolean;
  wake?: () => void;
}

/** What a reader's liveness check needs of it. */
interface LivenessReader {
  /** The reader ended or went away. */
  over(): boolean;
  /** Reads and emits what was stored after its last event: how many entries, and whether the reply ended. */
  rest(): Promise<{ read: number; ended: boolean }>;
  fail(error: unknown): void;
}

/** How long a shard's XREAD blocks when nothing comes; readers check liveness on their own timers. */
const TAIL_BLOCK_MS = 10_000;

/**
 * Emits the values in the arrays of promises, in the order the promises came, without an inner
 * subscription per value or per array (with `concatAll` after it the array's inner subscription was
 * ~5 % of the chat handler's CPU per token, decision 0375): promises of one connection settle in
 * the order their commands were sent.
 */
function inOrder<T>(): OperatorFunction<Promise<readonly T[]>, T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let pending = 0;
      let done = false;
      return source.subscribe({
        next: (promise) => {
          pending++;
          promise.then(
            (values) => {
              pending--;
              for (const value of values) subscriber.next(value);
              if (done && pending === 0) subscriber.complete();
            },
            (error: unknown) => subscriber.error(error),
          );
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          done = true;
          if (pending === 0) subscriber.complete();
        },
      });
    });
}

/** A raw `[id, [field, value, …]]` stream entry. */
function parseEntry([id, fields]: [string, string[]]): StreamMessage {
  const message: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) message[fields[i]] = fields[i + 1];
  return { id, message };
}

/**
 * The reply log in Redis, shared by every instance: one Redis Stream per
 * reply (trimmed to about `maxEvents` events). Events that come within `flushMs` of the last write
 * share one entry (decision 0320); an entry `ms-s` of k events holds the SSE ids `ms-s` … `ms-(s+k-1)`. A
 * reader with `Last-Event-ID` on any instance gets the missed entries
 * (`XRANGE`), then the live tail (`XREAD BLOCK` on one of a few connections
 * shared by the instance's readers; teardown takes the reader out of it). A live reply names its producing instance
 * (`…:producer`), and an instance with live producers renews one heartbeat
 * key every `heartbeatMs`; when that expires (`producerTimeoutMs`) without an
 * end marker, readers get `ReplyProducerGoneError` after the stored events
 * instead of waiting forever. Logs expire `graceMs` after the end (or after
 * the producer's last refresh; the stream is compacted as it grows and at the end). An event is stored as its difference from
 * the last keyframe (decision 0280): a token costs its own bytes, not its whole frame. Stops travel over pub/sub plus a flag key, so
 * a stop sent before the producer listens is not lost. Keys (`prefix`
 * default `rxlc:`): `rxlc:reply:{id}` (stream), `…:producer`, `…:stop`,
 * `rxlc:instance:<id>:alive`, `rxlc:conversation:{id}:reply`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createClient } from 'redis';
 * import { of } from 'rxjs';
 * import { RedisReplyLog, sendReplyLog, type RedisClient } from 'rxjs-langchain/node';
 *
 * const client = (await createClient({ url: process.env.REDIS_URL }).on('error', console.error).connect()) as RedisClient;
 * const log = new RedisReplyLog({ client, graceMs: 60_000 });
 * // On the instance that runs the model:
 * log.append('reply-1', of('event: chunk\ndata: {"text":"你好"}\n\n'), { conversationId: 'c-1' }).subscribe();
 * // On any instance:
 * createServer((req, res) => {
 *   const after = req.headers['last-event-id'];
 *   sendReplyLog(log.read('reply-1', { after: typeof after === 'string' ? after : undefined }), res);
 * }).listen(3000, '127.0.0.1');
 * ```
 *
 * @see {@link InMemoryReplyLog}, the one-process log; {@link sendReplyLog}, the SSE delivery.
 *
 * Faults (decision 0186): nothing waits on a down connection (`RedisUnavailableError`: at once
 * for a new reply or read, at the next heartbeat for a live producer), and every command has a
 * deadline (`commandTimeoutMs`, then `RedisTimeoutError`); a producer that fails so writes its
 * `failed` end with the real cause once Redis takes it.
 *
 * @param options The client, `prefix`, `graceMs`, `maxEvents`, `heartbeatMs`, `producerTimeoutMs`, `flushMs`, `tailConnections`, `writers`, `commandTimeoutMs`, `scheduler`.
 */
export class RedisReplyLog implements ReplyLog {
  readonly #client: NodeRedisClient;
  readonly #prefix: string;
  readonly #graceMs: number;
  readonly #maxEvents: number;
  readonly #heartbeatMs: number;
  readonly #producerTimeoutMs: number;
  readonly #shards: TailShard[];
  #subscriber: Promise<ChannelHub> | undefined;
  #control: Promise<NodeRedisClient> | undefined;
  #closed = false;
  /** Producers share one heartbeat per instance: `rxlc:instance:<id>:alive`. */
  readonly #instanceId = randomUUID();
  readonly #live = new Set<LiveProducer>();
  /** The local fast path of each reply produced here, until its end is stored (decision 0375). */
  readonly #feeds = new Map<string, LocalFeed>();
  /** Ends being written (a completed or unsubscribed append); close() lets them land. */
  readonly #ending = new Set<Promise<unknown>>();
  #ticker: Subscription | undefined;
  readonly #timeoutMs: number;
  readonly #scheduler: SchedulerLike;
  readonly #flushMs: number;
  /** Since when the heartbeat in flight waits for Redis (undefined: none in flight). */
  #beatSince: number | undefined;
  /** Duplicates of your client producers write on, opened when first used (never your client: decision 0350). */
  readonly #writers: Array<Promise<NodeRedisClient> | undefined>;
  #nextWriter = 0;

  constructor(options: RedisReplyLogOptions) {
    assertObject('RedisReplyLog: options', options, false);
    assertRedisReplyLogOptionNames(options);
    assertRedisClient('RedisReplyLog: options.client', options.client);
    assertPrefix('RedisReplyLog: options.prefix', options.prefix);
    const { graceMs, maxEvents } = replyLogOptions('RedisReplyLog', options);
    assertPositiveInteger('RedisReplyLog: heartbeatMs', options.heartbeatMs);
    assertPositiveInteger('RedisReplyLog: producerTimeoutMs', options.producerTimeoutMs);
    assertPositiveInteger('RedisReplyLog: tailConnections', options.tailConnections);
    this.#client = asNodeRedis(options.client);
    this.#prefix = options.prefix ?? 'rxlc:';
    this.#graceMs = graceMs;
    this.#maxEvents = maxEvents;
    this.#heartbeatMs = options.heartbeatMs ?? 1000;
    this.#producerTimeoutMs = options.producerTimeoutMs ?? 10_000;
    this.#shards = Array.from({ length: options.tailConnections ?? 1 }, () => ({
      watches: new Map(), blocked: false, dirty: false, unblocking: false, running: false,
    }));
    assertPositiveInteger('RedisReplyLog: writers', options.writers);
    assertPositiveInteger('RedisReplyLog: commandTimeoutMs', options.commandTimeoutMs);
    this.#timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.#scheduler = options.scheduler ?? asyncScheduler;
    if (options.flushMs !== 0) assertPositiveInteger('RedisReplyLog: flushMs', options.flushMs);
    this.#flushMs = options.flushMs ?? 50;
    this.#writers = Array.from({ length: options.writers ?? 1 }, () => undefined); // duplicates, opened on first use (decision 0350)
    if (this.#producerTimeoutMs <= this.#heartbeatMs) {
      throw new RangeError(
        `RedisReplyLog: producerTimeoutMs (${this.#producerTimeoutMs}) must be over heartbeatMs (${this.#heartbeatMs}), or a live producer looks gone between two heartbeats; use about 3–5 × heartbeatMs.`,
      );
    }
  }

  append(replyId: string, events: Observable<string>, options: AppendReplyOptions = {}): Observable<ReplyLogEntry> {
    assertId('RedisReplyLog.append: replyId', replyId);
    assertEvents('RedisReplyLog.append: events', events);
    assertObject('RedisReplyLog.append: options', options);
    const { conversationId } = options;
    if (conversationId !== undefined) assertId('RedisReplyLog.append: options.conversationId', conversationId);
    const keys = this.#keys(replyId);
    return defer(() => {
      if (this.#closed) return throwError(() => new Error('RedisReplyLog: the log was closed.'));
      const claim = this.#command('the reply claim', (client) =>
        client.eval(CLAIM, {
          keys: [keys.log, keys.producer, this.#instanceKey(this.#instanceId)],
          arguments: [this.#instanceId, String(this.#liveTtl), String(this.#producerTimeoutMs)],
        }),
      );
      return from(claim).pipe(
        switchMap((claimed) => {
          if (claimed !== 1) throw new ReplyExistsError(replyId);
          return from(this.#writer()).pipe(switchMap((writer) => this.#produce(replyId, keys, events, conversationId, writer)));
        }),
      );
    });
  }

  /**
   * A live reply's log and producer key expire this long after their last refresh: long, so that no
   * delayed tick can expire a live reply (the heartbeat, not this TTL, detects a crash); it only
   * bounds what a crashed producer leaves behind.
   */
  get #liveTtl(): number {
    return Math.max(LIVE_TTL_FLOOR_MS, this.#graceMs + this.#producerTimeoutMs);
  }

  /** A command the chat path waits on, on your client: refused while it is down, with a deadline. */
  #command<T>(what: string, send: (client: NodeRedisClient) => Promise<T>): Promise<T> {
    return withDeadline(this.#client, what, this.#timeoutMs, () => send(this.#client));
  }

  /** The next writer connection, in turn. */
  #writer(): Promise<NodeRedisClient> {
    const i = this.#nextWriter++ % this.#writers.length;
    const forget = (): void => {
      if (this.#writers[i] === opening) this.#writers[i] = undefined;
    };
    const opening = (this.#writers[i] ??= this.#duplicate(forget));
    return opening;
  }

  #produce(replyId: string, keys: Keys, events: Observable<string>, conversationId: string | undefined, client: NodeRedisClient): Observable<ReplyLogEntry> {
    return defer(() => {
      const liveTtl = this.#liveTtl;
      const pointer = conversationId === undefined ? undefined : this.#conversationKey(conversationId);
      let ended = false;
      // The instance heartbeat fails a producer that can no longer write (decisions 0131, 0186).
      const failed = new Subject<never>();
      const now = this.#scheduler.now();
      const live: LiveProducer = {
        keys, replyId, pointer, client, refreshedAt: now, pending: 0, waitingSince: now, entries: entryWriter(this.#maxEvents), feed: new LocalFeed(),
        fail: (error) => failed.error(error),
      };
      this.#feeds.set(replyId, live.feed);
      this.#register(live);
      const writeEnd = (fields: Record<string, string>): Promise<unknown> => {
        ended = true;
        return this.#writeEnd(live, fields);
      };

      const start$ = pointer
        ? defer(() => withDeadline(client, 'the conversation pointer SET', this.#timeoutMs, () => client.set(pointer, replyId, { PX: liveTtl }))).pipe(ignoreElements())
        : EMPTY;
      const entries$ = events.pipe(
        tap((data) => assertEvent(data)),
        coalesce(this.#flushMs, this.#scheduler), // a window's events in one entry (decision 0320)
        // Send each XADD at once (one connection keeps them in order) and emit the events in that order.
        map((batch) => this.#store(live, batch)),
        inOrder(),
      );
      const end$ = defer(() => from(writeEnd({ end: 'done' }))).pipe(ignoreElements());

      const body$ = concat(start$, entries$, end$).pipe(tap({ complete: () => failed.complete() }));
      return merge(body$, failed).pipe(
        catchError((error: unknown) => {
          if (ended) return throwError(() => error);
          const end = writeEnd({ end: 'failed', m: error instanceof Error ? error.message : String(error) });
          // Redis is the fault: say so now (readers of this instance too); the end (the real cause, for readers) lands when Redis takes it.
          if (isRedisFault(error)) return void end.catch(ignore), this.#feedOver(live, (feed) => feed.fail(error)), throwError(() => error);
          return concat(from(end).pipe(ignoreElements(), catchError(() => EMPTY)), throwError(() => error));
        }),
        finalize(() => {
          this.#unregister(live);
          if (!ended) writeEnd({ end: 'abandoned' }).catch(ignore); // unsubscribed mid-reply (shutdown)
        }),
      );
    });
  }

  /** Sends one entry of `batch`'s events; resolves to them with their ids once Redis stored it. */
  #store(live: LiveProducer, batch: string[]): Promise<ReplyLogEntry[]> {
    const { client, keys } = live;
    if (!client.isReady) throw new RedisUnavailableError('XADD', urlOf(client)); // not into the offline queue
    if (live.pending++ === 0) live.waitingSince = this.#scheduler.now();
    const plan = live.entries.plan(batch, this.#scheduler.now());
    // MINID: the id of the oldest entry kept, given as the number node-redis' types expect (it sends it as is).
    const trim = plan.minId === undefined ? undefined : { TRIM: { strategy: 'MINID' as const, threshold: plan.minId as unknown as number } };
    const added = client.xAdd(keys.log, plan.id, { e: plan.value }, trim);
    if (plan.first) client.pExpire(keys.log, this.#liveTtl).catch(ignore); // no log without a TTL, even if this process dies now
    if (plan.compact) this.#compact(client, keys); // a new node began: give back its 4 KB
    return added.then(
      () => {
        live.pending--;
        live.waitingSince = this.#scheduler.now();
        const entries = batch.map((data, j): ReplyLogEntry => ({ id: eventIdAt(plan.id, j), data }));
        live.feed.publish(entries); // stored: readers of this instance may have them now
        return entries;
      },
      (error: unknown) => Promise.reject(asRedisFault(error, 'XADD', client)),
    );
  }

  /**
   * Rewrites the stream in listpacks of their exact size (`COPY` + `RENAME`, one `MULTI` on the
   * producer's connection, so in order with its writes): Redis allocates a new stream node at
   * `stream-node-max-bytes` (4 KB) and shrinks it only when the next node begins; later entries grow
   * the copy a few bytes at a time (decision 0280). Only memory depends on it: a failure is ignored.
   */
  #compact(client: NodeRedisClient, keys: Keys): void {
    client.multi().copy(keys.log, keys.compact, { replace: true }).rename(keys.compact, keys.log).exec().catch(ignore);
  }

  /** Writes a reply's end marker (and its grace TTL); waits at most commandTimeoutMs for it. */
  #writeEnd(live: LiveProducer, fields: Record<string, string>): Promise<unknown> {
    this.#unregister(live);
    if (this.#closed) return Promise.reject(new Error('RedisReplyLog: the log was closed.')); // close() is a crash
    const { keys, pointer, replyId, client } = live;
    const id = live.entries.endId(this.#scheduler.now()); // above every event's id (decision 0320)
    const end = (via: NodeRedisClient): Promise<unknown> => {
      // COPY + RENAME: the finished log in listpacks of its exact size; Redis keeps 4 KB allocated for the
      // stream's newest node while it grows (decision 0280). Same hash slot: the key's {replyId} tag.
      const multi = via.multi().xAdd(keys.log, id, fields).copy(keys.log, keys.compact, { replace: true }).rename(keys.compact, keys.log);
      multi.pExpire(keys.log, this.#graceMs).del(keys.producer);
      if (pointer) multi.eval(PEXPIRE_IF_EQUAL, { keys: [pointer], arguments: [replyId, String(this.#graceMs)] });
      return multi.exec();
    };
    const sent = end(client).catch(async (error: unknown) => {
      // The writer is closed, so nothing it queued can land after this: say why on our own connection.
      if (client.isOpen || this.#closed) throw error;
      return end(await this.#controlClient());
    });
    const ending = deadline(client, 'the end marker', this.#timeoutMs, sent);
    ending.then(
      () => this.#feedOver(live, (feed) => feed.end({ id, message: fields })),
      (error: unknown) => this.#feedOver(live, (feed) => feed.fail(error)),
    );
    this.#ending.add(ending);
    ending.then(() => this.#ending.delete(ending), () => this.#ending.delete(ending));
    return ending;
  }

  /** The reply's local fast path ends (its last word to its readers): later readers of it read Redis. */
  #feedOver(live: LiveProducer, last: (feed: LocalFeed) => void): void {
    if (this.#feeds.get(live.replyId) === live.feed) this.#feeds.delete(live.replyId);
    last(live.feed);
  }

  #register(live: LiveProducer): void {
    this.#live.add(live);
    const beat = (): void => this.#beat();
    const every = this.#heartbeatMs;
    // Rescheduling with the same delay: asyncScheduler keeps one setInterval.
    this.#ticker ??= this.#scheduler.schedule(function (this: SchedulerAction<unknown>) {
      beat();
      this.schedule(undefined, every);
    }, every);
  }

  #unregister(live: LiveProducer): void {
    this.#live.delete(live);
    if (this.#live.size === 0 && this.#ticker) {
      this.#ticker.unsubscribe();
      this.#ticker = undefined;
      this.#beatSince = undefined;
    }
  }

  /**
   * One heartbeat for the instance, plus a TTL refresh for live replies not refreshed for a while.
   * It also fails producers that cannot write: a connection that is down (so a lost Redis is told
   * within one heartbeatMs) or writes / a heartbeat unanswered for commandTimeoutMs (a stall).
   */
  #beat(): void {
    const now = this.#scheduler.now();
    const closed = new Error('RedisReplyLog: options.client was closed, so the reply cannot be written.');
    for (const live of [...this.#live]) {
      if (!live.client.isOpen) live.fail(closed);
      else if (!live.client.isReady) live.fail(new RedisUnavailableError('XADD', urlOf(live.client)));
      else if (live.pending > 0 && now - live.waitingSince >= this.#timeoutMs) live.fail(new RedisTimeoutError('XADD', this.#timeoutMs, urlOf(live.client)));
    }
    const producers = [...this.#live];
    const failAll = (error: unknown): void => producers.forEach((live) => live.fail(asRedisFault(error, 'the heartbeat', this.#client)));
    if (this.#beatSince !== undefined) {
      // The last heartbeat is still waiting: do not pile more behind it.
      if (now - this.#beatSince >= this.#timeoutMs) failAll(new RedisTimeoutError('the heartbeat', this.#timeoutMs, urlOf(this.#client)));
      return;
    }
    if (!this.#client.isOpen) return failAll(closed);
    if (!this.#client.isReady) return failAll(new RedisUnavailableError('the heartbeat', urlOf(this.#client)));
    const refreshEvery = Math.floor(this.#liveTtl / 4);
    const since = (this.#beatSince = now);
    this.#controlClient()
      .then((control) => {
        if (!control.isReady) throw new RedisUnavailableError('the heartbeat', urlOf(control));
        const multi = control.multi().set(this.#instanceKey(this.#instanceId), '1', { PX: this.#producerTimeoutMs });
        for (const live of producers) {
          if (now - live.refreshedAt < refreshEvery) continue;
          live.refreshedAt = now;
          multi.eval(REFRESH, { keys: [live.keys.producer, live.keys.log], arguments: [this.#instanceId, String(this.#liveTtl)] });
          if (live.pointer) multi.eval(PEXPIRE_IF_EQUAL, { keys: [live.pointer], arguments: [live.replyId, String(this.#liveTtl)] });
        }
        return multi.execAsPipeline();
      })
      .then(
        () => {
          if (this.#beatSince === since) this.#beatSince = undefined;
        },
        (error: unknown) => {
          if (this.#beatSince === since) this.#beatSince = undefined;
          failAll(error);
        },
      );
  }

  /** True while the reply's producer key names an instance whose heartbeat is alive. */
  async #producerAlive(keys: Keys): Promise<boolean> {
    const owner = await this.#command('GET of the producer', (client) => client.get(keys.producer));
    return owner !== null && (await this.#command('EXISTS of the heartbeat', (client) => client.exists(this.#instanceKey(owner)))) === 1;
  }

  read(replyId: string, options: ReadReplyOptions = {}): Observable<ReplyLogEntry> {
    assertId('RedisReplyLog.read: replyId', replyId);
    assertObject('RedisReplyLog.read: options', options);
    assertAfter('RedisReplyLog.read: options.after', options.after);
    const { after } = options;
    const keys = this.#keys(replyId);
    return new Observable<ReplyLogEntry>((subscriber) => {
      const reader = replyReader(replyId, subscriber);
      let unwatch: (() => void) | undefined;
      let idle: QuietTimer | undefined;
      // Produced here: listened to before the replay's snapshot, so nothing stored in between is missed.
      const local = this.#followLocal(replyId, reader);
      subscriber.add(() => {
        reader.tear();
        idle?.cancel();
        local?.leave();
        unwatch?.(); // leaves the shared blocking read; the producer is not ours
      });
      const run = async (): Promise<void> => {
        if (await this.#replay(replyId, keys, after, reader)) return;
        if (local) return local.live(); // no XREAD, no liveness check: the producer is in this process
        // The live tail: one shared XREAD BLOCK per shard, and a liveness check when nothing comes.
        idle = this.#liveness(replyId, keys, {
          over: reader.over,
          rest: async () => {
            const rest = await this.#range(keys, `(${reader.last}`);
            return { read: rest.length, ended: reader.emit(rest) };
          },
          fail: reader.fail,
        });
        const watch: TailWatch = {
          get last() {
            return reader.last;
          },
          deliver: (messages) => {
            if (reader.emit(messages)) return unwatch?.();
            idle?.refresh();
          },
          fail: reader.fail,
        };
        unwatch = this.#watch(keys.log, watch);
        if (reader.over()) unwatch();
      };
      run().catch(reader.fail);
    });
  }

  /**
   * A reader of a reply produced by this instance, on its local fast path (decision 0375): what the
   * producer hands on while the replay runs waits, then `live()` emits it (events the replay gave
   * already are skipped by id) and everything after as it comes. Undefined when produced elsewhere.
   */
  #followLocal(replyId: string, reader: ReplyReader): { live(): void; leave(): void } | undefined {
    const feed = this.#feeds.get(replyId);
    if (!feed) return undefined;
    let waiting: Array<() => unknown> | undefined = [];
    const when = (act: () => unknown): unknown => (waiting ? waiting.push(act) : act());
    const leave = feed.listen({
      entries: (entries) => when(() => reader.take(entries)),
      end: (marker) => when(() => reader.emit([marker])),
      fail: (error) => when(() => reader.fail(error)),
    });
    return {
      live: () => {
        const acts = waiting ?? [];
        waiting = undefined;
        for (const act of acts) if (!reader.over()) act();
      },
      leave,
    };
  }

  /** A page of the log from `start` on. */
  #range(keys: Keys, start: string): Promise<StreamMessage[]> {
    return this.#command('XRANGE', (c) => c.xRange(keys.log, start, '+', { COUNT: PAGE }) as Promise<StreamMessage[]>);
  }

  /**
   * Emits what is stored after `after` (all of it without one); true when the reply ended or the
   * reader went away. Resuming, the look-back finds the keyframe the next entries build on (decision 0280).
   */
  async #replay(replyId: string, keys: Keys, after: string | undefined, reader: ReplyReader): Promise<boolean> {
    // One snapshot: the first page, whether the reply exists and, resuming, the entries at or before
    // `after` back to a keyframe (decision 0280): a producer may write in between otherwise.
    const valid = after !== undefined && STREAM_ID.test(after);
    const [first, live, stored, back] = (await this.#command('XRANGE', (c) => {
      const multi = c.multi().xRange(keys.log, after === undefined ? '-' : valid ? `(${after}` : '+', '+', { COUNT: PAGE });
      multi.exists(keys.producer).exists(keys.log);
      return (after === undefined ? multi : multi.xRevRange(keys.log, valid ? after : '-', '-', { COUNT: KEYFRAME_EVERY })).exec();
    })) as [StreamMessage[], number, number, StreamMessage[] | undefined];
    if (live === 0 && stored === 0) throw new ReplyNotFoundError(replyId);
    // `after` must be an event of an entry still kept, whose keyframe is kept too.
    if (after !== undefined && (!valid || !reader.resume(back ?? [], after))) throw new ReplyEventNotFoundError(replyId, after);
    let page = first;
    if (reader.emit(page)) return true;
    while (page.length >= PAGE) {
      page = await this.#range(keys, `(${reader.last}`);
      if (reader.emit(page)) return true;
    }
    return false;
  }

  /**
   * A live-tail reader's liveness check, run on the scheduler after heartbeatMs without an event
   * (decision 0255): is the reply's producer still there? A crash is a heartbeat missing at two
   * checks in a row with nothing new stored: after a Redis stall longer than producerTimeoutMs, a
   * check may run before the producer's delayed heartbeat lands (decision 0187).
   */
  #liveness(replyId: string, keys: Keys, reader: LivenessReader): QuietTimer {
    let missed = false;
    const check = async (): Promise<void> => {
      if (await this.#producerAlive(keys)) return void ((missed = false), timer.refresh());
      if (reader.over()) return;
      // No live producer: an end written just before counts; nothing more means a crash.
      const { read, ended } = await reader.rest();
      if (ended) return;
      if (read > 0 || !missed) return void ((missed = read === 0), timer.refresh());
      reader.fail(new ReplyProducerGoneError(replyId, 'no-heartbeat'));
    };
    const timer = quietTimer(this.#scheduler, this.#heartbeatMs, () => void check().catch(reader.fail));
    return timer;
  }

  async stop(replyId: string): Promise<boolean> {
    assertId('RedisReplyLog.stop: replyId', replyId);
    const keys = this.#keys(replyId);
    const replies = await this.#command('the stop', (client) =>
      client.multi().set(keys.stop, '1', { PX: this.#graceMs + this.#producerTimeoutMs }).publish(keys.stop, '1').exists(keys.producer).exec(),
    );
    return replies[2] === 1;
  }

  stops(replyId: string): Observable<void> {
    assertId('RedisReplyLog.stops: replyId', replyId);
    const keys = this.#keys(replyId);
    return new Observable<void>((subscriber) => {
      const fire = (): void => {
        subscriber.next();
        subscriber.complete();
      };
      const flagged = (): Promise<void> =>
        this.#command('EXISTS of the stop flag', (client) => client.exists(keys.stop)).then((set) => void (set === 1 && fire()));
      const listen = async (): Promise<void> => {
        const hub = await this.#channels();
        if (subscriber.closed) return;
        // A stop published while the connection was down is lost: its flag says it. If that look
        // fails too (Redis still coming back), the wait goes on as before: a blip ends no stream.
        const { ready, leave } = hub.listen(keys.stop, { message: fire, resubscribed: () => void flagged().catch(ignore) });
        subscriber.add(leave);
        await ready;
        // Subscribed first, then the flag: a stop sent before we listened is not lost.
        if (!subscriber.closed) await flagged();
      };
      listen().catch((error: unknown) => subscriber.error(error));
    });
  }

  async latestReply(conversationId: string): Promise<LatestReply | null> {
    assertId('RedisReplyLog.latestReply: conversationId', conversationId);
    const replyId = await this.#command('GET of the latest reply', (client) => client.get(this.#conversationKey(conversationId)));
    if (replyId === null) return null;
    return { replyId, live: await this.#producerAlive(this.#keys(replyId)) };
  }

  /**
   * Closes every connection the log opened, at once, and stops its heartbeat; the client you passed
   * stays open. For Redis this is a crash: live appends error without writing an end (their readers
   * get `ReplyProducerGoneError('no-heartbeat')` after `producerTimeoutMs`), blocked readers error.
   * To end live replies cleanly, unsubscribe their appends first: that writes `abandoned`, and
   * `close()` waits for ends already being written.
   */
  async close(): Promise<void> {
    const ending = [...this.#ending];
    this.#closed = true;
    this.#ticker?.unsubscribe();
    this.#ticker = undefined;
    const closed = new Error('RedisReplyLog: the log was closed.');
    for (const live of [...this.#live]) live.fail(closed);
    const opened = [this.#subscriber?.then((hub) => hub.client), this.#control, ...this.#writers];
    this.#writers.fill(undefined);
    this.#subscriber = undefined;
    this.#control = undefined;
    await Promise.allSettled(ending);
    for (const feed of this.#feeds.values()) feed.fail(closed);
    this.#feeds.clear();
    const tails = this.#shards.map((shard) => {
      shard.wake?.();
      const conn = shard.conn;
      shard.conn = undefined;
      return conn?.then((c) => c.client);
    });
    await Promise.all([...tails, ...opened].map((client) => client?.then((c) => c.disconnect()).catch(ignore)));
  }

  #keys(replyId: string): Keys {
    const log = `${this.#prefix}reply:{${replyId}}`; // one hash slot per reply
    return { log, producer: `${log}:producer`, stop: `${log}:stop`, compact: `${log}:compact` };
  }

  #instanceKey(instanceId: string): string {
    return `${this.#prefix}instance:${instanceId}:alive`;
  }

  #conversationKey(conversationId: string): string {
    return `${this.#prefix}conversation:{${conversationId}}:reply`;
  }

  /** Adds a reader to a shard's shared XREAD; returns its removal. */
  #watch(key: string, watch: TailWatch): () => void {
    // A reply's readers share a shard; a new reply goes to the shard with the fewest.
    const shard =
      this.#shards.find((candidate) => candidate.watches.has(key)) ??
      this.#shards.reduce((a, b) => (b.watches.size < a.watches.size ? b : a));
    let watches = shard.watches.get(key);
    // A new reply, or a reader behind the others of its reply: the XREAD in flight reads after their
    // ids, so it must start again from this one's, or the entries stored since its replay are skipped.
    const behind = !watches || [...watches].every((other) => compareIds(watch.last, other.last) < 0);
    if (!watches) shard.watches.set(key, (watches = new Set()));
    watches.add(watch);
    if (behind) this.#kick(shard);
    return () => {
      const current = shard.watches.get(key);
      if (!current?.delete(watch) || current.size > 0) return;
      shard.watches.delete(key);
      if (shard.watches.size === 0) this.#kick(shard); // let the connection go idle now
    };
  }

  /** The shard's set of replies changed: start its loop, wake it, or interrupt its XREAD. */
  #kick(shard: TailShard): void {
    if (this.#closed) return;
    if (!shard.running) return void this.#tail(shard);
    if (shard.wake) return shard.wake();
    if (!shard.blocked) return; // the loop reads the set again before its next XREAD
    shard.dirty = true;
    this.#unblock(shard);
  }

  #unblock(shard: TailShard): void {
    if (shard.unblocking || !shard.conn) return;
    shard.unblocking = true;
    shard.conn
      .then(({ id }) => this.#client.sendCommand(['CLIENT', 'UNBLOCK', String(id)]))
      .then(
        (unblocked) => {
          shard.unblocking = false;
          // 0: our XREAD had not reached Redis yet (another connection); try again shortly.
          if (unblocked === 0 && shard.blocked && shard.dirty) setTimeout(() => this.#unblock(shard), 2).unref?.();
        },
        () => (shard.unblocking = false),
      );
  }

  /** A shard's loop: one XREAD BLOCK over every reply its readers follow, results handed to each reader. */
  async #tail(shard: TailShard): Promise<void> {
    shard.running = true;
    try {
      while (!this.#closed) {
        if (shard.watches.size === 0) {
          await new Promise<void>((resolve) => (shard.wake = resolve));
          shard.wake = undefined;
          continue;
        }
        const { client } = await (shard.conn ??= this.#duplicate().then(async (c) => ({ client: c, id: await c.clientId() })));
        const keys = [...shard.watches.keys()];
        const ids = keys.map((key) => [...shard.watches.get(key)!].reduce((min, w) => (compareIds(w.last, min) < 0 ? w.last : min), '18446744073709551615-0'));
        const at = new Map(keys.map((key, i) => [key, i]));
        if (!client.isReady) throw new RedisUnavailableError('XREAD', urlOf(client)); // not into the offline queue
        shard.dirty = false;
        shard.blocked = true;
        const reply = (await client.sendCommand(['XREAD', 'COUNT', String(PAGE), 'BLOCK', String(TAIL_BLOCK_MS), 'STREAMS', ...keys, ...ids])) as
          | Array<[string, Array<[string, string[]]>]>
          | null;
        shard.blocked = false;
        for (const [key, entries] of reply ?? []) {
          const watches = shard.watches.get(key);
          if (!watches) continue; // its readers left meanwhile
          const messages = entries.map(parseEntry);
          const from = ids[at.get(key)!];
          // A reader that joined behind this XREAD's id (its kick came too late to restart it) would
          // skip what lies between: it waits for the next XREAD, which starts from its own id.
          for (const watch of [...watches]) if (compareIds(watch.last, from) >= 0) watch.deliver(messages);
        }
      }
    } catch (error) {
      // The connection failed: its readers error (they can resume), the next reader opens a new one.
      shard.blocked = false;
      const conn = shard.conn;
      shard.conn = undefined;
      conn?.then((c) => c.client.disconnect()).catch(ignore);
      const watches = [...shard.watches.values()].flatMap((set) => [...set]);
      shard.watches.clear();
      for (const watch of watches) watch.fail(asRedisFault(error, 'XREAD', this.#client));
    } finally {
      shard.running = false;
    }
  }

  /** The channels of the instance's pub/sub connection (one for all its stops). */
  #channels(): Promise<ChannelHub> {
    if (this.#closed) return Promise.reject(new Error('RedisReplyLog: the log was closed.'));
    return (this.#subscriber ??= this.#duplicate(() => (this.#subscriber = undefined)).then((client) => new ChannelHub(client)));
  }

  /** The heartbeat's own connection: a backlog of writes on the shared client cannot delay it. */
  #controlClient(): Promise<NodeRedisClient> {
    if (this.#closed) return Promise.reject(new Error('RedisReplyLog: the log was closed.'));
    return (this.#control ??= this.#duplicate(() => (this.#control = undefined)));
  }

  /**
   * A connection of the log's own, open within commandTimeoutMs; `forget` drops the cached promise
   * of one that could not be opened, so the next caller tries again instead of reusing the failure.
   */
  #duplicate(forget: () => void = ignore): Promise<NodeRedisClient> {
    // Pending commands reject on their own; their callers report that.
    const opening = connectDuplicate(this.#client, this.#timeoutMs, ignore);
    opening.catch(forget);
    return opening;
  }
}
