import { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import { mapChatMessagesToStoredMessages, mapStoredMessagesToChatMessages, type BaseMessage } from '@langchain/core/messages';
import { assertKnownOptions, optionNames } from '../../internal/knownOptions';
import { assertObject, assertPositiveInteger, describe } from '../../internal/validate';
import { assertRedisClient, type RedisClient } from './client';
import { DEFAULT_COMMAND_TIMEOUT_MS, withDeadline } from './deadline';
import { compactStoredMessage } from './compactStoredMessage';
import { asNodeRedis, type NodeRedisClient } from './nodeRedis';

/** Options of {@link RedisChatHistory}: `@langchain/redis`'s names, plus a deadline. */
export interface RedisChatHistoryOptions {
  /** A connected node-redis 4 client (`connectRedis`, or `createClient` from `redis`); yours to close. */
  client: RedisClient;
  /** The list's key, e.g. `rxlc:conversation:{c-1}:history`. */
  sessionId: string;
  /** Seconds the history lives after its last write (`EXPIRE`, in the same transaction as the write). Default: for ever. */
  sessionTTL?: number;
  /** Longest wait for one Redis command, ms; then `RedisTimeoutError`. Default 15000. */
  commandTimeoutMs?: number;
}

/** Every option of {@link RedisChatHistory} (one list for every construction; decision 0401). */
const OPTION_NAMES = optionNames<RedisChatHistoryOptions>({ client: true, sessionId: true, sessionTTL: true, commandTimeoutMs: true });

/**
 * A conversation's history in Redis whose `addMessages` is atomic: the whole turn
 * (question and answer) goes in ONE `LPUSH` inside a `MULTI` with its `EXPIRE`, so
 * a Redis that refuses writes (`maxmemory` with `noeviction`), dies or stalls keeps
 * either the whole turn or none of it — never a question without its answer.
 * `@langchain/redis`'s `RedisChatMessageHistory` sends one `LPUSH` per message; this
 * class keeps its key layout and JSON (a list, newest first), so either class reads
 * what the other wrote; it leaves out the empty fields LangChain fills in again when it
 * reads (`additional_kwargs: {}`, `tool_calls: []`…), ~10 % of a short turn (decision 0402). Every command has a deadline and is refused at once while
 * the connection is down (`RedisUnavailableError`, `RedisTimeoutError`).
 *
 * @example
 * ```ts
 * import { AIMessage, HumanMessage } from '@langchain/core/messages';
 * import { connectRedis, RedisChatHistory } from 'rxjs-langchain/node';
 *
 * const client = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * const history = new RedisChatHistory({ client, sessionId: 'rxlc:conversation:{c-1}:history', sessionTTL: 86_400 });
 * await history.addMessages([new HumanMessage('什么是Python'), new AIMessage('一种编程语言 🐍')]); // one turn, one write
 * console.log((await history.getMessages()).length); // 2
 * ```
 *
 * @see {@link RedisConversationLock}, one turn of a conversation at a time; docs/history.md, what any history must guarantee.
 *
 * @param options `client`, `sessionId`, `sessionTTL`, `commandTimeoutMs`.
 */
export class RedisChatHistory extends BaseListChatMessageHistory {
  lc_namespace = ['langchain', 'stores', 'message', 'rxjs_langchain_redis'];
  readonly #client: NodeRedisClient;
  readonly #key: string;
  readonly #ttl: number | undefined;
  readonly #timeoutMs: number;

  constructor(options: RedisChatHistoryOptions) {
    super();
    assertObject('RedisChatHistory: options', options, false);
    assertKnownOptions('RedisChatHistory', options, OPTION_NAMES);
    assertRedisClient('RedisChatHistory: options.client', options.client);
    if (typeof options.sessionId !== 'string' || options.sessionId.length === 0) {
      throw new TypeError(`RedisChatHistory: options.sessionId must be a non-empty string (the list's key), got ${describe(options.sessionId)}.`);
    }
    assertPositiveInteger('RedisChatHistory: options.sessionTTL', options.sessionTTL);
    assertPositiveInteger('RedisChatHistory: options.commandTimeoutMs', options.commandTimeoutMs);
    this.#client = asNodeRedis(options.client);
    this.#key = options.sessionId;
    this.#ttl = options.sessionTTL;
    this.#timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  async getMessages(): Promise<BaseMessage[]> {
    const stored = await withDeadline(this.#client, 'history LRANGE', this.#timeoutMs, () => this.#client.lRange(this.#key, 0, -1));
    return mapStoredMessagesToChatMessages(stored.reverse().map((message) => JSON.parse(message)));
  }

  async addMessage(message: BaseMessage): Promise<void> {
    return this.addMessages([message]);
  }

  /** Stores `messages` in one `LPUSH` (plus its `EXPIRE`) inside `MULTI`: all or nothing. */
  override async addMessages(messages: BaseMessage[]): Promise<void> {
    if (!Array.isArray(messages)) throw new TypeError(`RedisChatHistory.addMessages: messages must be an array, got ${describe(messages)}.`);
    if (messages.length === 0) return;
    // LPUSH k a b pushes a, then b: the list stays newest first, as @langchain/redis reads it.
    const values = mapChatMessagesToStoredMessages(messages).map((message) => JSON.stringify(compactStoredMessage(message)));
    await withDeadline(this.#client, 'history MULTI LPUSH', this.#timeoutMs, () => {
      const multi = this.#client.multi().lPush(this.#key, values);
      if (this.#ttl !== undefined) multi.expire(this.#key, this.#ttl);
      return multi.exec();
    });
  }

  override async clear(): Promise<void> {
    await withDeadline(this.#client, 'history DEL', this.#timeoutMs, () => this.#client.del(this.#key));
  }
}
