import { assertObject, assertPositiveInteger, describe } from '../../internal/validate';
import type { RedisClient } from './client';
import { redactUrl } from './deadline';
import { isAuthRefusal, RedisUnreachableError } from './errors';
import type { NodeRedisClient } from './nodeRedis';

/** Options of {@link connectRedis}. */
export interface ConnectRedisOptions {
  /** Give up connecting after this long, ms. Default 5000. */
  connectTimeoutMs?: number;
  /** Longest wait between two reconnect attempts after the connection was lost, ms. Default 2000. */
  maxReconnectDelayMs?: number;
  /**
   * One line when the connection is lost and one when it is back (never one per
   * attempt). Default `console.warn`; pass `() => {}` for silence.
   */
  log?: (line: string) => void;
  /** More node-redis `createClient` options (TLS, username, database…); `url` and the reconnect policy are ours. */
  clientOptions?: Record<string, unknown>;
}

/**
 * Creates and connects a node-redis 4 client for the Redis stores (`RedisReplyLog`,
 * `RedisConversationLock`, `RedisChatHistory`), failing fast instead of hanging: a
 * Redis that cannot be reached rejects with `RedisUnreachableError` (the URL with its
 * password redacted, the cause, a hint) within `connectTimeoutMs`. Once connected,
 * commands are refused at once while the connection is down (`disableOfflineQueue`),
 * so a turn fails with a clear error instead of waiting for Redis; the client
 * reconnects in the background and logs one line per outage, not one per attempt.
 *
 * @example
 * ```ts
 * import { connectRedis, RedisConversationLock, RedisReplyLog, RedisUnreachableError } from 'rxjs-langchain/node';
 *
 * try {
 *   const client = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { connectTimeoutMs: 3000 });
 *   const log = new RedisReplyLog({ client });
 *   const lock = new RedisConversationLock({ client });
 * } catch (e) {
 *   if (e instanceof RedisUnreachableError) process.exit((console.error(e.message), 1));
 *   throw e;
 * }
 * ```
 *
 * @see {@link RedisReplyLog}, {@link RedisConversationLock}, {@link RedisChatHistory}
 *
 * @param url `redis://[[user]:password@]host[:port][/db]` or `rediss://…`.
 * @param options `connectTimeoutMs`, `maxReconnectDelayMs`, `log`, `clientOptions`.
 * @returns The connected client; yours to `quit()`.
 */
export async function connectRedis(url: string, options: ConnectRedisOptions = {}): Promise<RedisClient> {
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
    throw new TypeError(`connectRedis: url must be a redis:// or rediss:// URL, got ${typeof url === 'string' ? JSON.stringify(redactUrl(url)) : describe(url)}.`);
  }
  assertObject('connectRedis: options', options);
  assertPositiveInteger('connectRedis: options.connectTimeoutMs', options.connectTimeoutMs);
  assertPositiveInteger('connectRedis: options.maxReconnectDelayMs', options.maxReconnectDelayMs);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const log = options.log ?? ((line: string) => console.warn(line));
  const shown = redactUrl(url);
  const { createClient } = loadRedis();

  const started = Date.now();
  let ready = false;
  let down = false;
  let lastError: unknown;
  const client = createClient({
    ...options.clientOptions,
    url,
    disableOfflineQueue: true,
    socket: {
      ...(options.clientOptions?.socket as object | undefined),
      connectTimeout: connectTimeoutMs,
      // Before the first connection: retry until the deadline, then give up (connect() rejects).
      // After it: retry for ever, backing off to maxDelay; the stores fail fast meanwhile.
      reconnectStrategy: (retries: number, cause: Error) => {
        lastError = cause;
        // A new Error of this module's realm: node-redis checks `instanceof Error` (socket errors may come from another realm under jest).
        // A refused password is an answer, not an outage: give up at once (it was 5 s of retries).
        if (!ready) return isAuthRefusal(cause) || Date.now() - started + 100 > connectTimeoutMs ? new Error('connect deadline passed') : 100;
        return Math.min(50 * 2 ** Math.min(retries, 10), maxDelay);
      },
    },
  }) as NodeRedisClient;
  client.on('error', (error: unknown) => {
    lastError = error;
    if (!ready || down) return; // one line per outage
    down = true;
    log(`Redis at ${shown}: connection lost (${error instanceof Error ? error.message : String(error)}); reconnecting, turns fail meanwhile.`);
  });
  client.on('ready', () => {
    if (down) log(`Redis at ${shown}: connection back.`);
    ready = true;
    down = false;
  });
  // The strategy gives up between attempts; this timer bounds a slow attempt (a loaded event loop, DNS) too.
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
  });
  const connecting = client.connect();
  connecting.catch(() => undefined); // after a timeout it may still reject; the timeout already answered
  try {
    // A PING proves the connection can run commands: without a password, a server that wants one
    // accepts the connection and refuses every command (NOAUTH), so the first turn would fail instead.
    await Promise.race([connecting.then(() => client.ping()), late]);
  } catch (error) {
    if (client.isOpen) await client.disconnect().catch(() => undefined);
    throw new RedisUnreachableError(shown, connectTimeoutMs, lastError ?? error);
  } finally {
    clearTimeout(timer);
  }
  return client as unknown as RedisClient;
}

/**
 * Loads the optional peer dependency `redis`, or says how to install it. Inside try/catch so a
 * bundler leaves an unresolvable `redis` to run time instead of failing the build (the bundler
 * consumer project of specs/package/consumers.spec.ts has no redis installed).
 */
function loadRedis(): typeof import('redis') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the rest of rxjs-langchain/node works without redis
    return require('redis') as typeof import('redis');
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error('connectRedis needs the optional peer dependency "redis" (^4.6.13): run `npm install redis`.', { cause: error });
  }
}
