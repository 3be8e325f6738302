import { randomUUID } from 'node:crypto';
import { catchError, concat, concatMap, defer, EMPTY, finalize, from, ignoreElements, map, merge, Observable, Subject, switchMap, tap, throwError } from 'rxjs';
import { ReplyEventNotFoundError, ReplyExistsError, ReplyNotFoundError, ReplyProducerGoneError } from '../../errors';
import { assertObject, assertPositiveInteger, describe } from '../../internal/validate';
import { assertAfter, assertEvent, assertEvents, assertId, replyLogOptions } from '../replyLog/checks';
import type { AppendReplyOptions, LatestReply, ReadReplyOptions, ReplyLog, ReplyLogEntry, ReplyLogOptions } from '../replyLog/types';
import { assertPrefix, assertRedisClient, ignore, PEXPIRE_IF_EQUAL, type RedisClient } from './client';

/** Options of {@link RedisReplyLog}. */
export interface RedisReplyLogOptions extends ReplyLogOptions {
  /** A connected node-redis 4 client; yours to close. The log duplicates it for blocking reads and pub/sub. */
  client: RedisClient;
  /** Prefix of every key and channel. Default `'rxlc:'`. */
  prefix?: string;
  /** How often a producer renews its heartbeat key, and how often an idle reader checks it, ms. Default 1000. */
  heartbeatMs?: number;
  /**
   * A producer whose heartbeat is older than this is gone (its key expires):
   * readers get everything stored, then `ReplyProducerGoneError('no-heartbeat')`.
   * Must be over `heartbeatMs`. Default 5000.
   */
  producerTimeoutMs?: number;
  /** Idle blocking-read connections kept for the next readers. Default 8. */
  maxIdleReaders?: number;
}

/** Entries per XRANGE / XREAD page. */
const PAGE = 512;
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** Claims a reply id: fails when its log or its heartbeat key exists. */
const CLAIM =
  "if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end " +
  "redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2]) return 1";

interface Keys {
  log: string;
  alive: string;
  stop: string;
}

/** A dedicated connection for `XREAD BLOCK` (a blocked connection serves nobody else). */
interface TailConnection {
  client: RedisClient;
  id: number;
  blocked: boolean;
}

type StreamMessage = { id: string; message: Record<string, string> };

/**
 * The reply log in Redis, shared by every instance: one Redis Stream per
 * reply (`XADD … MAXLEN ~ maxEvents`), whose entry ids are the SSE ids. A
 * reader with `Last-Event-ID` on any instance gets the missed entries
 * (`XRANGE`), then the live tail (`XREAD BLOCK` on a connection of its own,
 * released by its teardown). The producer renews a heartbeat key every
 * `heartbeatMs`; when it expires (`producerTimeoutMs`) without an end marker,
 * readers get `ReplyProducerGoneError` after the stored events instead of
 * waiting forever. Logs expire `graceMs` after the end (or the last
 * heartbeat). Stops travel over pub/sub plus a flag key, so a stop sent before
 * the producer listens is not lost. Keys (`prefix` default `rxlc:`):
 * `rxlc:reply:{id}` (stream), `…:alive`, `…:stop`, `rxlc:conversation:{id}:reply`.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisReplyLog, sendReplyLog } from 'rxjs-langchain/node';
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).on('error', console.error).connect();
 * const log = new RedisReplyLog({ client, graceMs: 60_000 });
 * log.append(replyId, frames$, { conversationId }).subscribe();            // on the instance that runs the model
 * sendReplyLog(log.read(replyId, { after: req.headers['last-event-id'] }), res); // on any instance
 * ```
 *
 * @param options the client, `prefix`, `graceMs`, `maxEvents`, `heartbeatMs`, `producerTimeoutMs`.
 * @see InMemoryReplyLog
 * @see sendReplyLog
 */
export class RedisReplyLog implements ReplyLog {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #graceMs: number;
  readonly #maxEvents: number;
  readonly #heartbeatMs: number;
  readonly #producerTimeoutMs: number;
  readonly #maxIdle: number;
  readonly #idle: TailConnection[] = [];
  readonly #open = new Set<TailConnection>();
  #subscriber: Promise<RedisClient> | undefined;
  #closed = false;

  constructor(options: RedisReplyLogOptions) {
    assertObject('RedisReplyLog: options', options, false);
    assertRedisClient('RedisReplyLog: options.client', options.client);
    assertPrefix('RedisReplyLog: options.prefix', options.prefix);
    const { graceMs, maxEvents } = replyLogOptions('RedisReplyLog', options);
    assertPositiveInteger('RedisReplyLog: heartbeatMs', options.heartbeatMs);
    assertPositiveInteger('RedisReplyLog: producerTimeoutMs', options.producerTimeoutMs);
    const maxIdle = options.maxIdleReaders;
    if (maxIdle !== undefined && (!Number.isInteger(maxIdle) || maxIdle < 0)) {
      throw new RangeError(`RedisReplyLog: maxIdleReaders must be an integer >= 0, got ${describe(maxIdle)}.`);
    }
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'rxlc:';
    this.#graceMs = graceMs;
    this.#maxEvents = maxEvents;
    this.#heartbeatMs = options.heartbeatMs ?? 1000;
    this.#producerTimeoutMs = options.producerTimeoutMs ?? 5000;
    this.#maxIdle = options.maxIdleReaders ?? 8;
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
      const token = randomUUID();
      const claim = this.#client.eval(CLAIM, { keys: [keys.log, keys.alive], arguments: [token, String(this.#producerTimeoutMs)] });
      return from(claim).pipe(
        switchMap((claimed) => {
          if (claimed !== 1) throw new ReplyExistsError(replyId);
          return this.#produce(replyId, keys, token, events, conversationId);
        }),
      );
    });
  }

  #produce(replyId: string, keys: Keys, token: string, events: Observable<string>, conversationId: string | undefined): Observable<ReplyLogEntry> {
    return defer(() => {
      const client = this.#client;
      const liveTtl = String(this.#graceMs + this.#producerTimeoutMs);
      const pointer = conversationId === undefined ? undefined : this.#conversationKey(conversationId);
      let ended = false;
      let first = true;
      // A heartbeat that cannot be written ends the append: readers will soon call this producer gone anyway.
      const heartbeatFailed = new Subject<never>();
      const beat = (): void => {
        const pipeline = client.multi().set(keys.alive, token, { PX: this.#producerTimeoutMs }).pExpire(keys.log, Number(liveTtl));
        if (pointer) pipeline.eval(PEXPIRE_IF_EQUAL, { keys: [pointer], arguments: [replyId, liveTtl] });
        pipeline.execAsPipeline().catch((error: unknown) => heartbeatFailed.error(error));
      };
      const heartbeat = setInterval(beat, this.#heartbeatMs);
      const trim = { TRIM: { strategy: 'MAXLEN' as const, strategyModifier: '~' as const, threshold: this.#maxEvents } };
      const writeEnd = (fields: Record<string, string>): Promise<unknown> => {
        ended = true;
        clearInterval(heartbeat);
        const multi = client.multi().xAdd(keys.log, '*', fields, trim).pExpire(keys.log, this.#graceMs).del(keys.alive);
        if (pointer) multi.eval(PEXPIRE_IF_EQUAL, { keys: [pointer], arguments: [replyId, String(this.#graceMs)] });
        return multi.exec();
      };

      const start$ = pointer ? from(client.set(pointer, replyId, { PX: Number(liveTtl) })).pipe(ignoreElements()) : EMPTY;
      const entries$ = events.pipe(
        // Send each XADD at once (one connection keeps them in order), emit the entries in order.
        map((data) => {
          assertEvent(data);
          const added = client.xAdd(keys.log, '*', { d: data }, trim);
          if (first) {
            first = false;
            client.pExpire(keys.log, Number(liveTtl)).catch(ignore); // no log without a TTL, even if this process dies now
          }
          return added.then(
            (id) => ({ ok: true as const, entry: { id, data } }),
            (error: unknown) => ({ ok: false as const, error }),
          );
        }),
        concatMap((settled) => from(settled)),
        map((settled) => {
          if (!settled.ok) throw settled.error;
          return settled.entry;
        }),
      );
      const end$ = defer(() => from(writeEnd({ end: 'done' }))).pipe(ignoreElements());

      const body$ = concat(start$, entries$, end$).pipe(tap({ complete: () => heartbeatFailed.complete() }));
      return merge(body$, heartbeatFailed).pipe(
        catchError((error: unknown) => {
          if (ended) return throwError(() => error);
          const message = error instanceof Error ? error.message : String(error);
          return concat(
            defer(() => from(writeEnd({ end: 'failed', m: message }))).pipe(ignoreElements(), catchError(() => EMPTY)),
            throwError(() => error),
          );
        }),
        finalize(() => {
          clearInterval(heartbeat);
          if (!ended) writeEnd({ end: 'abandoned' }).catch(ignore); // unsubscribed mid-reply (shutdown)
        }),
      );
    });
  }

  read(replyId: string, options: ReadReplyOptions = {}): Observable<ReplyLogEntry> {
    assertId('RedisReplyLog.read: replyId', replyId);
    assertObject('RedisReplyLog.read: options', options);
    assertAfter('RedisReplyLog.read: options.after', options.after);
    const { after } = options;
    const keys = this.#keys(replyId);
    return new Observable<ReplyLogEntry>((subscriber) => {
      const client = this.#client;
      let tail: TailConnection | undefined;
      let torn = false;
      subscriber.add(() => {
        torn = true;
        // A blocked XREAD holds its connection until it returns: unblock it, then it goes back to the pool.
        if (tail?.blocked) client.sendCommand(['CLIENT', 'UNBLOCK', String(tail.id)]).catch(ignore);
      });

      let last = '0-0';
      /** Emits a page; true when the reply ended (or the reader went away). */
      const emit = (messages: StreamMessage[]): boolean => {
        for (const { id, message } of messages) {
          if (torn) return true;
          if (message.end !== undefined) {
            if (message.end === 'done') subscriber.complete();
            else subscriber.error(new ReplyProducerGoneError(replyId, message.end === 'failed' ? 'failed' : 'abandoned', message.m));
            return true;
          }
          last = id;
          subscriber.next({ id, data: message.d });
        }
        return torn;
      };
      const range = (start: string): Promise<StreamMessage[]> => client.xRange(keys.log, start, '+', { COUNT: PAGE }) as Promise<StreamMessage[]>;
      const exists = async (key: string): Promise<boolean> => (await client.exists(key)) === 1;

      const run = async (): Promise<void> => {
        // One snapshot: the first page and whether the reply exists (a producer may write in between otherwise).
        const start = after === undefined ? '-' : STREAM_ID.test(after) ? after : '+';
        const [first, alive, stored] = (await client
          .multi()
          .xRange(keys.log, start, '+', { COUNT: PAGE })
          .exists(keys.alive)
          .exists(keys.log)
          .exec()) as [StreamMessage[], number, number];
        if (alive === 0 && stored === 0) throw new ReplyNotFoundError(replyId);
        let page = first;
        if (after !== undefined) {
          // The end marker has an id too, but it is no event: nobody was ever given it.
          if (page[0]?.id !== after || page[0].message.end !== undefined) throw new ReplyEventNotFoundError(replyId, after);
          last = after;
          page = page.slice(1);
        }
        if (torn || emit(page)) return;
        while (page.length >= PAGE - 1) {
          page = await range(`(${last}`);
          if (torn || emit(page)) return;
        }

        tail = await this.#acquire();
        let healthy = false;
        try {
          while (!torn) {
            tail.blocked = true;
            const reply = (await tail.client.xRead({ key: keys.log, id: last }, { BLOCK: this.#heartbeatMs, COUNT: PAGE })) as
              | Array<{ messages: StreamMessage[] }>
              | null;
            tail.blocked = false;
            if (torn) break;
            if (reply) {
              if (emit(reply[0].messages)) break;
              continue;
            }
            if (await exists(keys.alive)) continue;
            // The heartbeat is gone: an end written just before it counts; nothing more means a crash.
            const rest = await range(`(${last}`);
            if (rest.length > 0) {
              if (emit(rest)) break;
              continue;
            }
            throw new ReplyProducerGoneError(replyId, 'no-heartbeat');
          }
          healthy = true;
        } finally {
          this.#release(tail, healthy);
        }
      };
      run().catch((error: unknown) => {
        if (!torn) subscriber.error(error);
      });
    });
  }

  async stop(replyId: string): Promise<boolean> {
    assertId('RedisReplyLog.stop: replyId', replyId);
    const keys = this.#keys(replyId);
    const replies = await this.#client
      .multi()
      .set(keys.stop, '1', { PX: this.#graceMs + this.#producerTimeoutMs })
      .publish(keys.stop, '1')
      .exists(keys.alive)
      .exec();
    return replies[2] === 1;
  }

  stops(replyId: string): Observable<void> {
    assertId('RedisReplyLog.stops: replyId', replyId);
    const keys = this.#keys(replyId);
    return new Observable<void>((subscriber) => {
      let unsubscribe: (() => void) | undefined;
      const fire = (): void => {
        subscriber.next();
        subscriber.complete();
      };
      subscriber.add(() => unsubscribe?.());
      const listen = async (): Promise<void> => {
        const pubsub = await this.#pubsub();
        await pubsub.subscribe(keys.stop, fire);
        unsubscribe = () => void pubsub.unsubscribe(keys.stop, fire).catch(ignore);
        if (subscriber.closed) return unsubscribe();
        // Subscribed first, then the flag: a stop sent before we listened is not lost.
        if ((await this.#client.exists(keys.stop)) === 1) fire();
      };
      listen().catch((error: unknown) => subscriber.error(error));
    });
  }

  async latestReply(conversationId: string): Promise<LatestReply | null> {
    assertId('RedisReplyLog.latestReply: conversationId', conversationId);
    const replyId = await this.#client.get(this.#conversationKey(conversationId));
    if (replyId === null) return null;
    return { replyId, live: (await this.#client.exists(this.#keys(replyId).alive)) === 1 };
  }

  /** Closes the connections the log opened (blocking readers error); the client you passed stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    const all = [...this.#open];
    this.#open.clear();
    this.#idle.length = 0;
    await Promise.all([
      ...all.map((tail) => tail.client.disconnect().catch(ignore)),
      subscriber?.then((client) => client.disconnect()).catch(ignore),
    ]);
  }

  #keys(replyId: string): Keys {
    const log = `${this.#prefix}reply:{${replyId}}`; // one hash slot per reply
    return { log, alive: `${log}:alive`, stop: `${log}:stop` };
  }

  #conversationKey(conversationId: string): string {
    return `${this.#prefix}conversation:{${conversationId}}:reply`;
  }

  async #acquire(): Promise<TailConnection> {
    if (this.#closed) throw new Error('RedisReplyLog: the log was closed.');
    const idle = this.#idle.pop();
    if (idle) return idle;
    const client = this.#client.duplicate() as RedisClient;
    client.on('error', ignore); // the pending command rejects; the reader reports that
    await client.connect();
    const tail: TailConnection = { client, id: await client.clientId(), blocked: false };
    this.#open.add(tail);
    if (this.#closed) {
      this.#release(tail, false);
      throw new Error('RedisReplyLog: the log was closed.');
    }
    return tail;
  }

  #release(tail: TailConnection, healthy: boolean): void {
    tail.blocked = false;
    if (healthy && !this.#closed && this.#idle.length < this.#maxIdle && this.#open.has(tail)) {
      this.#idle.push(tail);
      return;
    }
    this.#open.delete(tail);
    tail.client.disconnect().catch(ignore);
  }

  #pubsub(): Promise<RedisClient> {
    if (this.#closed) return Promise.reject(new Error('RedisReplyLog: the log was closed.'));
    this.#subscriber ??= (async () => {
      const client = this.#client.duplicate() as RedisClient;
      client.on('error', ignore);
      await client.connect();
      return client;
    })();
    return this.#subscriber;
  }
}

