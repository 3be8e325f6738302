import { Observable } from 'rxjs';
import { ConversationBusyError, ConversationLockLostError } from '../../errors';
import { assertKnownOptions, optionNames } from '../../internal/knownOptions';
import { assertObject, assertPositiveInteger } from '../../internal/validate';
import { assertId, assertLockTurn, lockWaitMs, runHolding } from '../replyLog/checks';
import type { ConversationLock, ConversationLockOptions, LockTurn } from '../replyLog/types';
import { assertPrefix, assertRedisClient, DEL_IF_EQUAL, ignore, type RedisClient } from './client';
import { DEFAULT_COMMAND_TIMEOUT_MS, withDeadline } from './deadline';
import { ACQUIRE_OR_WAIT, lockToken, turnOfToken } from './lockTurns';
import { asNodeRedis, type NodeRedisClient } from './nodeRedis';

/** Options of {@link RedisConversationLock}. */
export interface RedisConversationLockOptions extends ConversationLockOptions {
  /** A connected node-redis 4 client; yours to close. */
  client: RedisClient;
  /** Prefix of the lock keys (`rxlc:conversation:{id}:lock`, and `…:waiting`, the turns waiting for it). Default `'rxlc:'`. */
  prefix?: string;
  /**
   * The lock expires this long after its last renewal, so a crashed instance
   * frees its conversations; a holder renews it every `ttlMs / 3`. Default 10000.
   */
  ttlMs?: number;
  /**
   * Longest wait for one Redis command (taking the lock, a renewal), ms: then the waiter or
   * holder gets `RedisTimeoutError`. A down connection fails at once (`RedisUnavailableError`).
   * Default 15000: a stall shorter than this (even longer than `ttlMs`) does not end the turn.
   */
  commandTimeoutMs?: number;
}

/**
 * Renews the lock while this holder has it; retakes it when it expired and nobody took it
 * meanwhile (a Redis or event-loop stall longer than ttlMs: no other turn can have started,
 * since a turn needs the lock); 0 when another holder has it.
 */
const RENEW_OR_RETAKE =
  "local v = redis.call('GET', KEYS[1]) " +
  "if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end " +
  "if v == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end return 0";

/** Every option of the lock (a misspelt one is refused, not ignored: decision 0401). */
const OPTION_NAMES = optionNames<RedisConversationLockOptions>({ client: true, prefix: true, ttlMs: true, commandTimeoutMs: true, waitMs: true });

/** Polling delays while waiting, ms: short first (turns are often about to end), then every 50 ms. */
const RETRY_MS = [2, 5, 10, 20, 50];

/**
 * Turns of one conversation one at a time across instances: `SET key token NX PX ttlMs`,
 * renewed every `ttlMs / 3` while held, released with a compare-and-delete
 * script (never someone else's lock, even after an expiry). Waiters poll up to
 * `waitMs`, then get `ConversationBusyError`. A stall longer than `ttlMs` (Redis's
 * `DEBUG SLEEP`, a blocked event loop) does not end the turn: the next renewal retakes
 * the expired lock if nobody took it meanwhile; a holder whose lock another turn took
 * gets `ConversationLockLostError`. A hold with a `turn` is listed by `turns(conversationId)` on
 * every instance: the holder's turn is in its token, a waiter's in a sorted set beside the lock
 * until it stops waiting (decision 0325). Every command has a deadline (`commandTimeoutMs`)
 * and none waits while the connection is down: `RedisTimeoutError`, `RedisUnavailableError`
 * (decision 0187).
 *
 * @example
 * ```ts
 * import { RedisChatMessageHistory } from '@langchain/redis';
 * import { createClient } from 'redis';
 * import { of } from 'rxjs';
 * import { chatTurns, fromRunnable } from 'rxjs-langchain';
 * import { RedisConversationLock, type RedisClient } from 'rxjs-langchain/node';
 * import { ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const client = (await createClient({ url: process.env.REDIS_URL }).on('error', console.error).connect()) as RedisClient;
 * const lock = new RedisConversationLock({ client, waitMs: 10_000 });
 * const history = new RedisChatMessageHistory({ sessionId: 'rxlc:conversation:{c-1}:history', client });
 * const model = new ScriptedChatModel();
 * const turn$ = of('什么是Python').pipe(chatTurns(({ question }) => fromRunnable(model, question), { history }));
 * lock.run('c-1', turn$).subscribe((e) => e.type === 'done' && console.log(e.text)); // one turn of c-1 at a time, on any instance
 * ```
 *
 * @see {@link InMemoryConversationLock}, the one-process lock.
 *
 * @param options The client, `prefix`, `waitMs` (default 30000), `ttlMs` (default 10000), `commandTimeoutMs` (default 15000).
 */
export class RedisConversationLock implements ConversationLock {
  readonly #client: NodeRedisClient;
  readonly #prefix: string;
  readonly #waitMs: number;
  readonly #ttlMs: number;
  readonly #timeoutMs: number;

  constructor(options: RedisConversationLockOptions) {
    assertObject('RedisConversationLock: options', options, false);
    assertKnownOptions('RedisConversationLock', options, OPTION_NAMES);
    assertRedisClient('RedisConversationLock: options.client', options.client);
    assertPrefix('RedisConversationLock: options.prefix', options.prefix);
    assertPositiveInteger('RedisConversationLock: ttlMs', options.ttlMs);
    assertPositiveInteger('RedisConversationLock: commandTimeoutMs', options.commandTimeoutMs);
    this.#timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.#client = asNodeRedis(options.client);
    this.#prefix = options.prefix ?? 'rxlc:';
    this.#waitMs = lockWaitMs('RedisConversationLock', options.waitMs);
    this.#ttlMs = options.ttlMs ?? 10_000;
    if (this.#ttlMs < 30) throw new RangeError(`RedisConversationLock: ttlMs must be at least 30 (it is renewed every ttlMs / 3), got ${this.#ttlMs}.`);
  }

  hold(conversationId: string, turn?: LockTurn, onWaiting?: () => void): Observable<void> {
    assertId('RedisConversationLock.hold: conversationId', conversationId);
    assertLockTurn('RedisConversationLock.hold: turn', turn);
    const [key, waitingKey] = this.#keys(conversationId);
    return new Observable<void>((subscriber) => {
      const client = this.#client;
      const token = lockToken(turn);
      const deadline = Date.now() + this.#waitMs;
      let held = false;
      let torn = false;
      let retry: NodeJS.Timeout | undefined;
      let renew: NodeJS.Timeout | undefined;
      const unlist = (): void => void (turn && client.zRem(waitingKey, token).catch(ignore));
      subscriber.add(() => {
        torn = true;
        clearTimeout(retry);
        clearInterval(renew);
        if (held) client.eval(DEL_IF_EQUAL, { keys: [key], arguments: [token] }).catch(ignore);
        else unlist();
      });

      const fail = (error: unknown): void => {
        if (!torn) subscriber.error(error);
      };
      let renewing = false;
      const renewal = (): void => {
        if (renewing) return; // a stalled renewal is still waiting: do not pile more behind it
        renewing = true;
        withDeadline(client, 'the conversation lock renewal', this.#timeoutMs, () =>
          client.eval(RENEW_OR_RETAKE, { keys: [key], arguments: [token, String(this.#ttlMs)] }),
        ).then((renewed) => {
          renewing = false;
          if (renewed !== 0) return;
          held = false; // someone else's now: do not delete it
          fail(new ConversationLockLostError(conversationId));
        }, fail);
      };
      // Listed while waiting until a while after it would give up (a crashed waiter drops out then).
      const listing = [turn ? '1' : '0', String(deadline + this.#ttlMs), String(this.#waitMs + this.#ttlMs)];
      const attempt = (tries: number): void => {
        withDeadline(client, 'the conversation lock SET', this.#timeoutMs, () => client.eval(ACQUIRE_OR_WAIT, { keys: [key, waitingKey], arguments: [token, String(this.#ttlMs), ...listing] })).then((ok) => {
          if (ok === 1) {
            held = true;
            if (torn) return void client.eval(DEL_IF_EQUAL, { keys: [key], arguments: [token] }).catch(ignore);
            renew = setInterval(renewal, Math.floor(this.#ttlMs / 3));
            return subscriber.next();
          }
          if (torn) return unlist(); // listed by this very attempt, after the teardown's removal
          if (tries === 0) onWaiting?.();
          const wait = RETRY_MS[Math.min(tries, RETRY_MS.length - 1)];
          if (Date.now() + wait > deadline) return fail(new ConversationBusyError(conversationId, this.#waitMs));
          retry = setTimeout(() => attempt(tries + 1), wait);
        }, fail);
      };
      attempt(0);
    });
  }

  run<T>(conversationId: string, work: Observable<T>, turn?: LockTurn, onWaiting?: () => void): Observable<T> {
    return runHolding('RedisConversationLock.run', this.hold(conversationId, turn, onWaiting), work);
  }

  async turns(conversationId: string): Promise<LockTurn[]> {
    assertId('RedisConversationLock.turns: conversationId', conversationId);
    const [key, waitingKey] = this.#keys(conversationId);
    const [holder, waiting] = (await withDeadline(this.#client, 'the conversation lock turns', this.#timeoutMs, () =>
      this.#client.multi().get(key).zRangeByScore(waitingKey, Date.now(), '+inf').exec(),
    )) as [string | null, string[]];
    return [holder, ...waiting].map(turnOfToken).filter((t): t is LockTurn => t !== undefined);
  }

  /** The lock key and its waiting turns' key (one hash slot). */
  #keys(conversationId: string): [string, string] {
    const base = `${this.#prefix}conversation:{${conversationId}}`;
    return [`${base}:lock`, `${base}:waiting`];
  }
}
