import type { RedisClientType } from 'redis';
import { describe } from '../../internal/validate';

/**
 * A node-redis 4 client (`createClient()` from `redis`), the client
 * `@langchain/redis` uses too. Type-only import: `rxjs-langchain/node` loads
 * without `redis` installed; only a caller who passes a client needs it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RedisClient = RedisClientType<any, any, any>;

export function assertRedisClient(name: string, value: unknown): asserts value is RedisClient {
  const client = value as Partial<RedisClient> | null;
  if (
    typeof client !== 'object' || client === null ||
    typeof client.sendCommand !== 'function' || typeof client.duplicate !== 'function' || typeof client.xAdd !== 'function'
  ) {
    throw new TypeError(`${name} must be a node-redis 4 client (createClient({ url }) from 'redis', connected), got ${describe(value)}.`);
  }
}

/** Key prefix: a non-empty string without spaces or control characters. */
export function assertPrefix(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0 || /[\s\u0000-\u001f]/.test(value))) {
    throw new TypeError(`${name} must be a non-empty key prefix without whitespace (e.g. "rxlc:"), got ${describe(value)}.`);
  }
}

/** PEXPIRE only while the key still holds `value` (the lock token, the reply id). */
export const PEXPIRE_IF_EQUAL =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";

/** DEL only while the key still holds `value`: never release someone else's lock. */
export const DEL_IF_EQUAL = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

export const ignore = (): void => undefined;
