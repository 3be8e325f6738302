import { RxLangChainError } from '../../errors';

const HINT = 'Is redis-server running there, and is the URL (REDIS_URL) right?';

/** An error's message; duck-typed, since socket errors may come from another realm (jest's sandbox). */
function messageOf(error: unknown): string | undefined {
  const { message, name } = (error ?? {}) as { message?: unknown; name?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Redis could not be reached within the connect deadline (`connectRedis`): a wrong
 * URL, a server that is not running, a firewall. Thrown once, instead of retrying
 * forever with a log line per attempt. The URL's password is redacted.
 *
 * @example
 * ```ts
 * import { connectRedis, RedisUnreachableError } from 'rxjs-langchain/node';
 *
 * try {
 *   await connectRedis('redis://:secret@10.0.0.9:6379', { connectTimeoutMs: 3000 });
 * } catch (e) {
 *   if (e instanceof RedisUnreachableError) console.error(e.message); // … redis://:***@10.0.0.9:6379 …
 * }
 * ```
 *
 * @see {@link connectRedis}
 *
 * @param url The URL tried, password redacted.
 * @param ms The connect deadline.
 * @param cause The last connection error (ECONNREFUSED, a timeout, a refused AUTH).
 */
export class RedisUnreachableError extends RxLangChainError {
  readonly url: string;

  constructor(url: string, ms: number, cause: unknown) {
    const why = messageOf(cause) ?? String(cause);
    super(
      'REDIS_UNREACHABLE',
      isAuthRefusal(cause)
        ? `Redis at ${url} refused the credentials (${why}). Check the user and password in the URL (REDIS_URL).`
        : `Cannot reach Redis at ${url} within ${ms} ms (${why}). ${HINT}`,
      { cause },
    );
    this.url = url;
  }
}

/**
 * True when Redis answered and refused the credentials (`WRONGPASS`, `NOAUTH`, a password sent to
 * a server without one): retrying cannot help, so `connectRedis` gives up at once.
 */
export function isAuthRefusal(error: unknown): boolean {
  return /^(WRONGPASS|NOAUTH|NOPERM)\b|^ERR (AUTH|invalid password|Client sent AUTH)/.test(messageOf(error) ?? '');
}

/**
 * A Redis command the chat path needs could not be sent or got no answer because the
 * connection is down (Redis killed, restarted, network lost). Raised at once instead
 * of queueing the command until Redis comes back; nothing is saved as complete.
 *
 * @example
 * ```ts
 * import { RedisUnavailableError } from 'rxjs-langchain/node';
 *
 * const isRedisDown = (e: unknown) => e instanceof RedisUnavailableError; // e.g. answer 503 with Retry-After
 * ```
 *
 * @see {@link RedisTimeoutError}, a connected Redis that does not answer.
 *
 * @param command What was being done (`'XADD'`, `'the heartbeat'`, `'lock SET'`).
 * @param url The client's URL, password redacted, when known.
 * @param cause node-redis's error, if any.
 */
export class RedisUnavailableError extends RxLangChainError {
  readonly command: string;
  readonly url: string | undefined;

  constructor(command: string, url: string | undefined, cause?: unknown) {
    const message = messageOf(cause);
    const why = message === undefined ? '' : `: ${message}`;
    super('REDIS_UNAVAILABLE', `Redis${url ? ` at ${url}` : ''} is not connected, so ${command} failed${why}. ${HINT}`, { cause });
    this.command = command;
    this.url = url;
  }
}

/**
 * A connected Redis did not answer a command within `commandTimeoutMs` (a stall:
 * `DEBUG SLEEP`, a long script, a full network buffer). The command may still run
 * later; the caller stopped waiting.
 *
 * @example
 * ```ts
 * import { RedisReplyLog, RedisTimeoutError, type RedisClient } from 'rxjs-langchain/node';
 *
 * declare const client: RedisClient;
 * const log = new RedisReplyLog({ client, commandTimeoutMs: 5000 });
 * log.stop('reply-1').catch((e) => e instanceof RedisTimeoutError && console.error(e.message));
 * ```
 *
 * @see {@link RedisUnavailableError}
 *
 * @param command What was being done.
 * @param ms The deadline.
 * @param url The client's URL, password redacted, when known.
 */
export class RedisTimeoutError extends RxLangChainError {
  readonly command: string;
  readonly ms: number;

  constructor(command: string, ms: number, url: string | undefined) {
    super(
      'REDIS_TIMEOUT',
      `Redis${url ? ` at ${url}` : ''} did not answer ${command} within ${ms} ms (a stall or an overloaded server); raise commandTimeoutMs if such stalls are expected.`,
    );
    this.command = command;
    this.ms = ms;
  }
}
