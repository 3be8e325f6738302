import { isRedisRefusal, RedisRefusedError, RedisTimeoutError, RedisUnavailableError } from './errors';
import type { NodeRedisClient } from './nodeRedis';

/** How long a store waits for any Redis command the chat path needs, unless told otherwise, ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 15_000;

/** `redis://user:secret@host` → `redis://user:***@host`: URLs go into error messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/([^@/]*)@/, (_match, auth: string) => `//${auth.includes(':') ? `${auth.split(':')[0]}:***` : '***'}@`);
  }
}

/** The client's URL, redacted, when it was created with one. */
export function urlOf(client: NodeRedisClient): string | undefined {
  const url = (client as { options?: { url?: unknown } }).options?.url;
  return typeof url === 'string' ? redactUrl(url) : undefined;
}

/** node-redis's errors that mean "the connection is down", not "the command was wrong". */
const CONNECTION_ERRORS = new Set([
  'SocketClosedUnexpectedlyError', 'ClientOfflineError', 'ClientClosedError', 'ConnectionTimeoutError', 'ReconnectStrategyError',
]);
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/**
 * A connection failure as `RedisUnavailableError`, a refusal for Redis's state (full, read-only…)
 * as `RedisRefusedError` (node-redis's error as cause); other errors as they are.
 */
export function asRedisFault(error: unknown, command: string, client: NodeRedisClient): unknown {
  if (error instanceof RedisUnavailableError || error instanceof RedisTimeoutError || error instanceof RedisRefusedError) return error;
  if (isRedisRefusal(error)) return new RedisRefusedError(command, urlOf(client), error);
  // node-redis's error classes leave `name` as 'Error': their constructor's name tells them apart.
  const { code, constructor: type } = (error ?? {}) as { code?: string; constructor?: { name?: string } };
  if (CONNECTION_ERRORS.has(type?.name ?? '') || (code && CONNECTION_CODES.has(code))) return new RedisUnavailableError(command, urlOf(client), error);
  return error;
}

/** True for the errors that mean Redis, not the caller, is the fault. */
export const isRedisFault = (error: unknown): boolean =>
  error instanceof RedisUnavailableError || error instanceof RedisTimeoutError || error instanceof RedisRefusedError;

/**
 * Waits for a command already sent (or queued) for at most `ms`: then `RedisTimeoutError`;
 * the command itself may still run. Connection failures become `RedisUnavailableError`.
 */
export function deadline<T>(client: NodeRedisClient, command: string, ms: number, sent: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisTimeoutError(command, ms, urlOf(client))), ms);
    // Only a deadline: it must not keep a process alive whose Redis went away mid-command.
    timer.unref?.();
    sent.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(asRedisFault(error, command, client));
      },
    );
  });
}

/**
 * Sends a command the chat path waits on: refused at once while the connection is down
 * (instead of waiting in node-redis's offline queue until Redis is back), and given up
 * after `ms` with `RedisTimeoutError` (the command may still run; nobody waits for it).
 */
export function withDeadline<T>(client: NodeRedisClient, command: string, ms: number, send: () => Promise<T>): Promise<T> {
  if (!client.isReady) return Promise.reject(new RedisUnavailableError(command, urlOf(client)));
  return deadline(client, command, ms, send());
}

/** Opens a duplicate of `client` within `ms` (refused at once while `client` is down): never a hang on a reconnect loop. */
export async function connectDuplicate(client: NodeRedisClient, ms: number, onError: (error: unknown) => void): Promise<NodeRedisClient> {
  // Down (open, reconnecting): refuse. Closed by its owner: a duplicate of its options may still connect.
  if (client.isOpen && !client.isReady) throw new RedisUnavailableError('opening a connection', urlOf(client));
  const copy = client.duplicate() as NodeRedisClient;
  copy.on('error', onError);
  try {
    await deadline(client, 'opening a connection', ms, copy.connect());
  } catch (error) {
    if (copy.isOpen) await copy.disconnect().catch(() => undefined);
    throw error;
  }
  return copy;
}
