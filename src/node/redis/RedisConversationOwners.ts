import { assertKnownOptions, optionNames } from '../../internal/knownOptions';
import { assertPositiveInteger, describe } from '../../internal/validate';
import type { ConversationOwners } from '../../web/chatHandler/owners';
import { assertPrefix, assertRedisClient, type RedisClient } from './client';
import { DEFAULT_COMMAND_TIMEOUT_MS, withDeadline } from './deadline';
import { asNodeRedis, type NodeRedisClient } from './nodeRedis';

/** Options of {@link RedisConversationOwners}. */
export interface RedisConversationOwnersOptions {
  /** A connected node-redis 4 client (the history's own client is a good choice). */
  client: RedisClient;
  /** Key prefix. Default `rxlc:`; keys are `<prefix>conversation:{<id>}:owner`, beside the history's. */
  prefix?: string;
  /**
   * How long an owner is kept after the conversation's last claim, seconds: as long as its
   * history (the demo keeps a history a day). Default 86400; 0 keeps it forever.
   */
  ttlSeconds?: number;
  /**
   * Longest wait for one command (a send, resume, stop or history request waits on it), ms: then
   * `RedisTimeoutError`. A down connection never waits: `RedisUnavailableError` at once. Default 15000.
   */
  commandTimeoutMs?: number;
}

/** Every option of {@link RedisConversationOwners} (one list for every construction; decision 0401). */
const OPTION_NAMES = optionNames<RedisConversationOwnersOptions>({ client: true, prefix: true, ttlSeconds: true, commandTimeoutMs: true });

/** SET NX, then the owner: one round trip, atomic (of two first claims, one wins). Refreshes the TTL for the owner. */
const CLAIM =
  "local owner = redis.call('GET', KEYS[1]) " +
  "if not owner then redis.call('SET', KEYS[1], ARGV[1]) owner = ARGV[1] end " +
  "if owner == ARGV[1] and tonumber(ARGV[2]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end " +
  'return owner';

/**
 * Who owns each conversation, in Redis: shared by every instance of a chat handler, kept
 * beside the conversation's history (same `{id}` hash tag, same lifetime), not with the
 * reply log's short-lived replies. A claim is one Lua script (`SET` if absent, `EXPIRE`, `GET`).
 * Like the other Redis stores, every command has a deadline (`commandTimeoutMs`, then
 * `RedisTimeoutError`) and is refused at once while Redis is down (`RedisUnavailableError`):
 * a request never hangs on a stalled or lost Redis.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { createChatHandler } from 'rxjs-langchain';
 * import { RedisConversationOwners, type RedisClient } from 'rxjs-langchain/node';
 * import { ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const client = (await createClient({ url: process.env.REDIS_URL }).connect()) as RedisClient;
 * const chat = createChatHandler({
 *   model: new ScriptedChatModel(),
 *   owners: new RedisConversationOwners({ client }),
 *   authorize: ({ request }) => request.headers.get('x-user-id'), // your session instead
 * });
 * ```
 *
 * @see {@link InMemoryConversationOwners}, the default of one process.
 *
 * @param options `client`, `prefix`, `ttlSeconds`, `commandTimeoutMs`.
 */
export class RedisConversationOwners implements ConversationOwners {
  readonly #client: NodeRedisClient;
  readonly #prefix: string;
  readonly #ttlSeconds: number;
  readonly #timeoutMs: number;

  constructor(options: RedisConversationOwnersOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`RedisConversationOwners: options must be an object, got ${describe(options)}.`);
    assertKnownOptions('RedisConversationOwners', options, OPTION_NAMES);
    assertRedisClient('RedisConversationOwners: client', options.client);
    assertPrefix('RedisConversationOwners: prefix', options.prefix);
    const ttl = options.ttlSeconds ?? 86_400;
    if (!Number.isInteger(ttl) || ttl < 0) throw new RangeError(`RedisConversationOwners: ttlSeconds must be an integer >= 0, got ${describe(ttl)}.`);
    assertPositiveInteger('RedisConversationOwners: commandTimeoutMs', options.commandTimeoutMs);
    this.#client = asNodeRedis(options.client);
    this.#prefix = options.prefix ?? 'rxlc:';
    this.#ttlSeconds = ttl;
    this.#timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  async owner(conversationId: string): Promise<string | null> {
    const key = this.#key(conversationId);
    const owner = await withDeadline(this.#client, 'the owner GET', this.#timeoutMs, () => this.#client.get(key));
    return typeof owner === 'string' ? owner : null;
  }

  async claim(conversationId: string, principal: string): Promise<string> {
    const keys = [this.#key(conversationId)];
    const claimed = await withDeadline(this.#client, 'the owner claim', this.#timeoutMs, () =>
      this.#client.eval(CLAIM, { keys, arguments: [principal, String(this.#ttlSeconds)] }),
    );
    return String(claimed);
  }

  #key(conversationId: string): string {
    return `${this.#prefix}conversation:{${conversationId}}:owner`;
  }
}
